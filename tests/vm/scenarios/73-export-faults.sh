#!/bin/bash
# Reliability (issue 7): export faults, each counted on its socket, every flow either
# sent or counted as lost (exactly), and metering never stalls (every packet of the
# traffic sent meanwhile is accounted):
#   A. collector down: ICMP port unreachable comes back (cberr on the socket); while the
#      only destination refuses, the flows of the PDUs sent to it are counted lost (UDP
#      cannot tell which PDUs a closed port swallowed: those sent within 2 s of an ICMP
#      error are, and a PDU whose error comes back only after the send counts as sent);
#   B. socket buffer full: a slow link (tbf 256 kbit) and sndbuf 4096: EAGAIN is counted
#      (sndbuf reached), those flows are lost, and the collector receives exactly the rest;
#   C. no route to the destination: connect fails, every flow is counted lost.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netflow.sh"

ulimit -n 8192 # send_flows.py holds one socket per flow
nf_topo
nf_ns_add coll
nf_link - vec0 "10.9.0.1/24" coll vec0 "10.9.0.2/24"
nf_load destination=10.9.0.2:2055 inactive_timeout=600 active_timeout=600
nf_ns nfdst iptables -I INPUT -s 10.0.0.1 -p udp -j NETFLOW

sock0() { # FIELD: 4 err_connect, 5 err_sndbuf, 6 err_cberr, 7 err_other (ipt_netflow_snmp sockN line)
	awk -v f="$1" '$1 == "sock0" { print $f }' /proc/net/stat/ipt_netflow_snmp
}
out() { nf_snmp outFlows; }
lost() { nf_snmp lostFlows; }
round() { # FIRST_SPORT NFLOWS ROUNDS: traffic in ROUNDS bursts, a flush after each; checks
	# that every packet was metered
	local first=$1 n=$2 rounds=$3 r p0 per=$(($2 / $3))
	p0=$(nf_snmp inPackets)
	for r in $(seq 0 $((rounds - 1))); do
		nf_ns nfsrc python3 "$NF_TOOLS/send_flows.py" 10.0.0.2 7000 $((first + r * per)) $per 2 20 >/dev/null
		sysctl -q -w net.netflow.flush=1
		sleep 0.3
	done
	assert_eq "$(( $(nf_snmp inPackets) - p0 ))" $((n * 2)) "metered every packet meanwhile (no stall)"
}

# --- A. collector down -----------------------------------------------------------------------
o0=$(out) l0=$(lost) c0=$(sock0 6)
round 20000 300 10
lostA=$(( $(lost) - l0 )) cberrA=$(( $(sock0 6) - c0 ))
assert_eq "$(( $(out) - o0 + lostA ))" 300 "A: every flow sent or counted lost"
assert_ge "$cberrA" 1 "A: ICMP port unreachable counted on sock0 (cberr)"
assert_ge "$lostA" 1 "A: flows of the failed sends counted lost"

# --- B. socket buffer full: each PDU that does not fit is lost and counted ------------------
sleep 3 # A's ICMP errors age out (2 s): the collector is up now
mkdir -p /tmp/nfcap-b
nf_bg coll /tmp/nfcapd-b.log nfcapd -w /tmp/nfcap-b -b 10.9.0.2 -p 2055 -t 3600 -B 8388608
nfcapd_b=$NF_BG_PID
nf_wait_udp coll 2055 30 || nf_die "nfcapd in coll: $(cat /tmp/nfcapd-b.log)"
modprobe sch_tbf 2>/dev/null || true
tc qdisc add dev vec0 root tbf rate 256kbit burst 4kb limit 4mb
assert_ok sysctl -q -w net.netflow.sndbuf=4096
o0=$(out) l0=$(lost) s0=$(sock0 5)
round 22000 3000 2
sleep 3 # the tbf queue drains (sndbuf bounds it to a few PDUs)
kill -TERM "$nfcapd_b"
nf_wait_for 20 sh -c "! kill -0 $nfcapd_b 2>/dev/null" || nf_fail "nfcapd b did not stop"
outB=$(( $(out) - o0 )) lostB=$(( $(lost) - l0 )) sndbufB=$(( $(sock0 5) - s0 ))
gotB=$(nfdump -R /tmp/nfcap-b -q -N -o 'fmt:%sp' 2>/dev/null | awk '$1 >= 22000 && $1 < 25000' | wc -l)
assert_eq "$((outB + lostB))" 3000 "B: every flow sent or counted lost"
assert_ge "$sndbufB" 1 "B: full socket buffer counted on sock0 (sndbuf reached)"
assert_ge "$lostB" 1 "B: flows that did not fit counted lost"
assert_eq "$gotB" "$outB" "B: the collector received exactly the flows counted as sent"
tc qdisc del dev vec0 root
assert_ok sysctl -q -w net.netflow.sndbuf=0

# --- C. no route to the destination --------------------------------------------------------------
assert_ok sysctl -q -w net.netflow.destination=10.123.0.1:2055
o0=$(out) l0=$(lost)
round 26000 200 4
lostC=$(( $(lost) - l0 ))
assert_eq "$(( $(out) - o0 ))" 0 "C: nothing sent without a route"
assert_eq "$lostC" 200 "C: every flow counted lost"
stat=$(nf_stat)
echo "$stat" | grep '^sock'
assert_match "$stat" '^sock0: 10\.123\.0\.1:2055 unconnected \([0-9]+ attempts\)' "C: the socket shows it cannot connect"
echo "figure: 73-export-faults: A collector down: $cberrA ICMP errors (cberr), $lostA/300 flows lost and counted; B sndbuf full: $sndbufB EAGAIN counted, $lostB/3000 flows lost and counted, collector got exactly the other $gotB; C no route: $lostC/200 flows lost and counted; metering never stalled"
