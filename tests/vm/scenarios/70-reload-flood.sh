#!/bin/bash
# Reliability (issue 7): while pktgen floods (random sources and ports, ~20k pps), load
# and unload the module 20 times, each time inserting and deleting NETFLOW rules (v4+v6,
# iptables-legacy and iptables-nft alternately), then insert/delete rules 200 times under
# the same flood with the module loaded.  Every load meters, every unload succeeds, no
# WARN/BUG/oops/lockup, and no slab object is left behind (the caches go with the module).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netflow.sh"
. "$(dirname "$0")/../pktgen.sh"

nf_pg_topo
ko=$(nf_local_kmod)
nf_install_xtables
modprobe -a x_tables nf_conntrack # insmod resolves no dependencies: what the module links against
# the flood ends in dut's filter table (after the raw hooks), not in ICMP replies
legacy=iptables-legacy # the legacy backend where the kernel has it (not RT from 6.17 on)
nf_legacy_tables || legacy=iptables-nft
nf_ns dut "$legacy" -A INPUT -i veth1 -p udp -j DROP
nf_pg_setup 0 "ratep 20000" "src_min 10.0.0.100" "src_max 10.0.0.250" "flag IPSRC_RND" \
	"udp_src_min 1024" "udp_src_max 65535" "flag UDPSRC_RND"
nf_pg_start

rules() { # -I|-D TOOL
	nf_ns dut "$2" -t raw "$1" PREROUTING -i veth1 -j NETFLOW
	nf_ns dut "${2/iptables/ip6tables}" -t raw "$1" PREROUTING -i veth1 -j NETFLOW
}
loads=0 metered=0 ruleops=0
for i in $(seq 20); do
	insmod "$ko" destination=127.0.0.1:2055 inactive_timeout=1 hashsize=$((1024 << (i % 5))) ||
		nf_die "insmod #$i failed: $(dmesg | tail -3)"
	tool=$legacy
	[ $((i % 2)) = 0 ] && tool=iptables-nft
	before=$(nf_snmp inPackets)
	rules -I $tool
	ruleops=$((ruleops + 2))
	nf_wait_for 30 sh -c "[ \$(awk '\$1 == \"inPackets\" { print \$2 }' /proc/net/stat/ipt_netflow_snmp) -gt $((before + 100)) ]" &&
		metered=$((metered + 1))
	rules -D $tool
	ruleops=$((ruleops + 2))
	rmmod ipt_NETFLOW || nf_die "rmmod #$i failed"
	loads=$((loads + 1))
done
assert_eq "$loads" 20 "load/unload cycles under the flood"
assert_eq "$metered" 20 "cycles in which the loaded module metered the flood"

insmod "$ko" destination=127.0.0.1:2055 inactive_timeout=1
for i in $(seq 50); do
	for tool in $(nf_iptables_tools iptables); do
		rules -I $tool
		sleep 0.0$((RANDOM % 10))
		rules -D $tool
		ruleops=$((ruleops + 4))
	done
done
assert_eq "$(nf_ns dut "$legacy" -t raw -S PREROUTING | grep -c NETFLOW || true)" 0 "no $legacy rule left"
assert_eq "$(nf_ns dut iptables-nft -t raw -S PREROUTING | grep -c NETFLOW || true)" 0 "no nft rule left"
assert_ge "$(nf_snmp inPackets)" 1 "metered during the rule churn"
nf_pg_stop
sent=$(nf_pg_sent)
assert_ok rmmod ipt_NETFLOW
assert_no_match "$(grep ipt_netflow /proc/slabinfo || true)" . "slab caches gone after the last unload"
assert_no_match "$(nf_dmesg_since "scenario:$NF_SCENARIO")" 'Objects remaining|still has objects' "no slab object left"
echo "figure: 70-reload-flood: $loads load/unload cycles and $ruleops rule inserts/deletes (legacy+nft, v4+v6) under a pktgen flood of $sent packets; $metered/20 loads metered"
