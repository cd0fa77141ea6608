#!/bin/bash
# Outside parties decode IpfixEncoder's output: nfcapd receives it over UDP on
# loopback and nfdump prints it; tshark reads the same messages from a pcap.
# Both must show exactly the addresses, ports, protocol, packets and bytes of
# the known records.  Usage: outside_test.sh PATH/TO/nf_netflow_outside_emit
set -u
emit=${1:?usage: outside_test.sh nf_netflow_outside_emit}
for tool in nfcapd nfdump tshark; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done

work=$(mktemp -d /tmp/nf_netflow_outside.XXXXXX)
nfcapd_pid=
cleanup() {
    [ -n "$nfcapd_pid" ] && kill "$nfcapd_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

# Waits up to $2 tenths of a second for command $1 to succeed.
wait_for() {
    local i
    for ((i = 0; i < $2; i++)); do eval "$1" && return 0; sleep 0.1; done
    return 1
}

"$emit" expect | sort > "$work/expected" || fail "emit expect"
[ "$(wc -l < "$work/expected")" -gt 0 ] || fail "no expected records"

# --- nfcapd / nfdump ------------------------------------------------------
mkdir "$work/cap"
bound=
for attempt in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 40000))
    nfcapd -b 127.0.0.1 -p "$port" -w "$work/cap" -t 3600 > "$work/nfcapd.log" 2>&1 &
    nfcapd_pid=$!
    if wait_for "grep -q 'Startup nfcapd' '$work/nfcapd.log'" 50; then bound=1; break; fi
    kill "$nfcapd_pid" 2>/dev/null; wait "$nfcapd_pid" 2>/dev/null; nfcapd_pid=
done
[ -n "$bound" ] || { cat "$work/nfcapd.log"; fail "nfcapd did not start"; }

"$emit" send "$port" || fail "emit send"
# nfcapd counts what it received in its log at shutdown; give the socket a moment.
sleep 0.5
kill -TERM "$nfcapd_pid"
wait_for "! kill -0 $nfcapd_pid 2>/dev/null" 100 || fail "nfcapd did not exit"
wait "$nfcapd_pid" 2>/dev/null
nfcapd_pid=
file=$(find "$work/cap" -type f -name 'nfcapd.[0-9]*' | head -n1)
[ -n "$file" ] || { cat "$work/nfcapd.log"; fail "nfcapd wrote no file"; }
nfdump -r "$file" -q -N -o 'fmt:%pr|%sa|%sp|%da|%dp|%pkt|%byt' \
    | sed 's/ *| */ /g; s/^ *//; s/ *$//' | sort > "$work/nfdump"
if ! diff -u "$work/expected" "$work/nfdump"; then
    cat "$work/nfcapd.log"
    fail "nfdump decoded something else"
fi
echo "nfdump: $(wc -l < "$work/nfdump") records exact"

# --- tshark ---------------------------------------------------------------
"$emit" pcap "$work/ipfix.pcap" || fail "emit pcap"
timeout 20 tshark -r "$work/ipfix.pcap" -V 2>/dev/null | awk '
    /^ +SrcAddr: /  { src = $2 }
    /^ +DstAddr: /  { dst = $2 }
    /^ +SrcPort: /  { sp = $2 }
    /^ +DstPort: /  { dp = $2 }
    /^ +Protocol: .*\([0-9]+\)$/ { p = $NF; gsub(/[()]/, "", p) }
    /^ +Octets: /   { oct = $2 }
    /^ +Packets: /  { print p, src, sp, dst, dp, $2, oct }' | sort > "$work/tshark"
diff -u "$work/expected" "$work/tshark" || fail "tshark decoded something else"
echo "tshark: $(wc -l < "$work/tshark") records exact"
echo PASS
