#!/bin/bash
# NAT in flow records (issue 20, natflows=1): a router namespace r between a LAN client a
# (10.1.0.0/24, fd01::/64), a LAN server s (10.3.0.0/24) and the WAN b (203.0.113.0/24,
# 2001:db8:1::/64), with
#   snat  masquerade of a's TCP :7000 and UDP :7001 out of rb, IPv4 and IPv6
#   dnat  a port-forward: b -> 203.0.113.1 TCP :8080 / UDP :8081 -> s :80 / :81
#   both  b -> 203.0.113.1 TCP :9000 / UDP :9001 -> s :90 / :91, source NATed to 10.3.0.1
#   none  a -> b TCP :7100 / UDP :7101, IPv4 and IPv6, routed untranslated
# Each UDP exchange is one datagram and its answer: the request passes every hook before
# the SNAT binding exists, so its record gets the translation from the answer (by export
# time).  Three rounds, each metered at one place: raw PREROUTING (before conntrack:
# the module looks the connection up), FORWARD, mangle POSTROUTING (before SNAT), in
# IPFIX, v9, IPFIX.  Every record's postNAT addresses and ports, as nfdump (%xsa %xsp %xda
# %xdp) and tshark decode them, must be exactly what the router's conntrack table says the
# packets leave with; untranslated records carry none.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netflow.sh"

T=$NF_TOOLS/nat_traffic.py
nf_ns_add a s r b
nf_link a veth0 "10.1.0.1/24 fd01::1/64" r ra "10.1.0.254/24 fd01::fe/64"
nf_link s veth0 "10.3.0.10/24" r rs "10.3.0.1/24"
nf_link b veth0 "203.0.113.2/24 2001:db8:1::2/64" r rb "203.0.113.1/24 2001:db8:1::1/64"
nf_forwarding r
nf_ip a route add default via 10.1.0.254
nf_ip a -6 route add default via fd01::fe
nf_ip s route add default via 10.3.0.1
nf_ip b route add 10.1.0.0/24 via 203.0.113.1	# for the untranslated flows only
nf_ip b -6 route add fd01::/64 via 2001:db8:1::1
for ns in a s b; do
	nf_sysctl $ns net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
done

modprobe nf_conntrack
modprobe iptable_nat 2>/dev/null || true
modprobe ip6table_nat 2>/dev/null || true
R() { nf_ns r "$@"; }
for ipt in iptables ip6tables; do
	src=10.1.0.0/24
	[ $ipt = iptables ] || src=fd01::/64
	R $ipt -t nat -A POSTROUTING -o rb -s $src -p tcp --dport 7000 -j MASQUERADE
	R $ipt -t nat -A POSTROUTING -o rb -s $src -p udp --dport 7001 -j MASQUERADE
done
R iptables -t nat -A PREROUTING -i rb -d 203.0.113.1 -p tcp --dport 8080 -j DNAT --to-destination 10.3.0.10:80
R iptables -t nat -A PREROUTING -i rb -d 203.0.113.1 -p udp --dport 8081 -j DNAT --to-destination 10.3.0.10:81
R iptables -t nat -A PREROUTING -i rb -d 203.0.113.1 -p tcp --dport 9000 -j DNAT --to-destination 10.3.0.10:90
R iptables -t nat -A PREROUTING -i rb -d 203.0.113.1 -p udp --dport 9001 -j DNAT --to-destination 10.3.0.10:91
R iptables -t nat -A POSTROUTING -o rs -d 10.3.0.10 -p tcp --dport 90 -j SNAT --to-source 10.3.0.1
R iptables -t nat -A POSTROUTING -o rs -d 10.3.0.10 -p udp --dport 91 -j SNAT --to-source 10.3.0.1

nf_bg s /tmp/srv-s.log python3 "$T" serve 80 81 90 91
nf_bg b /tmp/srv-b.log python3 "$T" serve 7000 7001 7100 7101
nf_wait_tcp s 90 60 || nf_die "server in s: $(cat /tmp/srv-s.log)"
nf_wait_tcp b 7100 60 || nf_die "server in b: $(cat /tmp/srv-b.log)"

