#!/bin/bash
# NetFlow v9 and IPFIX export of known IPv4 and IPv6 traffic, with a protocol switch at run
# time in between: nfcapd/nfdump and tshark decode exactly the flows sent (none lost, none
# twice), tshark resolves every field (no unknown elements, nothing malformed, no warnings,
# sequence numbers as the RFCs count), and the options records (statistics, interfaces,
# sampling) carry the right values.  24-v9-ipfix-late.sh: nfacctd, and a late collector.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netflow.sh"

TSH() { python3 "$NF_TOOLS/tshark_v9.py" "$@"; }
indent() { sed 's/^/  /'; }

nf_topo
nf_ns nfdst ip link set veth0 alias "test uplink"
ifidx=$(nf_ns nfdst cat /sys/class/net/veth0/ifindex)

# long inactive timeout: on a loaded host the scenario is slow, and flows must not go idle
nf_load protocol=9 destination=127.0.0.1:2055 engine_id=7 inactive_timeout=600 \
	refresh-rate=2
nf_collector_start c 2055
nf_cap_start /tmp/all.pcap 2055
assert_match "$(nf_stat)" '^Protocol version 9 \(netflow\), refresh-rate 2, timeout-rate 30, \(templates 10, active 0\)' "/proc: v9, templates defined, none used yet"

nf_ns nfdst iptables -I INPUT -j NETFLOW
# not IPv6 neighbour discovery: it comes at its own times and would shift the
# deterministic sampler's count and leave flows after the flush
nf_ns nfdst ip6tables -I INPUT ! -p ipv6-icmp -j NETFLOW
nf_ns nfdst ip6tables -I INPUT -p ipv6-icmp --icmpv6-type echo-request -j NETFLOW
nf_ns nfdst iptables -A INPUT -p tcp --dport 5003 -j ACCEPT
nf_ns nfdst ip6tables -A INPUT -p tcp --dport 5003 -j ACCEPT
nf_bg nfdst /tmp/tcp-server.log python3 "$NF_TOOLS/tcp_session.py" server6 5003
nf_wait_tcp nfdst 5003 20 || nf_die "TCP server did not start"
tcp_count() { nf_ns nfdst "$1" -L INPUT -v -x -n | awk '/dpt:5003/ { print $1, $2 }'; }

# ---- part 1: NetFlow v9
nf_udp nfsrc 10.0.0.2 5001 7 100 40001             # 7 x 128 = 896
nf_udp nfsrc fd00::2 5004 2 50 40004               # 2 x (50 + 48) = 196
nf_ns nfsrc ping -c 3 -s 56 -i 0.2 -W 2 10.0.0.2 >/dev/null      # 3 x 84 = 252
nf_ns nfsrc ping -6 -c 2 -s 56 -i 0.2 -W 2 fd00::2 >/dev/null    # 2 x 104 = 208
nf_ns nfsrc python3 "$NF_TOOLS/tcp_session.py" client 10.0.0.2 5003 40003 5000 fin >/dev/null
sleep 1
read -r tcp_pkts tcp_bytes < <(tcp_count iptables)
assert_ge "$tcp_pkts" 5 "TCP packets counted by iptables"
assert_ok sysctl -q -w net.netflow.flush=1
# TCP flows carry tcpOptions, IPv6 ones flow labels: templates made for them (10 fixed + N)
assert_match "$(nf_stat)" '\(templates 1[1-9], active [4-9]\)' "/proc: templates in use after v9 export"

# ---- part 2: flows metered under v9, protocol switched before they are exported
nf_udp nfsrc 10.0.0.2 5005 4 200 40005             # 4 x 228 = 912
nf_udp nfsrc fd00::2 5006 3 10 40006               # 3 x 58 = 174
assert_ok sysctl -q -w net.netflow.protocol=10
assert_match "$(nf_stat)" '^Protocol version 10 \(ipfix\), refresh-rate 2, timeout-rate 30, \(templates 10, active 0\)' "/proc: IPFIX after the switch"

# ---- part 3: IPFIX, with a TCP-over-IPv6 flow that ends by FIN before the flush
nf_udp nfsrc 10.0.0.2 5007 5 300 40007             # 5 x 328 = 1640
nf_udp nfsrc fd00::2 5008 1 1000 40008             # 1048
nf_ns nfsrc ping -6 -c 2 -s 100 -i 0.2 -W 2 fd00::2 >/dev/null   # 2 x 148 = 296
nf_ns nfsrc python3 "$NF_TOOLS/tcp_session.py" client fd00::2 5003 40009 3000 fin >/dev/null
sleep 1.5
read -r tcp6_pkts tcp6_bytes < <(tcp_count ip6tables)
assert_ge "$tcp6_pkts" 5 "TCP/IPv6 packets counted by ip6tables"
assert_ok sysctl -q -w net.netflow.flush=1

