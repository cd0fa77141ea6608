#!/bin/bash
# FastNetMon Flow -> relay A --forward ipfix:// -> (1) nfcapd/nfdump, an
# outside collector, and (2) relay B --listen netflow:// -> jsonl.  The flow
# fields IPFIX carries arrive exactly at both.
. "$(dirname "$0")/lib.sh" "$@"
for tool in nfcapd nfdump; do
  command -v $tool >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
N=40
$FLOWTOOL gen $N "$T/recs"
encode <"$T/recs.txt" >"$T/recs.bin"

mkdir "$T/cap"
PX=$(free_port); PY=$(free_port); PA=$(free_port)
nfcapd -b 127.0.0.1 -p "$PX" -w "$T/cap" -t 3600 >"$T/nfcapd.log" 2>&1 &
NFCAPD=$!
PIDS="$PIDS $NFCAPD"
for _ in $(seq 50); do grep -q "Startup nfcapd" "$T/nfcapd.log" && break; sleep 0.1; done
grep -q "Startup nfcapd" "$T/nfcapd.log" || fail "nfcapd did not start"

start_relay b --listen "netflow://127.0.0.1:$PY" --output "jsonl:$T/b.jsonl"
start_relay a --listen "tcp://127.0.0.1:$PA" --forward "ipfix://127.0.0.1:$PX" --forward "ipfix://127.0.0.1:$PY"
$FLOWTOOL send tcp 127.0.0.1 "$PA" "$T/recs.bin"
wait_lines "$T/b.jsonl" $N 20
wait_counter a flow_forwarder_pushed_messages $((2 * N)) 10
expect_counter b netflow_ipfix_packets "$(counter b netflow_datagrams)"
expect_counter b netflow_malformed_packets 0

python3 - "$T/recs.expected.jsonl" "$T/b.jsonl" <<'PY' || fail "netflow:// records differ"
import json, sys
keys = ["srcIp", "dstIp", "srcIpv6", "dstIpv6", "ipProtocolVersion", "sourcePort", "destinationPort",
        "protocol", "length", "numberOfPackets", "srcAsn", "dstAsn", "inputInterface", "outputInterface",
        "ttl", "flags"]
def norm(path, v4_zero_in_v6):
    out = []
    for l in open(path):
        r = json.loads(l)
        d = {k: r[k] for k in keys}
        if r["ipProtocolVersion"] == 6 and v4_zero_in_v6:
            d["srcIp"] = d["dstIp"] = None  # an IPv6 flow carries no IPv4 addresses
        out.append(json.dumps(d, sort_keys=True))
    return sorted(out)
exp = norm(sys.argv[1], True)
got = norm(sys.argv[2], True)
if exp != got:
    for e, g in zip(exp, got):
        if e != g:
            print("expected", e); print("got     ", g); break
    sys.exit(1)
print("%d records through ipfix:// -> netflow:// exact in %d fields" % (len(got), len(keys)))
PY

kill -TERM $NFCAPD
for _ in $(seq 100); do kill -0 $NFCAPD 2>/dev/null || break; sleep 0.1; done
file=$(find "$T/cap" -type f -name 'nfcapd.[0-9]*' | head -n1)
[ -n "$file" ] || fail "nfcapd wrote no file"
nfdump -r "$file" -q -N -6 -o 'fmt:%pr|%sa|%sp|%da|%dp|%pkt|%byt' | sed 's/ *| */ /g; s/^ *//; s/ *$//' |
  awk '$1 == 1 || $1 == 58 { $5 = "icmp" } { print }' | sort >"$T/nfdump.txt"
python3 - "$T/recs.expected.jsonl" <<'PY' | sort >"$T/want.txt"
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    v6 = r["ipProtocolVersion"] == 6
    sp, dp = r["sourcePort"], r["destinationPort"]
    if r["protocol"] in (1, 58):  # nfdump shows ICMP type.code instead of ports
        sp, dp = 0, "icmp"
    print(r["protocol"], r["srcIpv6"] if v6 else r["srcIp"], sp, r["dstIpv6"] if v6 else r["dstIp"], dp,
          r["numberOfPackets"], r["length"])
PY
diff "$T/want.txt" "$T/nfdump.txt" >"$T/nfdump.diff" || { head -3 "$T/nfdump.txt"; grep -m3 "^>" "$T/nfdump.diff"; fail "nfdump decoded something else"; }
echo "ok: nfdump shows the $N records exactly (protocol, addresses, ports, packets, bytes)"
stop_relay a
stop_relay b
echo "netflow_bridge: 2 passed, 0 failed"
