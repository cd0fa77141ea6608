#!/bin/bash
# Hook mode (issue 19) on a host with no iptables binary: hooks=inet:input meters without
# any rule, the nftables ruleset (nft -f) chooses what is metered with hook_mark, and a
# namespace created after the module was loaded is metered too.  nfdump decodes exactly
# the flows sent (IPFIX: IPv4 and IPv6).  Bad values are refused with EINVAL and one
# kernel message, at load time and at run time (sysctl and netflowctl).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netflow.sh"

ctl=$(nf_artifact ctl) || nf_die "netflowctl not built"
ko=$(nf_local_kmod)
nf_topo

# No iptables binary reachable: a PATH with everything else of the system's.
bin=/tmp/no-iptables-bin
mkdir -p $bin
# one ln for all (a fork per file is slow under TCG); names in both directories: first wins
ln -s /usr/local/sbin/* /usr/local/bin/* /usr/sbin/* /usr/bin/* $bin/ 2>/dev/null || true
rm -f $bin/*tables*
export PATH=$bin
for t in iptables ip6tables iptables-nft iptables-legacy ip6tables-restore xtables-nft-multi; do
	assert_fail command -v $t
done

# a bad hooks value fails the load, with one message saying why (its dependencies loaded
# first, so that only the parameter can fail it, whichever scenario ran before)
modprobe x_tables
modprobe nf_conntrack
nf_dmesg_mark badload
assert_fail insmod "$ko" hooks=ipv4:ingress
assert_match "$(nf_dmesg_since badload)" 'ipt_NETFLOW: hooks: hook must be prerouting, input, forward, output or postrouting' "kernel message for a bad hooks parameter"
assert_fail insmod "$ko" hook_mark=0x10/0x1
assert_match "$(nf_dmesg_since badload)" 'ipt_NETFLOW: hook_mark: the value has bits outside the mask' "kernel message for a bad hook_mark parameter"
assert_fail grep -q '^ipt_NETFLOW ' /proc/modules

insmod "$ko" destination=127.0.0.1:2055 protocol=10 hooks=inet:input inactive_timeout=600 ||
	nf_die "insmod with hooks failed: $(dmesg | tail -3)"
assert_eq "$(sysctl -n net.netflow.hooks)" "inet:input" "sysctl reads the hooks back"
assert_eq "$(cat /sys/module/ipt_NETFLOW/parameters/hooks)" "inet:input" "module parameter reads back"
assert_eq "$(sysctl -n net.netflow.hook_mark)" "" "hook_mark empty by default"
nf_collector_start c 2055

# the ruleset of an nftables-only host: marks what should be metered
cat >/tmp/meter.nft <<'EOF'
table inet netflow_select {
	chain input {
		type filter hook input priority filter; policy accept;
		udp dport { 5001, 5003 } meta mark set meta mark | 0x10
	}
}
EOF
assert_ok nf_ns nfdst nft -f /tmp/meter.nft

# A: no hook_mark, every packet at input is metered, IPv4 and IPv6
nf_udp nfsrc 10.0.0.2 5001 7 100 40001
nf_udp nfsrc 10.0.0.2 5002 3 1000 40002
nf_udp nfsrc fd00::2 5003 2 50 40003
# B: hook_mark=0x10/0x10: only what the ruleset marked (5001, 5003)
assert_ok sysctl -q -w net.netflow.hook_mark=0x10/0x10
assert_eq "$(sysctl -n net.netflow.hook_mark)" "0x10/0x10" "hook_mark reads back"
nf_udp nfsrc 10.0.0.2 5001 5 200 41001
nf_udp nfsrc 10.0.0.2 5002 4 300 41002
nf_udp nfsrc fd00::2 5003 3 60 41003
assert_match "$(nf_stat)" '^Hooks: inet:input, mark 0x10/0x10\. Metered [0-9]+, mark skipped ([4-9]|[1-9][0-9]+), rule packets left to hooks 0\.' "/proc: hooks, mark, 4+ packets skipped by mark"

# C: a namespace made after the module was loaded is metered as well
assert_ok sysctl -q -w net.netflow.hook_mark=
nf_ns_add late1 late2
nf_link late1 veth0 "10.9.0.1/24" late2 veth0 "10.9.0.2/24"
nf_udp late1 10.9.0.2 5005 4 70 43005
assert_ok sysctl -q -w net.netflow.flush=1
sleep 1
nf_collector_stop c

expected=$(sort <<EOT
17 10.0.0.1 40001 10.0.0.2 5001 7 896
17 10.0.0.1 40002 10.0.0.2 5002 3 3084
17 fd00::1 40003 fd00::2 5003 2 196
17 10.0.0.1 41001 10.0.0.2 5001 5 1140
17 fd00::1 41003 fd00::2 5003 3 324
17 10.9.0.1 43005 10.9.0.2 5005 4 392
EOT
)
got=$(nf_collector_flows c | grep -E '^17 (10\.|fd00::)')
echo "nfdump decoded (UDP of the test hosts; the hooks also meter the exports to nfcapd on lo):"; echo "$got" | sed 's/^/  /'
assert_eq "$got" "$expected" "nfdump: the flows sent, none unmarked under hook_mark, the late namespace's"

# a namespace that goes away takes its hooks with it; the rest keep metering
before=$(nf_snmp inPackets)
assert_ok ip netns del late2
assert_ok ip netns del late1
nf_udp nfsrc 10.0.0.2 5002 2 10 44002
assert_ge "$(nf_snmp inPackets)" $((before + 2)) "metering goes on after namespaces went away"

# bad run-time values: EINVAL, one kernel line, nothing changed
nf_bad_sysctl hooks "inet:input,ipv4:input" 'hooks: a family and hook given twice'
nf_bad_sysctl hooks "ipv4:forward:99999999999" 'hooks: priority must be an integer'
nf_bad_sysctl hooks "ip:forward" 'hooks: family must be ipv4, ipv6 or inet'
nf_bad_sysctl hook_mark "0x1/0x10" 'hook_mark: the value has bits outside the mask'
nf_bad_sysctl hook_mark "mark" 'hook_mark: must be VALUE'
# netflowctl: same validation, same error
assert_ok "$ctl" set hooks "ipv4:input,ipv6:input:-5"
assert_eq "$("$ctl" get hooks)" "ipv4:input,ipv6:input:-5" "netflowctl set/get hooks"
assert_eq "$(sysctl -n net.netflow.hooks)" "ipv4:input,ipv6:input:-5" "netflowctl's change is sysctl's"
out=$("$ctl" set hooks "ipv4:bogus" 2>&1) && nf_fail "netflowctl accepted a bad hooks value"
assert_match "$out" 'setting "hooks": Invalid argument' "netflowctl: the refusal, as sysctl words it"

assert_eq "$(sysctl -n net.netflow.hooks)" "ipv4:input,ipv6:input:-5" "hooks unchanged after netflowctl's bad value"
# off again: the default behaviour, no Hooks line activity, module unloads cleanly
assert_ok sysctl -q -w net.netflow.hooks=
assert_ok rmmod ipt_NETFLOW
