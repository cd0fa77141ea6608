#!/bin/bash
# The optional flow fields in NetFlow v9 and IPFIX, with the module built with all of them
# (make kmod-full): MAC addresses, VLAN tags (outer and QinQ customer) and ethernet type,
# flowDirection by hook, IPv4 options, TCP options, IPv6 flow label and extension headers,
# bridge ports (physdev).  tshark names every field and shows the values sent; nfdump
# decodes the same flows with exact packets, bytes, addresses, ports, MACs and VLANs.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netflow.sh"

TSH() { python3 "$NF_TOOLS/tshark_v9.py" "$@"; }

# ---- topology: nfsrc <-> nfdst, with VLAN 100 and QinQ 100/200 on the same link;
# nfa <-> bridge in nfbr <-> nfb for the bridge ports
nf_topo
for ns in nfsrc nfdst; do
	nf_ip $ns link add link veth0 name v100 type vlan id 100 || nf_die "no VLAN device"
	nf_ip $ns link add link v100 name v200 type vlan id 200 || nf_die "no QinQ device"
	nf_ip $ns link set v100 up
	nf_ip $ns link set v200 up
done
nf_addr nfsrc v100 10.1.0.1/24
nf_addr nfdst v100 10.1.0.2/24
nf_addr nfsrc v200 10.2.0.1/24
nf_addr nfdst v200 10.2.0.2/24
mac_src=$(nf_ns nfsrc cat /sys/class/net/veth0/address)
mac_dst=$(nf_ns nfdst cat /sys/class/net/veth0/address)

modprobe br_netfilter || nf_die "no br_netfilter"
nf_ns_add nfa nfbr nfb
nf_link nfa eth0 "10.9.0.1/24" nfbr pa ""
nf_link nfbr pb "" nfb eth0 "10.9.0.2/24"
nf_ip nfbr link add br0 type bridge
nf_ip nfbr link set pa master br0
nf_ip nfbr link set pb master br0
nf_ip nfbr link set br0 up
nf_sysctl nfbr net.bridge.bridge-nf-call-iptables=1
mac_a=$(nf_ns nfa cat /sys/class/net/eth0/address)
mac_b=$(nf_ns nfb cat /sys/class/net/eth0/address)
if_pa=$(nf_ns nfbr cat /sys/class/net/pa/ifindex)
if_pb=$(nf_ns nfbr cat /sys/class/net/pb/ifindex)

nf_load_full protocol=9 destination=127.0.0.1:2055 inactive_timeout=600 active_timeout=600
assert_match "$(nf_stat)" '^ipt_NETFLOW.* mac vlan dir physdev' "features line lists the compiled-in fields"
nf_collector_start c 2055
nf_cap_start /tmp/fields.pcap 2055

nf_ns nfdst iptables -I INPUT -j NETFLOW
nf_ns nfdst iptables -I OUTPUT -p tcp -j NETFLOW
nf_ns nfdst ip6tables -I INPUT -p udp -j NETFLOW
nf_ns nfbr iptables -I FORWARD -j NETFLOW
nf_bg nfdst /tmp/tcp-server.log python3 "$NF_TOOLS/tcp_session.py" server 6004
nf_wait_tcp nfdst 6004 20 || nf_die "TCP server did not start"

traffic() { # BASE PINGSIZE   one round of every kind of flow; ports BASE+1...
	local b=$1
	nf_udp nfsrc 10.0.0.2 $((b + 1)) 3 100 $((40000 + b + 1))   # plain: MACs, ingress
	nf_udp nfsrc 10.1.0.2 $((b + 2)) 2 100 $((40000 + b + 2))   # VLAN 100
	nf_udp nfsrc 10.2.0.2 $((b + 3)) 4 50 $((40000 + b + 3))    # VLAN 100, customer 200
	nf_ns nfsrc ping -R -c 2 -s "$2" -i 0.2 -W 2 10.0.0.2 >/dev/null # NOP + record route
	nf_ns nfsrc python3 "$NF_TOOLS/send_fields.py" veth0 "$mac_dst" v4-opts 2 $((b + 5)) >/dev/null
	nf_ns nfsrc python3 "$NF_TOOLS/tcp_session.py" client 10.0.0.2 6004 $((40000 + b + 4)) 3000 fin >/dev/null
	nf_ns nfsrc python3 "$NF_TOOLS/send_fields.py" veth0 "$mac_dst" v6-label-ext 3 $((b + 6)) >/dev/null
	nf_udp nfa 10.9.0.2 $((b + 7)) 3 60 $((40000 + b + 7))      # bridged: physdev
	sleep 1
	assert_ok sysctl -q -w net.netflow.flush=1
}