nf_load protocol=10 destination=127.0.0.1:2055 inactive_timeout=600 natflows=1
assert_eq "$(sysctl -n net.netflow.natflows)" 1 "natflows=1 from the module parameters"
nf_bad_sysctl natflows 2 'natflows: must be an integer 0\.\.1'
nf_collector_start c 2055

conn() { # NS ARGS...: one connection, then the router's conntrack table as it is now
	local ns=$1
	shift
	assert_ok nf_ns "$ns" python3 "$T" "$@"
	R cat /proc/net/nf_conntrack >>/tmp/ct.txt
}

traffic() { # BASE: every kind of connection once, client ports BASE+n
	local p=$1
	conn a tcp 203.0.113.2 7000 $((p + 1)) 3
	conn a udp 203.0.113.2 7001 $((p + 2))
	conn a tcp 2001:db8:1::2 7000 $((p + 3)) 3
	conn a udp 2001:db8:1::2 7001 $((p + 4))
	conn b tcp 203.0.113.1 8080 $((p + 5)) 3
	conn b udp 203.0.113.1 8081 $((p + 6))
	conn b tcp 203.0.113.1 9000 $((p + 7)) 3
	conn b udp 203.0.113.1 9001 $((p + 8))
	conn a tcp 203.0.113.2 7100 $((p + 9)) 3
	conn a udp 203.0.113.2 7101 $((p + 10))
	conn a tcp 2001:db8:1::2 7100 $((p + 11)) 3
	conn a udp 2001:db8:1::2 7101 $((p + 12))
}

round() { # NAME BASE PROTOCOL TABLE CHAIN
	echo "== round $1: -t $4 -A $5, protocol $3"
	# a capture per round: each protocol switch starts the templates anew
	nf_cap_start "/tmp/nat-$1.pcap" 2055
	assert_ok sysctl -q -w net.netflow.protocol="$3"
	R iptables -t "$4" -A "$5" -j NETFLOW
	R ip6tables -t "$4" -A "$5" -j NETFLOW
	traffic "$2"
	sleep 1
	assert_ok sysctl -q -w net.netflow.flush=1
	sleep 1
	R iptables -t "$4" -D "$5" -j NETFLOW
	R ip6tables -t "$4" -D "$5" -j NETFLOW
	nf_cap_stop
}

rm -f /tmp/ct.txt
round prerouting 41000 10 raw PREROUTING
round forward 42000 9 filter FORWARD
round postrouting 43000 10 mangle POSTROUTING

# A port used again with another translation: UDP a:44002 -> b:7001 masqueraded, the
# connection expires, the rule changes to SNAT to port 50000, the same port again: the new
# connection's record has the new translation (its views replace the old connection's).
echo "== reuse"
nf_sysctl r net.netfilter.nf_conntrack_udp_timeout=2 net.netfilter.nf_conntrack_udp_timeout_stream=2
R iptables -A FORWARD -j NETFLOW
conn a udp 203.0.113.2 7001 44002
sleep 4
assert_ok sysctl -q -w net.netflow.flush=1
R iptables -t nat -I POSTROUTING 1 -o rb -s 10.1.0.0/24 -p udp --dport 7001 -j SNAT --to-source 203.0.113.1:50000
conn a udp 203.0.113.2 7001 44002
sleep 1
assert_ok sysctl -q -w net.netflow.flush=1
R iptables -D FORWARD -j NETFLOW
sleep 1
nf_collector_stop c
echo "Natflows line: $(nf_stat | grep '^Natflows:')"
assert_match "$(nf_stat)" '^Natflows: on, views [1-9][0-9]* \(peak [1-9][0-9]*, not kept 0\)\. Records translated [1-9][0-9]*, untranslated [1-9]' \
	"the Natflows line of /proc"

check() { # WHAT FILE KINDS: every record right, and how many of each kind
	local out
	out=$(python3 "$NF_TOOLS/natflows_check.py" /tmp/ct.txt "$2" 2>&1) || true
	echo "$out" | sed 's/^/  /'
	assert_eq "$(grep -c '^BAD' <<<"$out" || true)" 0 "$1: every record's post-NAT fields as conntrack says"
	# per round: snat 4 connections, dnat 2, both 2, none 4; two records each
	assert_eq "$(grep '^OK' <<<"$out" | awk '{ print $2 }' | sort | uniq -c | awk '{ print $2 "=" $1 }' | tr '\n' ' ')" \
		"$3" "$1: records of each kind, three rounds"
}

