#!/bin/bash
# Aggregation rules and SNMP-index rules (the module built with both: make kmod-full):
# given at load, read back, shown as aggrN: lines, changed at run time; aggregation
# merges the flows it should (netmask and port rules, first match) and no others;
# snmp-rules rewrite the exported ifIndex; bad rules are refused and change nothing.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netflow.sh"

nf_topo
ifidx=$(nf_ns nfdst cat /sys/class/net/veth0/ifindex)
nf_load_full protocol=10 destination=127.0.0.1:2055 inactive_timeout=600 active_timeout=600 \
	aggregation=10.0.0.0/8=16 snmp-rules=veth:1000
nf_collector_start c 2055
nf_ns nfdst iptables -I INPUT -p udp -j NETFLOW
assert_eq "$(sysctl -n net.netflow.aggregation)" "10.0.0.0/8=16" "aggregation read back"
assert_eq "$(sysctl -n net.netflow.snmp-rules)" "veth:1000" "snmp-rules read back"
assert_match "$(nf_stat)" '^aggr0: net match 10\.0\.0\.0/8 strip to /16$' "/proc: aggr0 line"

# run time: port rules too; host bits of the prefix are dropped in the canonical form
assert_ok sysctl -q -w "net.netflow.aggregation=10.0.9.9/8=16, 5000-5009=5000,7000=7777"
assert_eq "$(sysctl -n net.netflow.aggregation)" "10.0.0.0/8=16,5000-5009=5000,7000=7777" "aggregation changed at run time"
assert_match "$(nf_stat)" '^aggr1: port match 5000-5009 replace with 5000$' "/proc: aggr1 line"
assert_match "$(nf_stat)" '^aggr2: port match 7000-7000 replace with 7777$' "/proc: aggr2 line"
for p in 5000 5001 5002 5003 5004 5005 5006 5007 5008 5009; do
	nf_udp nfsrc 10.0.0.2 $p 2 100 41000       # 10 flows -> one: 20 x 128 bytes
done
nf_udp nfsrc 10.0.0.2 5010 3 100 41000          # outside the port rule
nf_udp nfsrc 10.0.0.2 7000 1 100 41001          # 7000 -> 7777
assert_ok sysctl -q -w net.netflow.flush=1

# bad rules: refused, nothing changed
nf_bad_sysctl aggregation '10.0.0.0/40=16' 'aggregation: bad netmask rule'
nf_bad_sysctl aggregation '90-80=80' 'aggregation: bad port rule'
nf_bad_sysctl snmp-rules 'veth' 'snmp-rules: a rule is NAME:BASE'

# snmp-rules changed: veth0 no longer matches, the kernel's ifIndex is exported
assert_ok sysctl -q -w net.netflow.snmp-rules=eth:100
assert_ok sysctl -q -w net.netflow.aggregation=
assert_eq "$(nf_stat | grep -c '^aggr' || true)" 0 "no aggr lines once cleared"
nf_udp nfsrc 10.0.0.2 5001 4 100 41002          # no aggregation any more
assert_ok sysctl -q -w net.netflow.flush=1
sleep 1
nf_collector_stop c

got=$(nfdump -R /tmp/nfcap-c -q -N -o 'fmt:%pr %sa %sp %da %dp %pkt %byt %in' 2>/dev/null |
	awk 'NF == 8 { print $1, $2, $3, $4, $5, $6, $7, $8 }' | sort)
echo "$got" | sed 's/^/  /'
expected=$(sort <<EOT
17 10.0.0.0 41000 10.0.0.0 5000 20 2560 1000
17 10.0.0.0 41000 10.0.0.0 5010 3 384 1000
17 10.0.0.0 41001 10.0.0.0 7777 1 128 1000
17 10.0.0.1 41002 10.0.0.2 5001 4 512 $ifidx
EOT
)
assert_eq "$got" "$expected" "nfdump: merged flows, untouched ones, rewritten ifIndex"
nf_dmesg_clean
