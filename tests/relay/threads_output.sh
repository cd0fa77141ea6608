#!/bin/bash
# --threads 2, outputs (issue 23, "every core"): each loop thread has its own
# lane (connection, queue, thread) to a tcp:// target and produces to the one
# shared Kafka producer.  1600 distinct records come in from 16 TCP connections
# and 8 UDP source ports (the kernel spreads them over both loop threads); the
# TCP sink (any number of connections) and Kafka (librdkafka's mock cluster,
# read back with kcat) each get every record exactly once, byte for byte; the
# records of one input connection / source port arrive in their order on one
# downstream connection; the counters of both threads add up exactly.  Then
# --forward-shard over two sinks: every record exactly once over the two,
# each destination prefix on one of them.
# usage: threads_output.sh RELAY SCHEMA NFR_KAFKA_MOCK|-
#   "-": without Kafka (the ThreadSanitizer build: librdkafka's C11 threads are
#   unknown to TSan, which crashes in them).
. "$(dirname "$0")/lib.sh" "$@"
MOCK=$3
KAFKA=1
[ "$MOCK" = - ] && KAFKA=0
[ $KAFKA = 0 ] || command -v kcat >/dev/null || { echo "SKIP: kcat not installed"; exit 77; }
N=1600 NT=1200 TC=16 UC=8  # records; of them over TCP (the rest over UDP); clients
$FLOWTOOL gen $N "$T/recs"
encode <"$T/recs.txt" >"$T/recs.bin"
python3 - "$HERE" "$T" $NT <<'PY' || fail "splitting the input"
import sys
sys.path.insert(0, sys.argv[1])
import flowtool
msgs = flowtool.split_messages(open(sys.argv[2] + "/recs.bin", "rb").read())
nt = int(sys.argv[3])
open(sys.argv[2] + "/tcp.bin", "wb").write(b"".join(msgs[:nt]))
open(sys.argv[2] + "/udp.bin", "wb").write(b"".join(msgs[nt:]))
PY

KFWD=()
if [ $KAFKA = 1 ]; then
  mkfifo "$T/mock.ctl"
  "$MOCK" 2 flows:4 <"$T/mock.ctl" >"$T/mock.out" 2>"$T/mock.log" &
  PIDS="$PIDS $!"
  exec 3>"$T/mock.ctl"
  for _ in $(seq 50); do [ -s "$T/mock.out" ] && break; sleep 0.1; done
  B=$(head -n1 "$T/mock.out")
  [ -n "$B" ] || fail "mock cluster did not start"
  KFWD=(--forward "kafka://$B/flows?linger.ms=5")
fi

OUT=$(free_port); PT=$(free_port); PU=$(free_port)
$FLOWTOOL recvmany "$OUT" "$T/out.bin" $N 90 >"$T/sink.out" &
PIDS="$PIDS $!"; SINK=$!
wait_listening tcp "$OUT" 20
start_relay m --threads 2 --listen "tcp://127.0.0.1:$PT" --listen "udp://127.0.0.1:$PU" \
  --forward "tcp://127.0.0.1:$OUT" "${KFWD[@]}"
$FLOWTOOL spread tcp 127.0.0.1 "$PT" "$T/tcp.bin" $TC || fail "tcp senders"
$FLOWTOOL spread udp 127.0.0.1 "$PU" "$T/udp.bin" $UC || fail "udp senders"
wait "$SINK" || fail "tcp sink"
read -r got conns <"$T/sink.out"
[ "$got" = $N ] || fail "the tcp sink got $got records, expected $N"
[ "$conns" = 2 ] || fail "the tcp sink saw $conns connections, expected 2 (one per loop thread)"
if [ $KAFKA = 1 ]; then
  wait_counter m kafka_delivered $N 60
  timeout 60 kcat -C -b "$B" -t flows -o beginning -e -q -f '%s' >"$T/kafka.bin" || fail "kcat -C flows"
fi

python3 - "$HERE" "$T" $NT $TC $UC $KAFKA <<'PY' || fail "records differ"
import collections, sys
sys.path.insert(0, sys.argv[1])
import flowtool
T, nt, tc, uc = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
outputs = [("tcp", T + "/out.bin")] + ([("kafka", T + "/kafka.bin")] if sys.argv[6] == "1" else [])
sent = flowtool.split_messages(open(T + "/recs.bin", "rb").read())
index = {m: i for i, m in enumerate(sent)}
assert len(index) == len(sent), "input records are not distinct"
def client(i):  # which sender (TCP connection or UDP source port) sent record i
    return ("tcp", i % tc) if i < nt else ("udp", (i - nt) % uc)
