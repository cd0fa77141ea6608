#!/bin/bash
# Reliability (issue 7): under a pktgen flood of random flows (~20k pps, exported every
# second to two nfcapd collectors), change hashsize, protocol (5/9/10), destination,
# sampler and aggregation 100 times, 20 each (aggregation rules on and off), and write
# 10 bad aggregation rules, refused with EINVAL under traffic as well.  Afterwards the
# module still meters and exports a known flow exactly, nothing was lost on the way to
# the collectors, and nothing WARNs.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netflow.sh"
. "$(dirname "$0")/../pktgen.sh"

nf_pg_topo
nf_load destination=127.0.0.1:2055 inactive_timeout=1 active_timeout=5
nf_ns dut iptables -t raw -A PREROUTING -i veth1 -j NETFLOW
nf_ns dut iptables -t raw -A PREROUTING -i veth1 -p udp -j DROP
nf_collector_start c1 2055
nf_collector_start c2 2056
nf_pg_setup 0 "ratep 20000" "src_min 10.0.1.1" "src_max 10.0.1.254" "flag IPSRC_RND" \
	"udp_src_min 1024" "udp_src_max 65535" "flag UDPSRC_RND"
nf_pg_start

set_ok() { # KEY VALUE: a good value is taken and reads back
	local v=$2
	if echo "$v" >"/proc/sys/net/netflow/$1" && [ "$(cat "/proc/sys/net/netflow/$1")" = "$v" ]; then
		ok=$((ok + 1))
	else
		nf_fail "sysctl $1=$v under traffic: refused or not applied ($(sysctl -n "net.netflow.$1"))"
	fi
}
ok=0 refused=0 socklog=
samplers=("hash:4" "random:3" "deterministic:5" "")
for i in $(seq 20); do
	set_ok hashsize $((512 << (i % 9)))
	set_ok protocol "$(echo "5 9 10" | cut -d' ' -f$((i % 3 + 1)))"
	# what the sockets about to be replaced met (errors are per socket)
	socklog+=$(grep '^sock' /proc/net/stat/ipt_netflow | grep -v 'err: sndbuf reached 0, connect 0, cberr 0, other 0;' || true)$'\n'
	set_ok destination "127.0.0.1:$((2055 + i % 2))"
	set_ok sampler "${samplers[$((i % 4))]}"
	if [ $((i % 2)) = 0 ]; then
		set_ok aggregation ""
	else
		set_ok aggregation "10.0.0.0/8=16,80-89=80"
		if echo "10.0.0.0/40=16" >/proc/sys/net/netflow/aggregation 2>/dev/null; then
			nf_fail "a bad aggregation rule was accepted"
		else
			refused=$((refused + 1))
		fi
	fi
	sleep 0.1
done
assert_eq "$ok" 100 "good changes applied under traffic (20 each: hashsize, protocol, destination, sampler, aggregation)"
assert_eq "$refused" 10 "bad aggregation rules refused with EINVAL under traffic"
nf_pg_stop
flood=$(nf_pg_sent)
# the flood's packets still queued (a debug kernel takes minutes for its backlog) are
# metered before the last flush: a flow they made after it would go to a collector that
# is stopped below, and count as lost (rightly)
seen=-1
for _ in $(seq 300); do
	now=$(nf_snmp inPackets)
	[ "$now" != "$seen" ] || break
	seen=$now
	sleep 1
done

# the module still works exactly: one known flow of 1000 packets, v9, to a new collector
sysctl -q -w net.netflow.flush=1
sleep 2
# the churn's last sockets (their flush included), before they are replaced below
socklog+=$(grep '^sock' /proc/net/stat/ipt_netflow | grep -v 'err: sndbuf reached 0, connect 0, cberr 0, other 0;' || true)$'\n'
lost=$(nf_snmp lostFlows)
nf_collector_stop c1
nf_collector_stop c2
nf_collector_start k 2057
echo >/proc/sys/net/netflow/sampler
sysctl -q -w net.netflow.protocol=9 net.netflow.destination=127.0.0.1:2057 net.netflow.inactive_timeout=60
nf_pg_setup 1000 "src_min 10.0.2.7" "src_max 10.0.2.7" "udp_src_min 4242" "udp_src_max 4243"
nf_pg_start
nf_pg_wait
sysctl -q -w net.netflow.flush=1
sleep 2
nf_collector_stop k
assert_eq "$(nf_collector_flows k | awk '$2 == "10.0.2.7"' | awk '{ print $3, $5, $6 }')" "4242 9 1000" \
	"after the churn: the known flow exported once with its 1000 packets"
[ "$lost" = 0 ] || {
	grep '^Export' /proc/net/stat/ipt_netflow | sed 's/^/    /'
	{ printf '%s' "$socklog" | grep . || echo "(no socket met an error)"; } | sed 's/^/    /'
}
assert_eq "$lost" 0 "flows lost in export during the churn"
records=$(($(nf_collector_flows c1 | wc -l) + $(nf_collector_flows c2 | wc -l)))
echo "figure: 71-churn: 100 parameter changes (20 each: hashsize, protocol, destination, sampler, aggregation; $refused bad rules refused) under a pktgen flood of $flood packets; $records flow records collected, $lost lost"
