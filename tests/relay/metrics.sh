#!/bin/bash
# --metrics: the relay's counters scraped over HTTP by curl, checked by a
# strict Prometheus text-format parser (tests/vm/tools/prom_check.py, with
# Debian's python3-prometheus-client), equal to `netflow-relay counters` and
# moving with traffic; wrong paths and methods get 404/405; a bad --metrics
# URL exits 2.
. "$(dirname "$0")/lib.sh" "$@"
CHECK="/usr/bin/python3 $HERE/../vm/tools/prom_check.py"
command -v curl >/dev/null || { echo "SKIP: no curl"; exit 77; }
/usr/bin/python3 -c 'import prometheus_client' 2>/dev/null || { echo "SKIP: no python3-prometheus-client"; exit 77; }

$FLOWTOOL gen 100 "$T/recs"
encode <"$T/recs.txt" >"$T/recs.bin"
P=$(free_port)
M=$(free_port)
start_relay m --listen "udp://127.0.0.1:$P" --output "jsonl:$T/out.jsonl" --metrics "http://127.0.0.1:$M/metrics"
scrape() { curl -sf --max-time 5 "http://127.0.0.1:$M/metrics" >"$T/scrape.txt" || fail "scrape failed"
	$CHECK "$T/scrape.txt" >"$T/samples.txt" 2>"$T/check.log" || fail "exposition rejected: $(cat "$T/check.log")"; }
sample() { awk -v k="$1" '$1 == k { print $2 }' "$T/samples.txt"; }

scrape
[ "$(sample netflow_relay_up)" = 1 ] || fail "netflow_relay_up is not 1"
[ "$(sample netflow_relay_fastnetmon_flow_udp_packets_total)" = 0 ] || fail "udp packets not 0 before traffic"
grep -q '^# TYPE netflow_relay_fastnetmon_flow_connections_active gauge$' "$T/scrape.txt" || fail "connections_active is not a gauge"
grep -q '^# TYPE netflow_relay_total_simple_packets_processed_total counter$' "$T/scrape.txt" || fail "no processed counter"
echo "ok: $(wc -l <"$T/samples.txt") samples parse before traffic"

$FLOWTOOL send udp 127.0.0.1 "$P" "$T/recs.bin"
wait_lines "$T/out.jsonl" 100 20
scrape
[ "$(sample netflow_relay_fastnetmon_flow_udp_packets_total)" = 100 ] || fail "udp packets $(sample netflow_relay_fastnetmon_flow_udp_packets_total), want 100"
[ "$(sample netflow_relay_total_simple_packets_processed_total)" = "$(counter m total_simple_packets_processed)" ] ||
	fail "metrics and 'netflow-relay counters' differ"
echo "ok: counters moved to 100 with traffic and equal the control socket's"

code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$M/other")
[ "$code" = 404 ] || fail "GET /other gave $code, want 404"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$M/metrics")
[ "$code" = 405 ] || fail "POST gave $code, want 405"
echo "ok: 404 and 405"

rc=0
timeout 10 "$RELAY" --control "$T/never.sock" --listen "udp://127.0.0.1:$P" --metrics https://x:1/ 2>"$T/err" || rc=$?
[ "$rc" = 2 ] && grep -q "only http://" "$T/err" || fail "bad --metrics URL: exit $rc, $(cat "$T/err")"
echo "ok: bad --metrics URL refused with exit 2"
stop_relay m