traffic 6000 56
assert_ok sysctl -q -w net.netflow.protocol=10
traffic 6100 100
sleep 1
nf_collector_stop c
nf_cap_stop
tmpl=$(nf_stat | sed -n 's/.*(templates \([0-9]*\), active \([0-9]*\)).*/\1 \2/p')
echo "templates, active: $tmpl"

# ---- tshark: every field named, nothing malformed
tshark -n -r /tmp/fields.pcap -d udp.port==2055,cflow -T pdml > /tmp/fields.pdml 2>/dev/null
# (flowDirection 255, "undefined", is what the classic module sends for FORWARD: a named
# element whose value Wireshark has no name for.)
bad=$(nf_pdml_complaints /tmp/fields.pdml | grep -v 'name="cflow.direction" showname="Direction: Unknown (255)"' || true)
[ -z "$bad" ] || echo "$bad" | head -20
assert_eq "$bad" "" "tshark: no unknown fields, malformed packets or warnings"
grep -o 'Type: [^"]*([0-9]*)' /tmp/fields.pdml | sort -u | sed 's/^/  template field /'
# source/destination MAC, VLAN id, priority, customer VLAN id, priority, vlanId, ethernet
# type, direction, IPv4 options, TCP options, flow label, extension headers, bridge ports
for ie in 56 80 243 244 245 246 58 256 61 208 209 31 64 252 253; do
	assert_ge "$(grep -c "Type: [^\"]* ($ie)\"" /tmp/fields.pdml || true)" 1 "a template announces element $ie"
done

