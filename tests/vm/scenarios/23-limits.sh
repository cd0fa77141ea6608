#!/bin/bash
# Limits and run-time changes: maxflows bounds the table and counts the drops; hashsize
# changes many times under traffic without losing or duplicating a packet; flush
# exports everything at once.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netflow.sh"

nf_topo
nf_load destination=127.0.0.1:2055 maxflows=100 inactive_timeout=600 active_timeout=600
nf_ns nfdst iptables -I INPUT -j NETFLOW
nf_collector_start c 2055

# --- maxflows ------------------------------------------------------------------------------
nf_ns nfsrc python3 "$NF_TOOLS/send_flows.py" 10.0.0.2 7000 30000 300 1 20 >/dev/null
active=$(nf_snmp hashFlows)
assert_le "$active" 100 "active flows bounded by maxflows"
assert_ge "$active" 99 "table filled up to maxflows"
maxdrops=$(awk '$1 == "Total" { print $10 }' /proc/net/stat/ipt_netflow | tr -d ',')
assert_ge "$maxdrops" 200 "packets refused at maxflows (cpu stat column)"
assert_ge "$(nf_snmp dropPackets)" 200 "dropPackets"
assert_match "$(nf_stat)" '^Flows: active (99|100) ' "Flows line"
# established flows keep being accounted at the limit
nf_ns nfsrc python3 "$NF_TOOLS/send_flows.py" 10.0.0.2 7000 30000 10 3 20 >/dev/null
assert_ok sysctl -q -w net.netflow.flush=1
assert_eq "$(nf_snmp hashFlows)" 0 "flush emptied the table"
assert_ok sysctl -q -w net.netflow.maxflows=0

# --- hashsize under traffic ------------------------------------------------------------------
ulimit -n 8192	# the sender holds one socket per flow
base_pkts=$(nf_snmp inPackets)
nf_ns nfsrc python3 "$NF_TOOLS/send_flows.py" 10.0.0.2 7001 32000 2000 1 20 8 > /tmp/sent.txt &
sender=$!
changes=0
for size in 1024 65536 4096 131072 2048 32768 1024 16384 8192 262144 4096 65536; do
	assert_ok sysctl -q -w net.netflow.hashsize=$size
	changes=$((changes + 1))
	sleep 0.3
done
wait $sender
sent=$(cat /tmp/sent.txt)
echo "hashsize changed $changes times while $sent packets in 2000 flows went by"
assert_eq "$(sysctl -n net.netflow.hashsize)" 65536 "final hashsize"
assert_match "$(nf_stat)" '^Hash: size 65536 ' "Hash line shows the new size"
assert_eq "$(nf_snmp hashFlows)" 2000 "every flow still in the table once"
assert_eq "$(( $(nf_snmp inPackets) - base_pkts ))" "$sent" "every packet accounted"
assert_ok sysctl -q -w net.netflow.flush=1
sleep 1
nf_collector_stop c
exported=$(nf_collector_flows c | awk '$5 == 7001 { n++; p += $6 } END { print n + 0, p + 0 }')
assert_eq "$exported" "2000 $sent" "exported: each of the 2000 flows once, with every packet"
assert_match "$(nf_stat)" 'Traffic lost 0 pkts' "nothing lost"