# ---- part 5: sampling 1 in 2 (deterministic), announced in the sampling options record
assert_ok sysctl -q -w net.netflow.sampler=deterministic:2
# same destinations again: new sockets, so templates and options records go out at once
assert_ok sysctl -q -w net.netflow.destination=127.0.0.1:2055
nf_ns nfsrc python3 -c 'import socket
for i in range(1, 5):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("", 42000 + i))
    s.sendto(b"x" * 10, ("10.0.0.2", 5200 + i))'
assert_ok sysctl -q -w net.netflow.flush=1
nf_collector_stop c
nf_cap_stop

expected=$(sort <<EOT
17 10.0.0.1 40001 10.0.0.2 5001 7 896
17 fd00::1 40004 fd00::2 5004 2 196
6 10.0.0.1 40003 10.0.0.2 5003 $tcp_pkts $tcp_bytes
17 10.0.0.1 40005 10.0.0.2 5005 4 912
17 fd00::1 40006 fd00::2 5006 3 174
17 10.0.0.1 40007 10.0.0.2 5007 5 1640
17 fd00::1 40008 fd00::2 5008 1 1048
6 fd00::1 40009 fd00::2 5003 $tcp6_pkts $tcp6_bytes
EOT
)
main() { grep -Ev '^(1|58) ' | grep -v ' 520[1-4] '; }
sampled() { grep -c ' 10\.0\.0\.2 520[1-4] 1 38$' || true; }

# ---- nfdump
got=$(nf_collector_flows c)
echo "nfdump decoded:"; echo "$got" | indent
assert_eq "$(echo "$got" | main)" "$expected" "nfdump: v9 + IPFIX, IPv4 + IPv6 UDP/TCP flows exactly once, none lost across the switch"
assert_match "$got" '^1 10\.0\.0\.1 0 10\.0\.0\.2 (8\.0|2048) 3 252$' "nfdump: ICMP echo flow (v9)"
assert_match "$got" '^58 fd00::1 0 fd00::2 (128\.0|32768) 2 208$' "nfdump: ICMPv6 echo flow (v9)"
assert_match "$got" '^58 fd00::1 0 fd00::2 (128\.0|32768) 2 296$' "nfdump: ICMPv6 echo flow (IPFIX)"
assert_eq "$(echo "$got" | sampled)" 2 "nfdump: 2 of 4 flows under deterministic:2 sampling"

# ---- tshark: the same records (tshark is slow to start under TCG: decode once to PDML)
tshark -n -r /tmp/all.pcap -d udp.port==2055,cflow -T pdml > /tmp/all.pdml 2>/dev/null
tsh=$(TSH /tmp/all.pdml 2055 | sort) || nf_fail "tshark reported malformed packets"
echo "tshark decoded:"; echo "$tsh" | indent
assert_eq "$(echo "$tsh" | main)" "$expected" "tshark: the same flows exactly"
assert_match "$tsh" '^1 10\.0\.0\.1 0 10\.0\.0\.2 2048 3 252$' "tshark: ICMP echo flow"
assert_match "$tsh" '^58 fd00::1 0 fd00::2 32768 2 208$' "tshark: ICMPv6 echo flow (v9)"
assert_match "$tsh" '^58 fd00::1 0 fd00::2 32768 2 296$' "tshark: ICMPv6 echo flow (IPFIX)"
assert_eq "$(echo "$tsh" | sampled)" 2 "tshark: 2 sampled flows"

# every field resolves to a named one; nothing malformed, no expert warnings (this
# includes Wireshark's sequence-number analysis per observation domain).  Read from the
# PDML, which has every line of tshark -V (showname) and the expert items.
bad=$(nf_pdml_complaints /tmp/all.pdml)
echo "tshark complaints:"; echo "$bad" | indent
assert_eq "$bad" "" "tshark: no unknown fields, malformed packets or warnings"
assert_ge "$(grep -c 'Type: flowEndReason (136)' /tmp/all.pdml || true)" 1 "IPFIX template carries flowEndReason"
assert_ge "$(grep -c 'Type: flowStartMilliseconds (152)' /tmp/all.pdml || true)" 1 "IPFIX template carries flowStartMilliseconds"
assert_ge "$(grep -c 'Type: FIRST_SWITCHED (22)' /tmp/all.pdml || true)" 1 "v9 template carries FIRST_SWITCHED"
assert_ge "$(grep -c '<proto name="cflow"' /tmp/all.pdml || true)" 5 "tshark decoded the PDUs"

