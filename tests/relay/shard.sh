#!/bin/bash
# --forward-shard over 3 downstream relays (tcp://, jsonl out):
#  1. queue mode (default): half the records, then instance b is stopped, the
#     other half is sent, b is started again: every record arrives, each
#     destination host's records all on exactly one instance, b's share of
#     the second half delivered after its restart, nothing dropped.
#  2. rehash mode with b down: b's share goes to a and c
#     (forward_shard_rehashed), again each host on exactly one instance.
. "$(dirname "$0")/lib.sh" "$@"
N=600
$FLOWTOOL gen $N "$T/recs"
head -n $((N / 2)) "$T/recs.txt" | encode >"$T/first.bin"
tail -n $((N / 2)) "$T/recs.txt" | encode >"$T/second.bin"
PA=$(free_port); PB=$(free_port); PC=$(free_port); PF=$(free_port); PG=$(free_port)
start_relay a --listen "tcp://127.0.0.1:$PA" --output "jsonl:$T/a.jsonl"
start_relay b --listen "tcp://127.0.0.1:$PB" --output "jsonl:$T/b.jsonl"
start_relay c --listen "tcp://127.0.0.1:$PC" --output "jsonl:$T/c.jsonl"
lines() { cat "$T/a.jsonl" "$T/b.jsonl" "$T/c.jsonl" 2>/dev/null | wc -l; }

# check FROM_A FROM_B FROM_C EXPECTED: the lines after the given offsets hold
# exactly the expected records, each destination on one instance.
check() {
  python3 - "$T" "$@" <<'PY' || fail "sharded records wrong"
import json, sys
t, offs, expected = sys.argv[1], [int(x) for x in sys.argv[2:5]], sys.argv[5]
want = sorted(json.dumps(json.loads(l), sort_keys=True) for l in open(expected))
got, where = [], {}
for name, off in zip("abc", offs):
    try:
        lines = open("%s/%s.jsonl" % (t, name)).read().splitlines()[off:]
    except FileNotFoundError:
        lines = []
    for l in lines:
        r = json.loads(l)
        dst = r["dstIp"] if r["ipProtocolVersion"] == 4 else r["dstIpv6"]
        where.setdefault(dst, set()).add(name)
        got.append(json.dumps(r, sort_keys=True))
if sorted(got) != want:
    print("%d records, expected %d" % (len(got), len(want))); sys.exit(1)
split = [d for d, w in where.items() if len(w) > 1]
if split:
    print("hosts on several instances:", split[:5]); sys.exit(1)
per = {n: sum(1 for w in where.values() if n in w) for n in "abc"}
print("ok: %d records, %d hosts, each on exactly one instance (hosts per instance: %s)" % (len(got), len(where), per))
PY
}

start_relay f --listen "tcp://127.0.0.1:$PF" --reconnect-interval 1 --shard-prefix-v4 32 \
  --forward-shard "tcp://127.0.0.1:$PA,tcp://127.0.0.1:$PB,tcp://127.0.0.1:$PC"
$FLOWTOOL send tcp 127.0.0.1 "$PF" "$T/first.bin"
wait_counter f flow_forwarder_pushed_messages $((N / 2)) 20
B1=$(counter f forward_shard_1_records)
[ "$B1" -gt 0 ] || fail "instance b got no records"
stop_relay b
$FLOWTOOL send tcp 127.0.0.1 "$PF" "$T/second.bin"
wait_counter f forward_shard_1_records $((B1 + 1)) 10
sleep 1
[ "$(counter f flow_forwarder_queued_messages)" -gt 0 ] || fail "nothing queued for b while it is down"
start_relay b --listen "tcp://127.0.0.1:$PB" --output "jsonl:$T/b.jsonl"
wait_counter f flow_forwarder_pushed_messages $N 30
for _ in $(seq 50); do [ "$(lines)" -ge $N ] && break; sleep 0.1; done
check 0 0 0 "$T/recs.expected.jsonl"
expect_counter f flow_forwarder_queue_drops 0
expect_counter f forward_shard_rehashed 0
echo "queue mode: b restarted, $(counter f forward_shard_1_records) records for b, $(counter f flow_forwarder_errors) forwarder errors"

# 2. rehash, b down
stop_relay b
OA=$(wc -l <"$T/a.jsonl"); OB=$(wc -l <"$T/b.jsonl"); OC=$(wc -l <"$T/c.jsonl")
start_relay g --listen "tcp://127.0.0.1:$PG" --reconnect-interval 1 --shard-prefix-v4 32 --shard-down rehash \
  --forward-shard "tcp://127.0.0.1:$PA,tcp://127.0.0.1:$PB,tcp://127.0.0.1:$PC"
# b's share of the first half waits in b's queue (its connect fails, b is
# marked down); from then on b's share is rehashed.
$FLOWTOOL send tcp 127.0.0.1 "$PG" "$T/first.bin"
sleep 2
$FLOWTOOL send tcp 127.0.0.1 "$PG" "$T/second.bin"
wait_counter g forward_shard_rehashed 1 10
R=$(counter g forward_shard_rehashed)
S=$(( $(counter g forward_shard_0_records) + $(counter g forward_shard_2_records) ))
for _ in $(seq 100); do [ $(( $(wc -l <"$T/a.jsonl") + $(wc -l <"$T/c.jsonl") - OA - OC )) -ge "$S" ] && break; sleep 0.1; done
tail -n +$((OA + 1)) "$T/a.jsonl" >"$T/ga.jsonl"; tail -n +$((OC + 1)) "$T/c.jsonl" >"$T/gc.jsonl"
# The second half must be complete on a and c, each host on one of them.
python3 - "$T" <<'PY' || fail "rehash mode: second half not complete on a and c"
import json, sys
t = sys.argv[1]
exp = [json.loads(l) for l in open(t + "/recs.expected.jsonl")]
second = sorted(json.dumps(r, sort_keys=True) for r in exp[len(exp) // 2:])
got, where = [], {}
for n in "ac":
    for l in open("%s/g%s.jsonl" % (t, n)):
        r = json.loads(l)
        dst = r["dstIp"] if r["ipProtocolVersion"] == 4 else r["dstIpv6"]
        where.setdefault(dst, set()).add(n)
        got.append(json.dumps(r, sort_keys=True))
missing = [s for s in second if s not in set(got)]
if missing:
    print(len(missing), "of the second half missing"); sys.exit(1)
split = [d for d, w in where.items() if len(w) > 1]
if split:
    print("hosts on both a and c:", split[:5]); sys.exit(1)
print("ok: rehash: second half complete on a and c, each host on one of them")
PY
echo "rehash mode: $R records rehashed while b was down"
[ "$(wc -l <"$T/b.jsonl")" -eq "$OB" ] || fail "b wrote while stopped"
stop_relay g
stop_relay f
echo "PASS: --forward-shard queue and rehash"
