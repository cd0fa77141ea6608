#!/bin/bash
# Hook mode beside NETFLOW rules (issue 19): a packet seen by both a rule and a hook is
# counted once (a family with hooks is metered by the hooks alone; its rules continue
# without metering and count the packets they left), and switching hooks on and off at
# run time loses no flow: one flow that spans both switches is exported once, with
# every packet.  Families without hooks are still metered by their rules.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netflow.sh"

nf_topo
nf_load destination=127.0.0.1:2055 protocol=10 inactive_timeout=600 active_timeout=600
nf_collector_start c 2055
# rules at two points of the same packets: raw PREROUTING and filter INPUT, both families
for t in iptables ip6tables; do
	nf_ns nfdst $t -t raw -I PREROUTING -p udp -j NETFLOW
	nf_ns nfdst $t -I INPUT -p udp -j NETFLOW
done
left() { nf_stat | sed -n 's/^Hooks: .* rule packets left to hooks \([0-9]*\)\.$/\1/p'; }

assert_no_match "$(nf_stat)" '^Hooks:' "no Hooks line while hook mode was never used"
# 1: rules only (each packet meets two rules: counted twice, as with the classic module)
nf_udp nfsrc 10.0.0.2 5001 5 100 40001
nf_udp nfsrc fd00::2 5002 2 100 40002
# 2: hooks for IPv4 at input: its rules step aside; IPv6 stays with its rules
assert_ok sysctl -q -w net.netflow.hooks=ipv4:input
nf_udp nfsrc 10.0.0.2 5001 6 100 40001
nf_udp nfsrc fd00::2 5002 3 100 40002
assert_eq "$(left)" 12 "IPv4 rules left their 6 x 2 packets to the hook"
# 3: hooks for both families, at prerouting this time (a change of points, no reload)
assert_ok sysctl -q -w net.netflow.hooks=inet:prerouting:-500
nf_udp nfsrc 10.0.0.2 5001 4 100 40001
nf_udp nfsrc fd00::2 5002 4 100 40002
assert_eq "$(left)" $((12 + 16)) "every rule of both families left its packets to the hooks"
# 4: hooks off: the rules meter again
assert_ok sysctl -q -w net.netflow.hooks=
nf_udp nfsrc 10.0.0.2 5001 2 100 40001
assert_eq "$(left)" 28 "no packet left to hooks once they are off"

assert_ok sysctl -q -w net.netflow.flush=1
sleep 1
nf_collector_stop c
# IPv4: 5 x 2 (two rules) + 6 (hook) + 4 (hook) + 2 x 2 (rules) = 24 packets of 128 bytes
# IPv6: 2 x 2 + 3 x 2 (rules: no IPv6 hook) + 4 (hook) = 14 packets of 148 bytes
expected=$(sort <<EOT
17 10.0.0.1 40001 10.0.0.2 5001 24 3072
17 fd00::1 40002 fd00::2 5002 14 2072
EOT
)
got=$(nf_collector_flows c | grep -E '^17 (10\.|fd00::)')
echo "nfdump decoded (UDP of the test hosts; the hooks also meter the exports to nfcapd on lo):"; echo "$got" | sed 's/^/  /'
assert_eq "$got" "$expected" "one record per flow across the switches, every packet once per meter point"
assert_match "$(nf_stat)" '^Hooks: none, mark 0x0/0x0\. Metered [0-9]+, mark skipped 0, rule packets left to hooks 28\.' "/proc Hooks line after hooks went off"
assert_match "$(nf_stat)" 'Traffic lost 0 pkts, 0 Kbytes, 0 flows' "nothing lost"
# netflowctl and the metrics show the same counters as /proc
ctl=$(nf_artifact ctl) || nf_die "netflowctl not built"
metered=$(nf_stat | sed -n 's/^Hooks: .* Metered \([0-9]*\),.*/\1/p')
stats=$("$ctl" stats)
assert_eq "$(echo "$stats" | sed -n 's/^hooks\.rule_left_packets //p')" 28 "netflowctl stats: rule packets left to hooks"
assert_eq "$(echo "$stats" | sed -n 's/^hooks\.metered_packets //p')" "$metered" "netflowctl stats: metered by hooks, as /proc"
assert_eq "$(echo "$stats" | sed -n 's/^hooks\.points //p')" 0 "netflowctl stats: no hook point live"
