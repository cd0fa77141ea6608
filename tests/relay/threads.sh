#!/bin/bash
# --threads 2: two loop threads, each with its own SO_REUSEPORT listener per
# --listen URL (ss shows two sockets per port); records from many TCP
# connections, UDP datagrams and sFlow all arrive exactly once, counters add up.
. "$(dirname "$0")/lib.sh" "$@"
N=300
$FLOWTOOL gen $N "$T/recs"
encode <"$T/recs.txt" >"$T/recs.bin"
PT=$(free_port); PU=$(free_port)
start_relay m --threads 2 --listen "tcp://127.0.0.1:$PT" --listen "udp://127.0.0.1:$PU" --output "jsonl:$T/m.jsonl"
[ "$(ss -Htln "sport = :$PT" | wc -l)" -eq 2 ] || fail "expected 2 tcp listeners on :$PT: $(ss -Htln "sport = :$PT")"
[ "$(ss -Hlun "sport = :$PU" | wc -l)" -eq 2 ] || fail "expected 2 udp sockets on :$PU"
$FLOWTOOL many tcp 127.0.0.1 "$PT" "$T/recs.bin" 8
wait_lines "$T/m.jsonl" $((8 * N)) 30
$FLOWTOOL send udp 127.0.0.1 "$PU" "$T/recs.bin"
wait_lines "$T/m.jsonl" $((9 * N)) 30
python3 - "$T/recs.expected.jsonl" "$T/m.jsonl" <<'PY' || fail "records differ"
import json, sys, collections
want = collections.Counter(json.dumps(json.loads(l), sort_keys=True) for l in open(sys.argv[1]))
got = collections.Counter(json.dumps(json.loads(l), sort_keys=True) for l in open(sys.argv[2]))
if any(got[k] != 9 for k in want) or sum(got.values()) != 9 * sum(want.values()):
    print("counts differ"); sys.exit(1)
print("ok: %d records, each exactly 9 times (8 tcp connections + udp) over 2 loop threads" % sum(got.values()))
PY
expect_counter m total_simple_packets_processed $((9 * N))
expect_counter m jsonl_records_written $((9 * N))
stop_relay m
echo "PASS: --threads 2"