# nfdump: the NSEL translation fields (225-228, 281/282).  nfdump 1.7.1 reads 281/282 in
# v9 only, not in IPFIX (tshark below reads both): the IPv6 records of the IPFIX rounds
# (41xxx, 43xxx) are left to tshark.
nfdump -R /tmp/nfcap-c -q -N -o 'fmt:%pr %sa %sp %da %dp %xsa %xsp %xda %xdp' 2>/dev/null |
	awk '($3 >= 41000 && $3 < 44000) || ($5 >= 41000 && $5 < 44000) { $1 = $1; print }' |
	awk '!($2 ~ /:/ && ($3 < 42000 || $3 >= 43000) && ($5 < 42000 || $5 >= 43000))' >/tmp/nat-nfdump.txt
check nfdump /tmp/nat-nfdump.txt "both=12 dnat=12 none=16 snat=16 "
reuse=$(nfdump -R /tmp/nfcap-c -q -N -O tstart -o 'fmt:%sa %sp %xsa %xsp' 2>/dev/null |
	awk '$1 == "10.1.0.1" && $2 == 44002 { print $3 ":" $4 }' | tr '\n' ' ')
assert_eq "$reuse" "203.0.113.1:44002 203.0.113.1:50000 " "reuse: each connection's record has its own translation"

# tshark: the same fields, by name, IPFIX and v9; nothing malformed or unknown
f4="cflow.srcaddr cflow.srcport cflow.dstaddr cflow.dstport cflow.post_natsource_ipv4_address
    cflow.post_naptsource_transport_port cflow.post_natdestination_ipv4_address
    cflow.post_naptdestination_transport_port"
f6="cflow.srcaddrv6 cflow.srcport cflow.dstaddrv6 cflow.dstport cflow.post_nat_source_ipv6_address
    cflow.post_naptsource_transport_port cflow.post_nat_destination_ipv6_address
    cflow.post_naptdestination_transport_port"
for r in prerouting forward postrouting; do
	tshark -n -r "/tmp/nat-$r.pcap" -d udp.port==2055,cflow -T pdml >"/tmp/nat-$r.pdml" 2>/dev/null
	bad=$(nf_pdml_complaints "/tmp/nat-$r.pdml")
	assert_eq "$bad" "" "tshark ($r): every field named, nothing malformed"
done
for r in prerouting forward postrouting; do
	# shellcheck disable=SC2086 # the field lists
	python3 "$NF_TOOLS/tshark_v9.py" "/tmp/nat-$r.pdml" 2055 $f4
	# shellcheck disable=SC2086
	python3 "$NF_TOOLS/tshark_v9.py" "/tmp/nat-$r.pdml" 2055 $f6
done | awk '{ p = "tcp" } $2 % 2 == 0 && $2 >= 41000 || $4 % 2 == 0 && $4 >= 41000 { p = "udp" }
	$2 >= 41000 || $4 >= 41000 { print p, $0 }' >/tmp/nat-tshark.txt
check tshark /tmp/nat-tshark.txt "both=12 dnat=12 none=24 snat=24 "

# the counters through netflowctl too, and the switch; off empties the table
ctl=$(nf_artifact ctl)
assert_eq "$("$ctl" stats | sed -n 's/^natflows\.translated_records //p')" \
	"$(nf_stat | sed -n 's/^Natflows: .* Records translated \([0-9]*\),.*/\1/p')" \
	"netflowctl stats: natflows.translated_records as /proc"
assert_eq "$("$ctl" get natflows)" 1 "netflowctl get natflows"
assert_ok "$ctl" set natflows 0
assert_eq "$(sysctl -n net.netflow.natflows)" 0 "netflowctl set natflows 0"
assert_match "$(nf_stat)" '^Natflows: off, views 0 ' "natflows=0 empties the table"
nf_dmesg_clean
