#!/bin/bash
# Flow ends: a TCP flow closed by FIN and one closed by RST are exported within about a
# second while inactive_timeout is 15 s; a long flow is exported at the active timeout
# and goes on being accounted; an idle flow is exported after the inactive timeout.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netflow.sh"

nf_topo
nf_load destination=127.0.0.1:2055 inactive_timeout=15 active_timeout=4
nf_ns nfdst iptables -I INPUT -j NETFLOW
nf_bg nfdst /tmp/tcp-server.log python3 "$NF_TOOLS/tcp_session.py" server 5003
nf_wait_tcp nfdst 5003 20 || nf_die "TCP server did not start"
nf_lo_datagrams
nf_bg - /tmp/live.txt tshark -l -n -i lo -f 'udp port 2055' -d udp.port==2055,cflow \
	-T fields -E occurrence=a -E aggregator=';' -e frame.time_epoch -e cflow.srcport -e cflow.packets
nf_wait_for "${NF_TSHARK_WAIT:-60}" grep -q 'Capturing on' /tmp/live.txt || nf_die "tshark did not start"
# the capture filter attaches a little after that message: probe until a datagram shows
for _ in $(seq 40); do
	echo probe | socat - UDP:127.0.0.1:2055 2>/dev/null || python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"probe", ("127.0.0.1", 2055))'
	grep -q '^[0-9]' /tmp/live.txt && break
	sleep 0.5
done
grep -q '^[0-9]' /tmp/live.txt || nf_die "tshark does not see datagrams on lo"

arrival() { # SPORT -> epoch of the first PDU that carries a record from SPORT
	awk -F'\t' -v p="$1" '{ n = split($2, a, ";"); for (i = 1; i <= n; i++) if (a[i] == p) { print $1; exit } }' /tmp/live.txt
}
wait_arrival() { nf_wait_for "$2" sh -c "grep -q . /tmp/live.txt && awk -F'\t' -v p=$1 '{ n = split(\$2, a, \";\"); for (i = 1; i <= n; i++) if (a[i] == p) f = 1 } END { exit !f }' /tmp/live.txt"; }

t_fin=$(nf_ns nfsrc python3 "$NF_TOOLS/tcp_session.py" client 10.0.0.2 5003 41001 3000 fin)
wait_arrival 41001 10 || nf_fail "FIN flow not exported within 10 s"
t_rst=$(nf_ns nfsrc python3 "$NF_TOOLS/tcp_session.py" client 10.0.0.2 5003 41002 3000 rst)
wait_arrival 41002 10 || nf_fail "RST flow not exported within 10 s"
d_fin=$(awk -v a="$(arrival 41001)" -v b="$t_fin" 'BEGIN { printf "%d", (a - b) * 1000 }')
d_rst=$(awk -v a="$(arrival 41002)" -v b="$t_rst" 'BEGIN { printf "%d", (a - b) * 1000 }')
echo "FIN flow exported ${d_fin} ms after close, RST flow ${d_rst} ms after"
assert_le "$d_fin" 2500 "FIN flow export delay (ms), inactive_timeout 15 s"
assert_le "$d_rst" 2500 "RST flow export delay (ms)"

# A long flow: 2 packets/s for 11 s with active_timeout 4 -> at least two records, and
# the packets of all records add up to what was sent.
sent=$(nf_ns nfsrc python3 - <<'EOT'
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("", 41003))
n = 0
end = time.time() + 11
while time.time() < end:
    s.sendto(b"a" * 10, ("10.0.0.2", 6000)); n += 1
    time.sleep(0.5)
print(n)
EOT
)
records=$(awk -F'\t' '{ n = split($2, a, ";"); split($3, b, ";"); for (i = 1; i <= n; i++) if (a[i] == 41003) print b[i] }' /tmp/live.txt)
assert_ge "$(echo "$records" | grep -c .)" 2 "records of the long flow before it ended (active timeout)"
assert_ok sysctl -q -w net.netflow.flush=1
sleep 1
total=$(awk -F'\t' '{ n = split($2, a, ";"); split($3, b, ";"); for (i = 1; i <= n; i++) if (a[i] == 41003) s += b[i] } END { print s + 0 }' /tmp/live.txt)
assert_eq "$total" "$sent" "packets of the long flow over all its records"

# Idle: with inactive_timeout 2 a single packet is exported after 2..7 s, not at once.
assert_ok sysctl -q -w net.netflow.inactive_timeout=2
nf_udp nfsrc 10.0.0.2 6001 1 10 41004
sleep 1
assert_eq "$(arrival 41004)" "" "idle flow not exported before its timeout"
wait_arrival 41004 8 && nf_pass "idle flow exported after inactive_timeout" || nf_fail "idle flow not exported within 8 s"
