#!/bin/bash
# Destinations: two collectors in mirror mode both receive every flow; in balance mode
# each receives a share and together exactly all; when one is down (ICMP port
# unreachable) the other receives everything, with the errors counted on its socket;
# changing destination at run time loses no flow.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netflow.sh"

nf_topo
nf_load destination=127.0.0.1:2055,127.0.0.1:2056 inactive_timeout=60
nf_ns nfdst iptables -I INPUT -j NETFLOW

flows_in() { # COLLECTOR FIRST_SPORT N -> how many records with sport in [FIRST, FIRST+N)
	nf_collector_flows "$1" | awk -v a="$2" -v n="$3" '$3 >= a && $3 < a + n' | wc -l
}
send_round() { # FIRST_SPORT N
	nf_ns nfsrc python3 "$NF_TOOLS/send_flows.py" 10.0.0.2 7000 "$1" "$2" 1 20 >/dev/null
	sysctl -q -w net.netflow.flush=1
}

# --- mirror ----------------------------------------------------------------------------
nf_collector_start m1 2055
nf_collector_start m2 2056
send_round 20000 90
sleep 1
nf_collector_stop m1
nf_collector_stop m2
assert_eq "$(flows_in m1 20000 90)" 90 "mirror: collector 1 got every flow"
assert_eq "$(flows_in m2 20000 90)" 90 "mirror: collector 2 got every flow"

# --- balance ---------------------------------------------------------------------------
assert_ok sysctl -q -w net.netflow.destination_mode=balance
nf_collector_start b1 2055
nf_collector_start b2 2056
for r in 0 1 2 3 4 5; do send_round $((21000 + r * 60)) 60; done
sleep 1
nf_collector_stop b1
nf_collector_stop b2
n1=$(flows_in b1 21000 360)
n2=$(flows_in b2 21000 360)
echo "balance: collector 1 got $n1 flows, collector 2 got $n2"
assert_ge "$n1" 60 "balance: collector 1 share"
assert_ge "$n2" 60 "balance: collector 2 share"
assert_eq "$((n1 + n2))" 360 "balance: every flow exactly once over both"

# --- balance with collector 2 down -------------------------------------------------------
nf_collector_start f1 2055
for r in 0 1 2 3 4 5 6 7; do send_round $((23000 + r * 60)) 60; sleep 0.3; done
sleep 1
nf_collector_stop f1
assert_eq "$(flows_in f1 23000 480)" 480 "balance, collector 2 down: collector 1 got everything"
stat=$(nf_stat)
echo "$stat" | grep '^sock'
cberr=$(echo "$stat" | sed -n 's/^sock1: .*cberr \([0-9]*\),.*/\1/p')
assert_ge "$cberr" 1 "ICMP unreachable errors counted on sock1 (cberr)"
assert_match "$stat" 'Traffic lost 0 pkts, 0 Kbytes, 0 flows' "no traffic lost"

# --- destination changed at run time: nothing lost ------------------------------------------
assert_ok sysctl -q -w net.netflow.destination_mode=mirror
nf_collector_start d1 2057
nf_ns nfsrc python3 "$NF_TOOLS/send_flows.py" 10.0.0.2 7000 25000 40 1 20 >/dev/null
assert_ok sysctl -q -w net.netflow.destination=127.0.0.1:2057
nf_ns nfsrc python3 "$NF_TOOLS/send_flows.py" 10.0.0.2 7000 25040 40 1 20 >/dev/null
assert_ok sysctl -q -w net.netflow.flush=1
sleep 1
nf_collector_stop d1
assert_eq "$(flows_in d1 25000 80)" 80 "flows pending at the destination change reach the new one"
