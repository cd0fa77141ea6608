#!/bin/bash
# Under traffic: load/unload the module 20 times (rules inserted and deleted with both
# iptables backends each time), and change hashsize, destination, destination_mode,
# sampler, maxflows and timeouts 100 times.  No WARN/BUG/oops/lockup, every unload
# succeeds, and the module's slab caches are gone afterwards.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netflow.sh"

nf_topo
ulimit -n 8192
ko=$(nf_local_kmod)
nf_install_xtables
modprobe -a x_tables nf_conntrack # insmod resolves no dependencies: what the module links against
# a flood of many flows for the whole scenario
nf_ns nfsrc python3 "$NF_TOOLS/send_flows.py" 10.0.0.2 7000 20000 500 1 20 600 >/dev/null &
flood=$!
NF_PIDS+=("$flood")

loads=0
for i in $(seq 20); do
	insmod "$ko" destination=127.0.0.1:2055 hashsize=$((1024 << (i % 5))) || nf_die "insmod #$i failed"
	tool=iptables-legacy
	nf_legacy_tables || tool=iptables-nft # not on RT kernels from 6.17 on
	[ $((i % 2)) = 0 ] && tool=iptables-nft
	nf_ns nfdst $tool -I INPUT -j NETFLOW
	nf_ns nfdst ${tool/iptables/ip6tables} -I INPUT -j NETFLOW
	sleep 0.3
	nf_ns nfdst $tool -D INPUT -j NETFLOW
	nf_ns nfdst ${tool/iptables/ip6tables} -D INPUT -j NETFLOW
	rmmod ipt_NETFLOW || nf_die "rmmod #$i failed"
	loads=$((loads + 1))
done
assert_eq "$loads" 20 "load/unload cycles under traffic"

insmod "$ko" destination=127.0.0.1:2055
nf_ns nfdst iptables -I INPUT -j NETFLOW
changes=0
for i in $(seq 100); do
	case $((i % 7)) in
	0) sysctl -q -w net.netflow.hashsize=$((512 << (i % 9))) ;;
	1) sysctl -q -w net.netflow.destination="127.0.0.1:$((2055 + i % 3)),[::1]:2055" ;;
	2) sysctl -q -w net.netflow.destination_mode=$([ $((i % 2)) = 0 ] && echo balance || echo mirror) ;;
	3) sysctl -q -w net.netflow.sampler=$(echo "hash:4 random:3 deterministic:5 " | cut -d' ' -f$((i % 4 + 1))) ;;
	4) sysctl -q -w net.netflow.maxflows=$(( (i % 3) * 200 )) ;;
	5) sysctl -q -w net.netflow.inactive_timeout=$((1 + i % 4)) ;;
	6) sysctl -q -w net.netflow.flush=1 ;;
	esac
	changes=$((changes + 1))
done
assert_eq "$changes" 100 "parameter changes under traffic"
assert_ge "$(nf_snmp inPackets)" 1 "traffic was metered meanwhile"
kill "$flood" 2>/dev/null || true
nf_ns nfdst iptables -D INPUT -j NETFLOW
assert_ok rmmod ipt_NETFLOW
assert_no_match "$(grep ipt_netflow /proc/slabinfo || true)" . "slab caches gone after unload"
