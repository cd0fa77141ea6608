#!/bin/bash
# kafka:// against librdkafka's own mock cluster (nfr_kafka_mock: 3 brokers;
# Debian packages no Kafka broker), read back with kcat:
#  1. 300 FastNetMon Flow records in over TCP, out to two topics, capnp and
#     json (lz4, linger 5 ms); broker 2 is down while they are produced and
#     comes back: kcat reads back every record exactly (capnp decode / json),
#     each keyed by its destination address, each key in one partition;
#     delivery reports: 600 delivered, 0 failed, 0 queue full.
#  2. every broker down, a queue of 100: 200 counted in kafka_queue_full,
#     the 100 queued are delivered when the brokers return.
# usage: kafka.sh RELAY SCHEMA NFR_KAFKA_MOCK
. "$(dirname "$0")/lib.sh" "$@"
MOCK=$3
command -v kcat >/dev/null || { echo "SKIP: kcat not installed"; exit 77; }
N=300
$FLOWTOOL gen $N "$T/recs"
encode <"$T/recs.txt" >"$T/recs.bin"
decode <"$T/recs.bin" | sort >"$T/recs.decoded"

mkfifo "$T/mock.ctl"
"$MOCK" 3 flows:6 flowsjson:6 queued:2 <"$T/mock.ctl" >"$T/mock.out" 2>"$T/mock.log" &
PIDS="$PIDS $!"
exec 3>"$T/mock.ctl"
for _ in $(seq 50); do [ -s "$T/mock.out" ] && break; sleep 0.1; done
B=$(head -n1 "$T/mock.out")
[ -n "$B" ] || fail "mock cluster did not start"
mock() {  # down|up ID
  echo "$1 $2" >&3
  wait_log "$T/mock.out" "^$1 $2 NO_ERROR" 5
}

IN=$(free_port)
start_relay k --listen "tcp://127.0.0.1:$IN" --forward "kafka://$B/flows" \
  --forward "kafka://$B/flowsjson?format=json&compression.codec=lz4&linger.ms=5"
sleep 1  # metadata known, connections up
mock down 2
$FLOWTOOL send tcp 127.0.0.1 "$IN" "$T/recs.bin"
wait_counter k kafka_produced $((2 * N)) 10
sleep 2
[ "$(counter k kafka_delivered)" -lt $((2 * N)) ] || fail "broker 2 down, yet every record was delivered (does it lead no partition?)"
mock up 2
wait_counter k kafka_delivered $((2 * N)) 60
expect_counter k kafka_delivery_failed 0
expect_counter k kafka_queue_full 0

timeout 60 kcat -C -b "$B" -t flows -o beginning -e -q -f '%s' >"$T/flows.bin" || fail "kcat -C flows"
decode <"$T/flows.bin" | sort >"$T/flows.decoded" || fail "capnp decode of the Kafka messages"
cmp -s "$T/recs.decoded" "$T/flows.decoded" || { diff "$T/recs.decoded" "$T/flows.decoded" | head -5; fail "capnp messages from Kafka differ"; }
echo "ok: $N capnp messages read back from Kafka decode exactly"

timeout 60 kcat -C -b "$B" -t flowsjson -o beginning -e -q -f '%k\t%p\t%s\n' >"$T/flows.json" || fail "kcat -C flowsjson"
python3 - "$T/recs.expected.jsonl" "$T/flows.json" <<'PY' || fail "json messages from Kafka differ"
import json, sys
want = sorted(json.dumps(json.loads(l), sort_keys=True) for l in open(sys.argv[1]))
got, parts = [], {}
for line in open(sys.argv[2]):
    key, part, value = line.rstrip("\n").split("\t", 2)
    r = json.loads(value)
    dst = r["dstIp"] if r["ipProtocolVersion"] == 4 else r["dstIpv6"]
    if key != dst:
        print("key", key, "is not the destination", dst); sys.exit(1)
    parts.setdefault(key, set()).add(part)
    got.append(json.dumps(r, sort_keys=True))
if sorted(got) != want:
    print(len(got), "records, expected", len(want)); sys.exit(1)
split = [k for k, p in parts.items() if len(p) > 1]
if split:
    print("keys in several partitions:", split[:5]); sys.exit(1)
print("ok: %d json messages exact, keyed by destination, %d keys each in one partition" % (len(got), len(parts)))
PY

# 2. every broker down, queue of 100
IN2=$(free_port)
start_relay q --listen "tcp://127.0.0.1:$IN2" --forward "kafka://$B/queued?queue.buffering.max.messages=100"
sleep 1
for b in 1 2 3; do mock down $b; done
$FLOWTOOL send tcp 127.0.0.1 "$IN2" "$T/recs.bin"
wait_counter q kafka_queue_full $((N - 100)) 10
expect_counter q kafka_produced 100
for b in 1 2 3; do mock up $b; done
wait_counter q kafka_delivered 100 60
expect_counter q kafka_delivery_failed 0
timeout 60 kcat -C -b "$B" -t queued -o beginning -e -q -f '%s' | decode | sort >"$T/queued.decoded" ||
  fail "kcat -C queued"
[ "$(wc -l <"$T/queued.decoded")" -eq 100 ] || fail "queued topic holds $(wc -l <"$T/queued.decoded") records, expected 100"
[ -z "$(comm -23 "$T/queued.decoded" "$T/recs.decoded")" ] || fail "queued records are not the input's"
stop_relay k
stop_relay q
exec 3>&-
echo "PASS: kafka:// through librdkafka's mock cluster, read back with kcat"