F="cflow.protocol cflow.srcport cflow.dstport cflow.packets cflow.octets cflow.srcmac cflow.dstmac
cflow.dot1q_vlan_id cflow.dot1q_priority cflow.dot1q_customer_vlan_id cflow.ethernet_type
cflow.direction cflow.option_map cflow.tcp_option_map cflow.ipv6flowlabel cflow.ipv6_exthdr
cflow.ingress_physical_interface cflow.egress_physical_interface cflow.icmp_type_code_ipv4"
# shellcheck disable=SC2086 # the field list is split on purpose
recs=$(TSH /tmp/fields.pdml 2055 $F)
echo "$recs" | sed 's/^/  /'
rec() { # DSTPORT [SRCPORT]   the record(s) of that flow: "field=value ..." lines
	echo "$recs" | awk -v d="$1" -v s="${2:-}" -v f="$F" '
		BEGIN { n = split(f, names, /[ \n]+/) }
		$3 == d && (s == "" || $2 == s) {
			line = ""
			for (i = 1; i <= n; i++) if ($i != "None") line = line " " names[i] "=" $i
			print substr(line, 2)
		}'
}
want() { # DSTPORT PATTERN... MESSAGE   the flow's record has every PATTERN
	local d=$1 r
	shift
	r=$(rec "$d")
	assert_ne "$r" "" "record of the flow to port $d"
	while [ $# -gt 1 ]; do
		assert_match "$r" "$1" "port $d: ${*: -1}: $1"
		shift
	done
}
lacks() { # DSTPORT FIELD MESSAGE
	assert_no_match "$(rec "$1")" "$2=" "port $1: $3"
}

for b in 6000 6100; do
	want $((b + 1)) "cflow.packets=3 " "cflow.octets=384 " "cflow.srcmac=$mac_src" \
		"cflow.dstmac=$mac_dst" "cflow.ethernet_type=0x0800|cflow.ethernet_type=2048" \
		"cflow.direction=0" "plain UDP: MACs, IPv4 ethernet type, ingress"
	lacks $((b + 1)) cflow.dot1q_vlan_id "no VLAN on the untagged flow"
	lacks $((b + 1)) cflow.option_map "no IPv4 options"
	want $((b + 2)) "cflow.packets=2 " "cflow.dot1q_vlan_id=100 " "cflow.srcmac=$mac_src" \
		"VLAN 100"
	lacks $((b + 2)) cflow.dot1q_customer_vlan_id "single tag: no customer VLAN"
	want $((b + 3)) "cflow.packets=4 " "cflow.dot1q_vlan_id=100 " \
		"cflow.dot1q_customer_vlan_id=200 " "QinQ: outer 100, customer 200"
	want $((b + 5)) "cflow.packets=2 " "cflow.option_map=00:10:00:c0" \
		"crafted IPv4 options: NOP, router alert, EOL"
	want $((b + 6)) "cflow.packets=3 " "cflow.ipv6flowlabel=(703710|0x000abcde)" \
		"cflow.ipv6_exthdr=(3|0x00000003)( |$)" "IPv6: flow label, hop-by-hop + destination options"
	want $((b + 7)) "cflow.packets=3 " "cflow.ingress_physical_interface=$if_pa " \
		"cflow.egress_physical_interface=$if_pb( |$)" "cflow.srcmac=$mac_a" "cflow.dstmac=$mac_b" \
		"bridged: physdev ports and the end hosts' MACs"
	want $((b + 7)) "cflow.direction=255" "forwarded: direction undefined (255)"
	# TCP: SYN options MSS, SACK permitted, timestamps, NOP, window scale (kinds 2 4 8 1 3)
	want 6004 "cflow.tcp_option_map=00:00:00:00:00:00:01:1e" "cflow.direction=0" \
		"TCP client side: tcpOptions, ingress"
	out=$(rec $((40000 + b + 4)) 6004)
	assert_match "$out" "cflow.tcp_option_map=00:00:00:00:00:00:01:1e" "TCP server side: tcpOptions"
	assert_match "$out" "cflow.direction=1" "TCP server side: egress (OUTPUT)"
	assert_no_match "$out" "cflow.srcmac=" "output: no MAC header"
done
icmp=$(echo "$recs" | awk '$1 == 1')
assert_eq "$(echo "$icmp" | grep -c '^1 None None 2 ' || true)" 2 "ping -R: two ICMP flows of 2 packets"
assert_eq "$(echo "$icmp" | grep -c '00:00:00:41' || true)" 2 "ping -R: record route and NOP in ipv4Options"

# ---- nfdump: the same flows, exact
got=$(nfdump -R /tmp/nfcap-c -q -N -o 'fmt:%pr %sa %sp %da %dp %pkt %byt %ismc %idmc %svln %dvln' 2>/dev/null |
	awk '$5 >= 6001 && $5 <= 6107 && $5 != 6004 { print $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 }' | sort)
echo "$got" | sed 's/^/  /'
for b in 6000 6100; do
	assert_match "$got" "^17 10.0.0.1 $((40000 + b + 1)) 10.0.0.2 $((b + 1)) 3 384 $mac_src $mac_dst 0 0$" "nfdump: plain UDP with MACs"
	assert_match "$got" "^17 10.1.0.1 $((40000 + b + 2)) 10.1.0.2 $((b + 2)) 2 256 $mac_src $mac_dst 100 0$" "nfdump: VLAN 100"
	assert_match "$got" "^17 10.2.0.1 $((40000 + b + 3)) 10.2.0.2 $((b + 3)) 4 312 $mac_src $mac_dst 100 0$" "nfdump: QinQ flow (outer VLAN)"
	assert_match "$got" "^17 10.0.0.1 40021 10.0.0.2 $((b + 5)) 2 104 " "nfdump: flow with IPv4 options"
	assert_match "$got" "^17 fd00::1 40020 fd00::2 $((b + 6)) 3 240 " "nfdump: IPv6 flow with extension headers"
	assert_match "$got" "^17 10.9.0.1 $((40000 + b + 7)) 10.9.0.2 $((b + 7)) 3 264 $mac_a $mac_b 0 0$" "nfdump: bridged flow"
done
nf_dmesg_clean