for name, path in outputs:
    got = collections.Counter(flowtool.split_messages(open(path, "rb").read()))
    if got != collections.Counter(sent):
        missing = sum(1 for m in sent if got[m] == 0)
        dup = sum(n - 1 for n in got.values() if n > 1)
        alien = sum(n for m, n in got.items() if m not in index)
        print("%s: %d records, %d missing, %d duplicated, %d unknown" % (name, sum(got.values()), missing, dup, alien))
        sys.exit(1)
    print("ok: %s: each of the %d records exactly once, byte for byte" % (name, len(sent)))
# Order: one sender's records on one downstream connection, in the order sent.
out = flowtool.split_messages(open(T + "/out.bin", "rb").read())
conn = [int(l) for l in open(T + "/out.bin.conn")]
seen = {}
for m, c in zip(out, conn):
    i = index[m]
    k = client(i)
    prev_c, prev_i = seen.get(k, (c, -1))
    if prev_c != c or i < prev_i:
        print("sender %s: record %d on connection %d after record %d on connection %d" % (k, i, c, prev_i, prev_c))
        sys.exit(1)
    seen[k] = (c, i)
per_conn = collections.Counter(conn)
print("ok: tcp: every sender's records in order on one connection; per connection %s" % dict(per_conn))
PY

expect_counter m total_simple_packets_processed $N
expect_counter m flow_forwarder_sampler_seen_packets $N
expect_counter m flow_forwarder_sampler_selected_packets $N
expect_counter m flow_forwarder_pushed_messages $N
expect_counter m flow_forwarder_queued_messages 0
expect_counter m flow_forwarder_queue_drops 0
expect_counter m flow_forwarder_lost_in_flight 0
expect_counter m flow_forwarder_errors 0
expect_counter m flow_forwarder_connects 2
if [ $KAFKA = 1 ]; then
  expect_counter m kafka_produced $N
  expect_counter m kafka_delivered $N
  expect_counter m kafka_delivery_failed 0
  expect_counter m kafka_queue_full 0
fi
stop_relay m

# 2. --forward-shard over two sinks with --threads 2 (a lane per loop thread and target):
#    every record exactly once over the two, each destination prefix (/24, /64) on one sink.
S0=$(free_port); S1=$(free_port); IN=$(free_port)
$FLOWTOOL recvmany "$S0" "$T/shard0.bin" 0 120 >"$T/shard0.out" &
PIDS="$PIDS $!"; R0=$!
$FLOWTOOL recvmany "$S1" "$T/shard1.bin" 0 120 >"$T/shard1.out" &
PIDS="$PIDS $!"; R1=$!
wait_listening tcp "$S0" 20
wait_listening tcp "$S1" 20
start_relay s --threads 2 --listen "tcp://127.0.0.1:$IN" --forward-shard "tcp://127.0.0.1:$S0,tcp://127.0.0.1:$S1"
$FLOWTOOL spread tcp 127.0.0.1 "$IN" "$T/recs.bin" $TC || fail "tcp senders"
wait_counter s flow_forwarder_pushed_messages $N 60
expect_counter s flow_forwarder_pushed_messages $N
[ $(( $(counter s forward_shard_0_records) + $(counter s forward_shard_1_records) )) = $N ] ||
  fail "forward_shard_0_records + forward_shard_1_records != $N"
stop_relay s  # closes the lanes' connections: the sinks finish
wait "$R0" || fail "shard sink 0"
wait "$R1" || fail "shard sink 1"
python3 - "$HERE" "$T" <<'PY' || fail "sharded records differ"
import collections, ipaddress, json, sys
sys.path.insert(0, sys.argv[1])
import flowtool
T = sys.argv[2]
sent = flowtool.split_messages(open(T + "/recs.bin", "rb").read())
recs = [json.loads(l) for l in open(T + "/recs.expected.jsonl")]
index = {m: i for i, m in enumerate(sent)}
got, owner = collections.Counter(), {}
for shard in (0, 1):
    for m in flowtool.split_messages(open("%s/shard%d.bin" % (T, shard), "rb").read()):
        got[m] += 1
        r = recs[index[m]] if m in index else None
        if r is None:
            print("unknown record on shard", shard); sys.exit(1)
        if r["ipProtocolVersion"] == 4:
            prefix = ipaddress.ip_network(r["dstIp"] + "/24", strict=False)
        else:
            prefix = ipaddress.ip_network(r["dstIpv6"] + "/64", strict=False)
        if owner.setdefault(prefix, shard) != shard:
            print("prefix", prefix, "on both shards"); sys.exit(1)
if got != collections.Counter(sent):
    print("%d records over the shards, expected each of %d once" % (sum(got.values()), len(sent))); sys.exit(1)
print("ok: shards: each of the %d records exactly once, %d destination prefixes each on one shard"
      % (len(sent), len(owner)))
PY
echo "PASS: --threads 2 outputs: tcp lanes$([ $KAFKA = 1 ] && echo " and the shared Kafka producer"), every record exactly once"
