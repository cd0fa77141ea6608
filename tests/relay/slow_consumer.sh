#!/bin/bash
# Slow consumer: relay A (queue of 20,000 records) forwards over TCP to a
# receiver that reads ~100 KB/s while 200,000 records arrive as fast as the
# sender can write.  A's memory stays bounded (peak VmRSS below 100 MB),
# what does not fit is dropped and counted, and the books balance exactly:
# sent == pushed + dropped, and the receiver gets exactly what A pushed.
. "$(dirname "$0")/lib.sh" "$@"
N=20000
ROUNDS=10
QUEUE=20000
$FLOWTOOL gen $N "$T/recs"
encode <"$T/recs.txt" >"$T/recs.bin"
IN=$(free_port); R=$(free_port)

# The receiver: slow for 12 s, then as fast as it can until A closes.
python3 - "$R" >"$T/recv.out" 2>"$T/recv.log" <<'PY' &
import socket, struct, sys, time
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)  # inherited: a small window
ls.bind(("127.0.0.1", int(sys.argv[1])))
ls.listen(1)
ls.settimeout(60)
c, _ = ls.accept()
c.settimeout(120)
slow_until = time.time() + 12
buf, n = b"", 0
while True:
    slow = time.time() < slow_until
    chunk = c.recv(1024 if slow else 1 << 16)
    if not chunk:
        break
    buf += chunk
    while len(buf) >= 8:
        size = struct.unpack_from("<Q", buf)[0]
        if len(buf) < 8 + size:
            break
        n += 1
        buf = buf[8 + size:]
    if slow:
        time.sleep(0.01)
print(n)
PY
RECV=$!
PIDS="$PIDS $RECV"
wait_listening tcp "$R" 20
start_relay a --listen "tcp://127.0.0.1:$IN" --forward "tcp://127.0.0.1:$R" --queue-size $QUEUE --reconnect-interval 1
# sample A's resident memory while it works
( peak=0; while kill -0 "$PID_a" 2>/dev/null; do
    v=$(awk '/^VmRSS:/ { print $2 }' "/proc/$PID_a/status" 2>/dev/null || echo 0)
    [ "${v:-0}" -gt "$peak" ] && peak=$v && echo "$peak" >"$T/peak_rss"
    sleep 0.1
  done ) &
PIDS="$PIDS $!"
python3 - "$IN" "$T/recs.bin" "$HERE" $ROUNDS <<'PY' || fail "sender"
import socket, struct, sys
sys.path.insert(0, sys.argv[3])
import flowtool
msgs = flowtool.split_messages(open(sys.argv[2], "rb").read())
stream = b"".join(struct.pack("<Q", len(m)) + m for m in msgs)
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
for _ in range(int(sys.argv[4])):
    s.sendall(stream)
s.close()
PY
SENT=$((N * ROUNDS))
wait_counter a flow_forwarder_sampler_seen_packets $SENT 60
drops_early=$(counter a flow_forwarder_queue_drops)
wait_counter_eq a flow_forwarder_queued_messages 0 120
pushed=$(counter a flow_forwarder_pushed_messages)
drops=$(counter a flow_forwarder_queue_drops)
lost=$(counter a flow_forwarder_lost_in_flight)
stop_relay a
wait "$RECV" || fail "receiver"
got=$(cat "$T/recv.out")
peak=$(cat "$T/peak_rss")
echo "figure: slow consumer: sent $SENT, pushed $pushed, dropped $((drops + lost)) (queue full $drops), received $got, peak RSS $((peak / 1024)) MB (queue $QUEUE records)"
[ "$drops_early" -gt 0 ] || fail "nothing was dropped: the consumer was not slow enough"
[ "$lost" -eq 0 ] || fail "$lost records lost in flight"
[ $((pushed + drops)) -eq $SENT ] || fail "pushed $pushed + dropped $drops != sent $SENT"
[ "$got" -eq "$pushed" ] || fail "receiver got $got, A pushed $pushed"
[ "$peak" -lt 102400 ] || fail "peak RSS $peak kB"
echo "slow_consumer: 1 passed, 0 failed"
