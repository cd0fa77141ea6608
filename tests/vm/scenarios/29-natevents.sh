#!/bin/bash
# NAT events (natevents=1, the module built with them: make kmod-full): nfsrc reaches nfsrv
# through the router nfdst, which SNATs UDP and DNATs TCP.  Each connection gives a start
# and a stop event with the right addresses and ports before and after translation:
# as NEL records in IPFIX and NetFlow v9 (tshark), and as the classic module's v5
# pseudo-records (pre-NAT source, post-NAT destination, nexthop/AS fields with the
# translated address, SYN+ACK for start, RST+FIN for stop, no packets or bytes).
# No iptables NETFLOW rule is needed.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netflow.sh"

nf_topo
nf_ns_add nfsrv
nf_link nfdst veth1 "10.5.0.1/24" nfsrv veth0 "10.5.0.2/24"
nf_ns nfsrc ip route add 10.5.0.0/24 via 10.0.0.2
nf_ns nfsrv ip route add default via 10.5.0.1
nf_forwarding nfdst
modprobe nf_nat
nf_sysctl nfdst net.netfilter.nf_conntrack_events=1 \
	net.netfilter.nf_conntrack_udp_timeout=2 net.netfilter.nf_conntrack_tcp_timeout_time_wait=1 \
	net.netfilter.nf_conntrack_tcp_timeout_close=1 net.netfilter.nf_conntrack_tcp_timeout_fin_wait=2 \
	net.netfilter.nf_conntrack_tcp_timeout_close_wait=2 net.netfilter.nf_conntrack_tcp_timeout_last_ack=2
# The NAT through the xtables SNAT/DNAT targets where the kernel has them, else through nft
# (PREEMPT_RT kernels from 6.17 on have no legacy tables and no xt_nat).
if modprobe -q xt_nat 2>/dev/null; then
	nf_ns nfdst iptables -t nat -A POSTROUTING -o veth1 -p udp -j SNAT --to-source 10.5.0.1:20000-20999
	nf_ns nfdst iptables -t nat -A PREROUTING -i veth0 -d 10.0.0.2 -p tcp --dport 8080 \
		-j DNAT --to-destination 10.5.0.2:80
else
	echo "no xt_nat in $(uname -r): NAT through nft"
	nf_ns nfdst nft -f - <<'NFT'
table ip nat {
	chain post { type nat hook postrouting priority srcnat; oifname "veth1" meta l4proto udp snat to 10.5.0.1:20000-20999; }
	chain pre { type nat hook prerouting priority dstnat; iifname "veth0" ip daddr 10.0.0.2 tcp dport 8080 dnat to 10.5.0.2:80; }
}
NFT
fi
nf_bg nfsrv /tmp/tcp-server.log python3 "$NF_TOOLS/tcp_session.py" server 80
nf_wait_tcp nfsrv 80 20 || nf_die "TCP server did not start"

nf_load_full protocol=10 destination=127.0.0.1:2055 natevents=1
assert_match "$(nf_stat)" '^Natevents enabled, count start 0, stop 0\.' "/proc: natevents on"
assert_eq "$(sysctl -n net.netflow.natevents)" 1 "sysctl natevents"
nf_collector_start c 2055
nf_cap_start /tmp/nat.pcap 2055

nat_stats() { nf_stat | sed -n 's/^Natevents enabled, count start \([0-9]*\), stop \([0-9]*\)\..*/\1 \2/p'; }
round() { # PROTOCOL N   one UDP (SNAT) and one TCP (DNAT) connection; wait for their ends
	local want
	assert_ok sysctl -q -w net.netflow.protocol="$1"
	read -r s0 e0 < <(nat_stats)
	nf_udp nfsrc 10.5.0.2 5000 3 20 $((41000 + $2))
	nf_ns nfsrc python3 "$NF_TOOLS/tcp_session.py" client 10.0.0.2 8080 $((42000 + $2)) 100 fin >/dev/null
	want="$((s0 + 2)) $((e0 + 2))"
	for _ in $(seq 1 120); do	# conntrack's short timeouts, then its gc
		[ "$(nat_stats)" = "$want" ] && break
		# Before 5.17 (5.10 of the matrix) conntrack's gc reaps expired entries
		# lazily, a slice of the table per run (minutes for an idle table);
		# reading the table evicts the expired ones, as `conntrack -L` does.
		nf_ns nfdst cat /proc/net/nf_conntrack >/dev/null 2>&1 || true
		sleep 0.5
	done
	assert_eq "$(nat_stats)" "$want" "protocol $1: 2 starts and 2 stops counted"
	assert_ok sysctl -q -w net.netflow.flush=1
}
round 10 1
round 9 2
round 5 3
sleep 1
nf_collector_stop c
nf_cap_stop
echo "figure: $(nf_stat | grep '^Natevents')"
# (events off: the namespaces without NAT, which keep conntrack's default)
assert_match "$(nf_stat)" 'Dropped 0; namespaces busy 0, events off [0-9]+\.' "no event lost, no namespace busy"

