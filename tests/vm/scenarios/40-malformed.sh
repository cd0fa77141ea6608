#!/bin/bash
# Malformed input through the hook: crafted frames (AF_PACKET) reach `-t raw PREROUTING
# -j NETFLOW` in nfdst; truncated headers are counted as trunc, fragments as frag, IPv6
# extension-header chains that are too long or run past the packet as trunc — and the
# module never reads past the packet (dmesg stays clean; KASAN-free kernel, so the
# userspace unit tests check every truncation offset under ASan as well).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netflow.sh"

nf_topo
nf_load destination=127.0.0.1:2055 protocol=5
nf_ns nfdst iptables -t raw -I PREROUTING -s 10.0.0.1 -j NETFLOW
nf_ns nfdst ip6tables -t raw -I PREROUTING -s fd00::1 -j NETFLOW
mac=$(nf_ns nfdst cat /sys/class/net/veth0/address)
total() { awk -v c="$1" '$1 == "Total" { gsub(",", "", $c); print $c }' /proc/net/stat/ipt_netflow; }
send() { nf_ns nfsrc python3 "$NF_TOOLS/send_raw.py" veth0 "$mac" "$1" "$2"; }

t0=$(total 7) f0=$(total 8) p0=$(nf_snmp inPackets) d0=$(nf_snmp dropPackets)
send tcp-trunc 50
send v6-longchain 30
send v6-cutext 20
sleep 0.5
assert_eq "$(( $(total 7) - t0 ))" 100 "truncated packets counted as trunc"
assert_eq "$(( $(nf_snmp dropPackets) - d0 ))" 100 "truncated packets counted in drop packets"
assert_eq "$(( $(nf_snmp inPackets) - p0 ))" 0 "truncated packets not accounted as traffic"

send frag-first 10
send frag-later 10
send v6-frag 10
send udp-empty 5
sleep 0.5
assert_eq "$(( $(total 8) - f0 ))" 30 "fragments counted as frag"
assert_eq "$(( $(nf_snmp inPackets) - p0 ))" 35 "fragments and empty datagrams accounted"
flows=$(cat /proc/net/stat/ipt_netflow_flows)
echo "$flows"
assert_match "$flows" '^4 17 0 10\.0\.0\.1 40100 10\.0\.0\.2 5100 .* 10 440 ' "first fragment: a flow with ports"
assert_match "$flows" '^4 17 0 10\.0\.0\.1 0 10\.0\.0\.2 0 .* 10 440 ' "later fragments: a flow without ports"
assert_match "$flows" '^4 17 0 10\.0\.0\.1 40102 10\.0\.0\.2 5102 .* 5 140 ' "zero-length UDP payload: a normal flow"
assert_match "$flows" '^6 17 0 fd00::1 0 fd00::2 0 .* 10 720 ' "IPv6 later fragments: a flow without ports"
