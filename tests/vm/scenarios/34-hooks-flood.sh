#!/bin/bash
# Hook mode under a pktgen flood (issue 19): hooks change at run time 120 times
# (NF_HOOKS_ROUNDS; make check-stress: 1000): points added and removed in both
# families, priorities changed, output and forward hooks that the flood does not cross;
# namespaces come and go, and hook_mark is switched.  The point the flood crosses
# (ipv4:prerouting) stays in every set, so every packet that reached dut's IP layer is
# metered exactly once: the flood's flow holds exactly dut's Ip InReceives, no warning.
# Then the module is unloaded under the flood with its hooks in every namespace.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netflow.sh"
. "$(dirname "$0")/../pktgen.sh"

nf_pg_topo
# only the flood reaches dut's IP layer: no IPv6 chatter, the flood dropped at input
nf_pg_no_ipv6
nf_ns dut nft -f - <<'EOF'
table ip sink {
	chain input {
		type filter hook input priority filter;
		udp dport 9 drop
	}
}
EOF
ko=$(nf_local_kmod)
modprobe x_tables
modprobe nf_conntrack	# the module's dependencies, whichever scenario ran before
insmod "$ko" destination=127.0.0.1:2055 inactive_timeout=3600 active_timeout=3600 \
	hooks=ipv4:prerouting || nf_die "insmod failed: $(dmesg | tail -3)"
inrecv() { nf_ns dut awk '$1 == "Ip:" && $4 ~ /^[0-9]+$/ { print $4 }' /proc/net/snmp; }	# InReceives
flood_pkts() { # packets of the flood's flow, in the table (columns: see its header line)
	awk '$4 == "10.0.0.1" && $6 == "10.0.0.2" { n += $10 } END { print n + 0 }' /proc/net/stat/ipt_netflow_flows
}
sets=(
	"ipv4:prerouting"
	"ipv4:prerouting,ipv6:prerouting"
	"inet:prerouting"
	"ipv4:prerouting,inet:output"
	"ipv4:prerouting,ipv4:forward:-100,ipv6:input:7"
	"ipv4:prerouting,ipv4:forward:100,ipv6:input:-7,ipv4:postrouting"
	"inet:prerouting,inet:postrouting:300"
	"ipv4:prerouting,ipv6:forward"
)
before=$(inrecv)
nf_pg_setup 0 "ratep 20000"
nf_pg_start
changes=0
rounds=${NF_HOOKS_ROUNDS:-120}	# hook set changes (make check-stress: 1000)
for i in $(seq "$rounds"); do
	s=${sets[$((i % ${#sets[@]}))]}
	sysctl -q -w "net.netflow.hooks=$s" || nf_die "hooks=$s refused"
	changes=$((changes + 1))
	if [ $((i % 20)) = 0 ]; then	# namespaces come and go under the flood
		ip netns add "tmp$i" && ip netns del "tmp$i"
	fi
	if [ $((i % 15)) = 0 ]; then	# a mark that every packet matches (mask 0)
		sysctl -q -w net.netflow.hook_mark=0/0
		sysctl -q -w net.netflow.hook_mark=
	fi
done
nf_pg_stop
sleep 1
sent=$(nf_pg_sent)
got=$(( $(inrecv) - before ))
metered=$(flood_pkts)
drop=$(nf_snmp dropPackets)
echo "pktgen sent $sent, dut's IP layer received $got, the flood's flow holds $metered, dropped $drop"
assert_ge "$sent" 1000 "the flood ran"
assert_eq "$((metered + drop))" "$got" "every packet that reached dut's IP layer metered once (or counted dropped)"
assert_eq "$drop" 0 "no packet dropped by metering"
assert_eq "$(sysctl -n net.netflow.hooks)" "${sets[$((rounds % ${#sets[@]}))]}" "the last set is in force"

# unload under the flood, with hooks in every namespace
nf_pg_setup 0 "ratep 20000"
nf_pg_start
assert_ok sysctl -q -w net.netflow.hooks=inet:prerouting,inet:input,inet:output
sleep 1
assert_ok rmmod ipt_NETFLOW
nf_pg_stop
assert_fail grep -q '^ipt_NETFLOW ' /proc/modules
echo "figure: 34-hooks-flood: $changes hook set changes under a pktgen flood of $sent packets; $metered metered = $got received, exact"
