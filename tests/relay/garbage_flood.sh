#!/bin/bash
# 1,000 connections, 800 sending garbage and 200 idle, against a descriptor
# limit far below that,
# while one valid client streams 20,000 records: the valid stream loses
# nothing, every garbage connection is closed and counted, the relay does
# not spin or die.
. "$(dirname "$0")/lib.sh" "$@"
N=20000
$FLOWTOOL gen $N "$T/recs"
encode <"$T/recs.txt" >"$T/recs.bin"
P=$(free_port)
# 128 descriptors: most garbage connections meet EMFILE and are shed.
(ulimit -n 128 && exec "$RELAY" --listen "tcp://127.0.0.1:$P" --output "jsonl:$T/out.jsonl" \
  --control "$T/flood.sock" 2>>"$T/flood.log") &
PIDS="$PIDS $!"
PID_flood=$!
for _ in $(seq 100); do "$RELAY" counters --control "$T/flood.sock" >/dev/null 2>&1 && break; sleep 0.05; done

python3 - "$P" "$T/recs.bin" "$HERE" <<'PY' || fail "flood run"
import os, random, socket, struct, sys, threading, time
port, path = int(sys.argv[1]), sys.argv[2]
sys.path.insert(0, sys.argv[3])
import flowtool
msgs = flowtool.split_messages(open(path, "rb").read())
stream = b"".join(struct.pack("<Q", len(m)) + m for m in msgs)
good = socket.create_connection(("127.0.0.1", port))
done = threading.Event()

def valid():
    for off in range(0, len(stream), 4096):
        good.sendall(stream[off:off + 4096])
        time.sleep(0.0005)
    good.close()
    done.set()

t = threading.Thread(target=valid)
t.start()
rnd = random.Random(7)
opened = 0
for wave in range(5):
    socks = []
    for i in range(200):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            kind = 3 if wave == 0 else rnd.randrange(3)  # wave 0: idle, to exhaust descriptors
            if kind == 3:
                pass
            elif kind == 0:
                s.sendall(os.urandom(rnd.randrange(1, 200)))
            elif kind == 1:
                s.sendall(struct.pack("<Q", rnd.choice([0, 1 << 40, 65537])))
            else:
                s.sendall(struct.pack("<Q", 24) + os.urandom(24))
            socks.append(s)
            opened += 1
        except OSError:
            pass
    time.sleep(0.5 if wave == 0 else 0.05)
    for s in socks:
        s.close()
t.join(120)
assert done.is_set(), "valid client did not finish"
print("garbage connections opened:", opened)
PY
wait_lines "$T/out.jsonl" $N 60
$FLOWTOOL compare "$T/recs.expected.jsonl" "$T/out.jsonl" || fail "valid stream damaged"
accepted=$(counter flood fastnetmon_flow_tcp_connections_accepted)
refused=$(counter flood fastnetmon_flow_connections_refused_limit)
bad=$(counter flood fastnetmon_flow_connections_closed_bad_frame)
echo "figure: garbage flood: valid stream $N/$N records exact; garbage connections: $((accepted - 1)) accepted ($bad closed on a bad frame), $refused shed at the descriptor limit"
[ $((accepted - 1 + refused)) -ge 900 ] || fail "garbage connections unaccounted: accepted $accepted refused $refused"
[ "$bad" -ge 1 ] || fail "no bad frame counted"
[ "$refused" -ge 1 ] || fail "the descriptor limit was never reached"
grep -q "out of file descriptors" "$T/flood.log" || fail "no log line for the descriptor limit"
wait_counter_eq flood fastnetmon_flow_connections_active 0 10
kill -TERM "$PID_flood"; wait "$PID_flood" || fail "relay exit code"
echo "garbage_flood: 1 passed, 0 failed"
