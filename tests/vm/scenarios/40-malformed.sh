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
# long timeouts: flows checked later in the scenario must not go idle meanwhile (a loaded
# machine can take more than the default 15 s between two checks)
nf_load destination=127.0.0.1:2055 protocol=5 inactive_timeout=600 active_timeout=600
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

# --- more malformed input (issue 7) -------------------------------------------------------------
# IPv6: a looping/too long extension chain and a zero payload length (the stack trims the
# UDP header off) are trunc; an empty UDP payload is a normal flow; a first fragment with a
# cut UDP header is a fragment without ports.
t0=$(total 7) f0=$(total 8) p0=$(nf_snmp inPackets)
send v6-loop 20
send v6-zero-plen 20
sleep 0.5
assert_eq "$(( $(total 7) - t0 ))" 40 "IPv6 looping chain and zero payload length counted as trunc"
send v6-udp-empty 10
send v6-frag-cut 10
sleep 0.5
assert_eq "$(( $(total 8) - f0 ))" 10 "IPv6 first fragment with a cut UDP header counted as frag"
# (not inPackets: neighbour discovery from fd00::1 is metered too)
assert_match "$(cat /proc/net/stat/ipt_netflow_flows)" '^6 17 0 fd00::1 0 fd00::2 0 .* 20 1210 ' \
	"IPv6 first fragments with a cut UDP header join the flow without ports"
assert_match "$(cat /proc/net/stat/ipt_netflow_flows)" '^6 17 0 fd00::1 40104 fd00::2 5104 .* 10 480 ' \
	"IPv6 zero-length UDP payload: a normal flow"
# IPv4 headers that the receive path drops before any hook, through the OUTPUT hook with
# raw sockets: IHL 3 (also with total length 65535), IHL 15 leaving no room for UDP, a
# 2-byte UDP header: all trunc, nothing read past the packet; an IPv6 payload length of
# 65535 on a 48-byte packet is a flow of 48-byte packets (lengths come from the packet).
nf_ns nfdst iptables -t raw -D PREROUTING -s 10.0.0.1 -j NETFLOW # count each packet once
nf_ns nfdst ip6tables -t raw -D PREROUTING -s fd00::1 -j NETFLOW
nf_ns nfsrc iptables -t raw -I OUTPUT -d 10.0.0.2 -p udp -j NETFLOW
nf_ns nfsrc ip6tables -t raw -I OUTPUT -d fd00::2 -p udp -j NETFLOW
out() { nf_ns nfsrc python3 "$NF_TOOLS/send_raw.py" - - "$1" "$2"; }
t0=$(total 7) p0=$(nf_snmp inPackets)
n=0
for c in out-ihl3 out-ihl3-jumbo out-ihl15 out-udp-cut; do
	k=$(out $c 25)
	case $c in
	out-ihl3*) [ "$k" = 25 ] || echo "$c: the kernel refuses IHL < 5 on raw sockets; kernel/tests/flow_parse_test.cc covers it" ;;
	*) assert_eq "$k" 25 "$c: raw packets sent" ;;
	esac
	n=$((n + k))
done
sleep 0.5
assert_eq "$(( $(total 7) - t0 ))" "$n" "bad IHL, jumbo total length, no room for UDP, cut UDP: all trunc"
assert_eq "$(( $(nf_snmp inPackets) - p0 ))" 0 "none of them accounted as traffic"
assert_eq "$(out out-v6-jumbo 10)" 10 "out-v6-jumbo: raw packets sent"
sleep 0.5
assert_match "$(cat /proc/net/stat/ipt_netflow_flows)" '^6 17 0 fd00::1 40106 fd00::2 5106 .* 10 480 ' \
	"IPv6 payload length 65535 on 48-byte packets: bytes counted from the packet"
malformed=$((100 + 30 + 40 + 10 + n + 10))
echo "figure: 40-malformed: $malformed malformed packets through the hook (truncated TCP/UDP headers, IHL 15 with no room for UDP, 20- and 64-deep or cut IPv6 extension chains, IPv6 payload length 0 and 65535, IPv4/IPv6 fragments, zero-length payloads), each counted as trunc, frag or a flow of the right size; IHL < 5 is refused by the kernel's raw sockets (kernel/tests covers it)"