# v9 / IPFIX: NEL records
tshark -n -r /tmp/nat.pcap -d udp.port==2055,cflow -T pdml > /tmp/nat.pdml 2>/dev/null
bad=$(nf_pdml_complaints /tmp/nat.pdml)
assert_eq "$bad" "" "tshark: every NEL field named, nothing malformed"
nel=$(python3 "$NF_TOOLS/tshark_v9.py" /tmp/nat.pdml 2055 cflow.nat_event cflow.protocol \
	cflow.srcaddr cflow.srcport cflow.dstaddr cflow.dstport cflow.post_natsource_ipv4_address \
	cflow.post_naptsource_transport_port cflow.post_natdestination_ipv4_address \
	cflow.post_naptdestination_transport_port | sort)
echo "NEL records (event proto src sport dst dport post-src post-sport post-dst post-dport):"
echo "$nel" | sed 's/^/  /'
for n in 1 2; do
	for ev in 1 2; do
		# SNAT: the source becomes 10.5.0.1 with a port of the SNAT range
		assert_match "$nel" "^$ev 17 10\.0\.0\.1 $((41000 + n)) 10\.5\.0\.2 5000 10\.5\.0\.1 20[0-9]{3} 10\.5\.0\.2 5000$" "NEL UDP SNAT, event $ev, round $n"
		# DNAT: 10.0.0.2:8080 becomes 10.5.0.2:80, the source stays
		assert_match "$nel" "^$ev 6 10\.0\.0\.1 $((42000 + n)) 10\.0\.0\.2 8080 10\.0\.0\.1 $((42000 + n)) 10\.5\.0\.2 80$" "NEL TCP DNAT, event $ev, round $n"
	done
done
assert_eq "$(echo "$nel" | grep -c . || true)" 8 "NEL: 2 connections x start/stop x 2 protocols"
assert_match "$(grep -o 'Type: [^"]*(323)' /tmp/nat.pdml | head -1)" 'observationTimeMilliseconds|323' "NEL template carries the event time"

# nfdump (NEL support): the same events from the v9 and IPFIX rounds
nel_nfdump=$(nfdump -R /tmp/nfcap-c -q -N -o 'fmt:%nevt %pr %sa %sp %da %dp %xsa %xsp %xda %xdp' 2>/dev/null |
	awk '{ $1 = $1 } $4 ~ /^4[12]00[12]$/' | sort)
echo "nfdump NEL (event proto src sport dst dport xsrc xsport xdst xdport):"; echo "$nel_nfdump" | sed 's/^/  /'
for n in 1 2; do
	assert_eq "$(echo "$nel_nfdump" | grep -cE " 17 10\.0\.0\.1 $((41000 + n)) 10\.5\.0\.2 5000 10\.5\.0\.1 20[0-9]{3} 10\.5\.0\.2 5000$" || true)" 2 "nfdump: UDP SNAT start and stop, round $n"
	assert_eq "$(echo "$nel_nfdump" | grep -cE " 6 10\.0\.0\.1 $((42000 + n)) 10\.0\.0\.2 8080 10\.0\.0\.1 $((42000 + n)) 10\.5\.0\.2 80$" || true)" 2 "nfdump: TCP DNAT start and stop, round $n"
done

# v5 pseudo-records
v5=$(tshark -n -r /tmp/nat.pcap -d udp.port==2055,cflow -Y 'cflow.version == 5' -T fields \
	-e cflow.srcaddr -e cflow.srcport -e cflow.dstaddr -e cflow.dstport -e cflow.nexthop \
	-e cflow.srcas -e cflow.dstas -e cflow.tcpflags -e cflow.packets -e cflow.octets \
	-E occurrence=a -E aggregator=' ' 2>/dev/null | awk '{ n = NF / 10; for (i = 1; i <= n; i++) {
		line = ""; for (f = 0; f < 10; f++) line = line " " $(i + f * n); print substr(line, 2) } }' | sort)
echo "v5 pseudo-records (src sport dst dport nexthop srcas dstas flags pkts bytes):"
echo "$v5" | sed 's/^/  /'
assert_match "$v5" '^10\.0\.0\.1 41003 10\.5\.0\.2 5000 10\.5\.0\.1 20[0-9]{3} 0 0x0*12 0 0$' "v5 SNAT start: post-NAT source in nexthop/src AS, SYN+ACK"
assert_match "$v5" '^10\.0\.0\.1 41003 10\.5\.0\.2 5000 10\.5\.0\.1 20[0-9]{3} 0 0x0*05 0 0$' "v5 SNAT stop: RST+FIN"
assert_match "$v5" '^10\.0\.0\.1 42003 10\.5\.0\.2 80 10\.0\.0\.2 0 8080 0x0*12 0 0$' "v5 DNAT start: pre-NAT destination in nexthop/dst AS"
assert_match "$v5" '^10\.0\.0\.1 42003 10\.5\.0\.2 80 10\.0\.0\.2 0 8080 0x0*05 0 0$' "v5 DNAT stop"

# switched off at run time: no more events
assert_ok sysctl -q -w net.netflow.natevents=0
read -r s0 e0 < <(nf_stat | sed -n 's/^Natevents disabled, count start \([0-9]*\), stop \([0-9]*\)\..*/\1 \2/p')
nf_udp nfsrc 10.5.0.2 5000 1 20 41009
sleep 4
assert_match "$(nf_stat)" "^Natevents disabled, count start $s0, stop $e0\." "natevents=0: nothing more counted"
nf_dmesg_clean
