#!/bin/bash
# VRF (issue 20): a router namespace with two VRF devices, red (table 10) and blue (table
# 20), each joining two hosts, the same addresses in both (10.1.0.0/24 -> 10.2.0.0/24),
# metered in FORWARD: the flows of the two VRFs have the same addresses and ports and are
# told apart by ingressVRFID/egressVRFID (234/235), exact in tshark and nfdump, in IPFIX
# and NetFlow v9; a pair of ports outside any VRF has no VRF block, and after it is
# enslaved to a third VRF (green, table 30: the netdevice notifier) its next flow says 30.
# The interface options list names the VRF devices. Export through a VRF: a second
# destination `10.99.0.2:2056%vrf-mgmt` reaches a collector only that VRF routes to.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netflow.sh"

modprobe vrf 2>/dev/null || true
nf_ns_add nsr ha hb hc hd he hf coll
r() { nf_ns nsr "$@"; }
r ip link add red type vrf table 10
r ip link add blue type vrf table 20
r ip link set red up
r ip link set blue up
for p in "ra ha 10.1.0 red" "rb hb 10.2.0 red" "rc hc 10.1.0 blue" "rd hd 10.2.0 blue" \
	"re he 10.5.0 -" "rf hf 10.6.0 -"; do
	read -r rif host net vrf <<<"$p"
	nf_veth nsr "$rif" "$host" eth0
	[ "$vrf" = - ] || r ip link set "$rif" master "$vrf"
	nf_addr nsr "$rif" "$net.1/24"
	nf_addr "$host" eth0 "$net.2/24"
	nf_ns "$host" ip route add default via "$net.1"
done
nf_forwarding nsr
if_red=$(r cat /sys/class/net/red/ifindex)
if_blue=$(r cat /sys/class/net/blue/ifindex)

# export: a collector behind vrf-mgmt in this namespace (no route to it outside the VRF)
ip link add vrf-mgmt type vrf table 100
ip link set vrf-mgmt up
nf_veth - mg0 coll eth0
ip link set mg0 master vrf-mgmt
nf_addr - mg0 10.99.0.1/24
nf_addr coll eth0 10.99.0.2/24
assert_fail ip route get 10.99.0.2 "the collector is not reachable outside vrf-mgmt"
rm -rf /tmp/nfcap-m && mkdir -p /tmp/nfcap-m
nf_bg coll /tmp/nfcapd-m.log nfcapd -w /tmp/nfcap-m -b 10.99.0.2 -p 2056 -t 3600
mpid=$NF_BG_PID
nf_wait_udp coll 2056 30 || nf_die "nfcapd in coll does not listen: $(cat /tmp/nfcapd-m.log)"

nf_load protocol=10 destination=127.0.0.1:2055,10.99.0.2:2056%vrf-mgmt
nf_collector_start c 2055
nf_cap_start /tmp/vrf.pcap 2055
r iptables -A FORWARD -j NETFLOW

round() { # BASE: red 3 packets, blue 5, outside any VRF 2; same source port in red and blue
	nf_udp ha 10.2.0.2 $(($1 + 1)) 3 100 41000
	nf_udp hc 10.2.0.2 $(($1 + 1)) 5 100 41000
	nf_udp he 10.6.0.2 $(($1 + 2)) 2 100 41002
	sleep 1
	assert_ok sysctl -q -w net.netflow.flush=1
}
round 6000
# green: re and rf enslaved to a VRF after the module saw them
r ip link add green type vrf table 30
r ip link set green up
r ip link set re master green
r ip link set rf master green
# (the addresses stay; their connected routes move to table 30)
assert_ok sysctl -q -w net.netflow.protocol=9
round 6100
sleep 1
nf_collector_stop c
nf_cap_stop
kill -TERM "$mpid"
wait "$mpid" 2>/dev/null || true
if_green=$(r cat /sys/class/net/green/ifindex)

# tshark: every record's VRF ids (IPFIX on 6000, v9 on 6100)
tshark -n -r /tmp/vrf.pcap -d udp.port==2055,cflow -T pdml >/tmp/vrf.pdml 2>/dev/null
bad=$(nf_pdml_complaints /tmp/vrf.pdml)
assert_eq "$bad" "" "tshark: every field named, nothing malformed"
recs=$(python3 "$NF_TOOLS/tshark_v9.py" /tmp/vrf.pdml 2055 cflow.srcport cflow.dstport cflow.packets \
	cflow.ingress_vrfid cflow.egress_vrfid cflow.inputint | sort)
echo "records (sport dport packets ingressVRF egressVRF iif):"
echo "$recs" | sed 's/^/  /'
for b in 6000 6100; do
	assert_match "$recs" "^41000 $((b + 1)) 3 10 10 " "red: 3 packets, VRF 10 in and out ($b)"
	assert_match "$recs" "^41000 $((b + 1)) 5 20 20 " "blue: the same addresses and ports, 5 packets, VRF 20 ($b)"
done
assert_match "$recs" "^41002 6002 2 None None " "outside any VRF: no VRF block"
assert_match "$recs" "^41002 6102 2 30 30 " "enslaved to green after first sight: VRF 30"

# nfdump: the same, by VRF
got=$(nfdump -R /tmp/nfcap-c -q -N -o 'fmt:%sp %dp %pkt %ivrf %evrf' 2>/dev/null | awk '{$1=$1; print}' | sort)
echo "nfdump: $got" | tr '\n' ';'
echo
for b in 6000 6100; do
	assert_match "$got" "^41000 $((b + 1)) 3 10 10$" "nfdump: red ($b)"
	assert_match "$got" "^41000 $((b + 1)) 5 20 20$" "nfdump: blue ($b)"
done

# the interface options list names the VRF devices
names=$(grep -o 'cflow.if_name" showname="[^"]*"' /tmp/vrf.pdml | sed 's/.*: //; s/"$//' | sort -u | tr '\n' ' ')
echo "interface names: $names"
for v in red blue green; do
	assert_match " $names" " $v " "interface list names the VRF device $v"
done
: "$if_red $if_blue $if_green"

# export through vrf-mgmt: that collector got the same flows
mflows=$(nfdump -R /tmp/nfcap-m -q -N -o 'fmt:%sp %dp %pkt' 2>/dev/null | awk '{$1=$1; print}' | grep -c '^4100[02] ' || true)
assert_eq "$mflows" 6 "the collector behind vrf-mgmt received every flow (6)"
nf_dmesg_clean