# headers: versions in order (v9 then IPFIX), domain = engine_id, sequence numbers as the
# RFCs count them: v9 one per PDU, IPFIX the data records before the PDU
hdrs=$(python3 -c '
import xml.etree.ElementTree as ET
for pkt in ET.parse("/tmp/all.pdml").getroot().iter("packet"):
    f = {}
    for x in pkt.iter("field"):
        f.setdefault(x.get("name"), x.get("show"))
    cnt = sum(1 for x in pkt.iter("field") if x.get("name") == "" and (x.get("show") or "").startswith("Flow "))
    print("\t".join([f.get(n) or "" for n in ("cflow.version", "cflow.sequence",
        "cflow.source_id", "cflow.od_id", "cflow.count", "cflow.flowset_id")] + [str(cnt)]))')
echo "PDU headers (version sequence source_id od_id count):"; echo "$hdrs" | indent
assert_eq "$(echo "$hdrs" | awk '{ print $1 }' | uniq | tr '\n' ' ')" "9 10 " "v9 PDUs, then IPFIX PDUs"
assert_eq "$(echo "$hdrs" | awk -F'\t' '($1 == 9 && $3 != 7) || ($1 == 10 && $4 != 7) { bad++ } END { print bad + 0 }')" 0 "source id / observation domain = engine_id 7"
seqok=$(echo "$hdrs" | awk -F'\t' '
	NR == 1 { seq = $2 }
	{ if ($2 != seq) bad++; seq += ($1 == 9 ? 1 : $7) }
	END { print bad + 0 }')
assert_eq "$seqok" 0 "sequence numbers: v9 +1 per PDU, IPFIX + data records per PDU"

# IPFIX timestamps are absolute and recent; flowEndReason: end of flow for the FIN flow,
# forced end for the flushed ones
now=$(date +%s)
ts=$(TSH /tmp/all.pdml 2055 cflow.abstimestart cflow.abstimeend cflow.flow_end_reason cflow.dstport)
echo "IPFIX start end reason dport:"; echo "$ts" | indent
assert_eq "$(echo "$ts" | python3 -c '
import sys, datetime
bad = 0
for l in sys.stdin:
    parts = l.rsplit(" ", 2)
    t = parts[0].split(" UTC ")[0].strip()
    d = datetime.datetime.strptime(t[:t.index(".")] if "." in t else t, "%b %d, %Y %H:%M:%S")
    if abs(d.replace(tzinfo=datetime.timezone.utc).timestamp() - '"$now"') > 300:
        bad += 1
print(bad)')" 0 "flowStartMilliseconds within minutes of now"
assert_match "$ts" ' 3 5003$' "flowEndReason 3 (end of flow) for the TCP FIN flow"
assert_match "$ts" ' 4 5007$' "flowEndReason 4 (forced end) for a flushed flow"

# options records: statistics, interface list, sampling configuration
ifs=$(TSH /tmp/all.pdml 2055 cflow.if_name cflow.if_descr cflow.scope_interface cflow.inputint | sort -u)
echo "interface records:"; echo "$ifs" | indent
assert_match "$ifs" "^veth0 test uplink $ifidx None$" "v9 interface record: ifName, ifDescr (alias) per ifIndex"
assert_match "$ifs" "^veth0 test uplink None $ifidx$" "IPFIX interface record"
smp=$(TSH /tmp/all.pdml 2055 cflow.sampling_interval cflow.sampling_algorithm cflow.sampler_mode cflow.sampler_random_interval | sort -u)
echo "sampling records:"; echo "$smp" | indent
assert_eq "$smp" "2 1 0 2" "sampling record: interval 2, deterministic"
st=$(TSH /tmp/all.pdml 2055 cflow.flowsexp cflow.packetsexp cflow.octetsexp cflow.permanent_packets cflow.ignore_packets cflow.notsent_flows)
echo "statistics records (flows pdus octets packets ignored notsent):"; echo "$st" | indent
assert_ge "$(echo "$st" | wc -l)" 3 "statistics records sent with the templates"
assert_eq "$(echo "$st" | awk '{ print $5, $6 }' | sort -u)" "0 0" "statistics: nothing ignored, nothing lost"
assert_eq "$(echo "$st" | awk '{ if ($1 < prev || $2 < prevp) bad++; prev = $1; prevp = $2 } END { print bad + 0 }')" 0 "statistics counters only grow"
assert_ge "$(echo "$st" | tail -1 | awk '{ print $1 }')" 11 "statistics: exported flows counted"
lastpk=$(echo "$st" | tail -1 | awk '{ print $4 }')
assert_ge "$lastpk" $((7 + 2 + 3 + 2 + tcp_pkts + 4 + 3 + 5 + 1 + 2 + tcp6_pkts)) "statistics: metered packets"

assert_match "$(nf_stat)" 'Traffic lost 0 pkts, 0 Kbytes, 0 flows' "nothing lost"
# neighbour discovery (ICMPv6 133-137) may arrive after the flush; nothing else may remain
assert_eq "$(awk 'NR > 1 && !($2 == 58 && $7 >= 34048 && $7 < 35328)' /proc/net/stat/ipt_netflow_flows | wc -l)" 0 \
	"no flows left after flush (apart from IPv6 neighbour discovery)"
