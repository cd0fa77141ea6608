#!/bin/bash
# NetFlow v9 and IPFIX export of known IPv4 and IPv6 traffic, with a protocol switch at run
# time in between: nfcapd/nfdump, tshark and nfacctd decode exactly the flows sent (none
# lost, none twice), tshark resolves every field (no unknown elements, nothing malformed, no
# warnings), options records carry the right values, and a collector started after the
# module gets the templates through refresh-rate.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netflow.sh"

TSH() { python3 "$NF_TOOLS/tshark_v9.py" "$@"; }
indent() { sed 's/^/  /'; }

nf_topo
nf_ns nfdst ip link set veth0 alias "test uplink"
ifidx=$(nf_ns nfdst cat /sys/class/net/veth0/ifindex)

# nfacctd (pmacct): per-5-tuple packets and bytes, appended to a CSV every second
cat > /tmp/nfacctd.conf <<EOT
daemonize: false
nfacctd_ip: 127.0.0.1
nfacctd_port: 2057
plugins: print
aggregate: src_host,dst_host,src_port,dst_port,proto
print_output: csv
print_output_file: /tmp/nfacctd.csv
print_output_file_append: true
print_refresh_time: 1
print_num_protos: true
EOT
rm -f /tmp/nfacctd.csv
nf_bg - /tmp/nfacctd.log nfacctd -f /tmp/nfacctd.conf
nfacctd_pid=$NF_BG_PID
nf_wait_udp - 2057 30 || nf_die "nfacctd does not listen: $(cat /tmp/nfacctd.log)"

nf_load protocol=9 destination=127.0.0.1:2055,127.0.0.1:2056,127.0.0.1:2057 engine_id=7 \
	refresh-rate=4
nf_collector_start c 2055
nf_pcap_start all 2055
assert_match "$(nf_stat)" '^Protocol version 9 \(netflow\), refresh-rate 4, timeout-rate 30, \(templates 9, active 0\)' "/proc: v9, templates defined, none used yet"

nf_ns nfdst iptables -I INPUT -j NETFLOW
nf_ns nfdst ip6tables -I INPUT -j NETFLOW
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
assert_match "$(nf_stat)" '\(templates 9, active [4-9]\)' "/proc: templates in use after v9 export"

# ---- part 2: flows metered under v9, protocol switched before they are exported
nf_udp nfsrc 10.0.0.2 5005 4 200 40005             # 4 x 228 = 912
nf_udp nfsrc fd00::2 5006 3 10 40006               # 3 x 58 = 174
assert_ok sysctl -q -w net.netflow.protocol=10
assert_match "$(nf_stat)" '^Protocol version 10 \(ipfix\), refresh-rate 4, timeout-rate 30, \(templates 9, active 0\)' "/proc: IPFIX after the switch"

# ---- part 3: IPFIX, with a TCP-over-IPv6 flow that ends by FIN before the flush
nf_udp nfsrc 10.0.0.2 5007 5 300 40007             # 5 x 328 = 1640
nf_udp nfsrc fd00::2 5008 1 1000 40008             # 1048
nf_ns nfsrc ping -6 -c 2 -s 100 -i 0.2 -W 2 fd00::2 >/dev/null   # 2 x 148 = 296
nf_ns nfsrc python3 "$NF_TOOLS/tcp_session.py" client fd00::2 5003 40009 3000 fin >/dev/null
sleep 1.5
read -r tcp6_pkts tcp6_bytes < <(tcp_count ip6tables)
assert_ge "$tcp6_pkts" 5 "TCP/IPv6 packets counted by ip6tables"
assert_ok sysctl -q -w net.netflow.flush=1

# ---- part 4: a collector that starts after the module, fed by template refresh
nf_collector_start late 2056
nf_pcap_start late 2056
for i in 1 2 3 4 5 6; do
	nf_udp nfsrc 10.0.0.2 $((5100 + i)) 1 10 $((41000 + i))   # 38 bytes each
	assert_ok sysctl -q -w net.netflow.flush=1
done

# ---- part 5: sampling 1 in 2 (deterministic), announced in the sampling options record
assert_ok sysctl -q -w net.netflow.sampler=deterministic:2
# same destinations again: new sockets, so templates and options records go out at once
assert_ok sysctl -q -w net.netflow.destination=127.0.0.1:2055,127.0.0.1:2056,127.0.0.1:2057
for i in 1 2 3 4; do
	nf_udp nfsrc 10.0.0.2 $((5200 + i)) 1 10 $((42000 + i))
done
assert_ok sysctl -q -w net.netflow.flush=1
sleep 2.5    # nfacctd writes its CSV every second
nf_collector_stop c
nf_collector_stop late
nf_pcap_stop all
nf_pcap_stop late
kill -INT "$nfacctd_pid" 2>/dev/null || true

expected=$(sort <<EOT
17 10.0.0.1 40001 10.0.0.2 5001 7 896
17 fd00::1 40004 fd00::2 5004 2 196
6 10.0.0.1 40003 10.0.0.2 5003 $tcp_pkts $tcp_bytes
17 10.0.0.1 40005 10.0.0.2 5005 4 912
17 fd00::1 40006 fd00::2 5006 3 174
17 10.0.0.1 40007 10.0.0.2 5007 5 1640
17 fd00::1 40008 fd00::2 5008 1 1048
6 fd00::1 40009 fd00::2 5003 $tcp6_pkts $tcp6_bytes
17 10.0.0.1 41001 10.0.0.2 5101 1 38
17 10.0.0.1 41002 10.0.0.2 5102 1 38
17 10.0.0.1 41003 10.0.0.2 5103 1 38
17 10.0.0.1 41004 10.0.0.2 5104 1 38
17 10.0.0.1 41005 10.0.0.2 5105 1 38
17 10.0.0.1 41006 10.0.0.2 5106 1 38
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

# ---- tshark: the same records
tsh=$(TSH /tmp/all.pcap 2055 | sort) || nf_fail "tshark reported malformed packets"
echo "tshark decoded:"; echo "$tsh" | indent
assert_eq "$(echo "$tsh" | main)" "$expected" "tshark: the same flows exactly"
assert_match "$tsh" '^1 10\.0\.0\.1 0 10\.0\.0\.2 2048 3 252$' "tshark: ICMP echo flow"
assert_match "$tsh" '^58 fd00::1 0 fd00::2 32768 2 208$' "tshark: ICMPv6 echo flow (v9)"
assert_match "$tsh" '^58 fd00::1 0 fd00::2 32768 2 296$' "tshark: ICMPv6 echo flow (IPFIX)"
assert_eq "$(echo "$tsh" | sampled)" 2 "tshark: 2 sampled flows"

# every field resolves to a named one; nothing malformed, no expert warnings (this
# includes Wireshark's sequence-number analysis per observation domain)
tv=$(tshark -n -r /tmp/all.pcap -d udp.port==2055,cflow -V 2>&1)
bad=$(echo "$tv" | grep -E 'Unknown|unknown|Malformed|Expert Info \((Warn|Error)|[Nn]o [Tt]emplate|Trailing stray' | sort | uniq -c || true)
echo "tshark -V complaints:"; echo "$bad" | indent
assert_eq "$bad" "" "tshark -V: no unknown fields, malformed packets or warnings"
assert_match "$tv" 'Type: flowEndReason \(136\)' "IPFIX template carries flowEndReason"
assert_match "$tv" 'Type: flowStartMilliseconds \(152\)' "IPFIX template carries flowStartMilliseconds"
assert_match "$tv" 'Type: FIRST_SWITCHED \(22\)' "v9 template carries FIRST_SWITCHED"

# headers: versions in order (v9 then IPFIX), domain = engine_id, sequence numbers as the
# RFCs count them: v9 one per PDU, IPFIX the data records before the PDU
hdrs=$(tshark -n -r /tmp/all.pcap -d udp.port==2055,cflow -T fields -E occurrence=f \
	-e cflow.version -e cflow.sequence -e cflow.source_id -e cflow.od_id -e cflow.count \
	-e cflow.flowset_id 2>/dev/null)
echo "PDU headers (version sequence source_id od_id count):"; echo "$hdrs" | indent
assert_eq "$(echo "$hdrs" | awk '{ print $1 }' | uniq | tr '\n' ' ')" "9 10 " "v9 PDUs, then IPFIX PDUs"
assert_eq "$(echo "$hdrs" | awk -F'\t' '($1 == 9 && $3 != 7) || ($1 == 10 && $4 != 7) { bad++ } END { print bad + 0 }')" 0 "source id / observation domain = engine_id 7"
XX
nrec=$(tshark -n -r /tmp/all.pcap -d udp.port==2055,cflow -T pdml 2>/dev/null | python3 -c '
import sys, xml.etree.ElementTree as ET
for pkt in ET.parse(sys.stdin).getroot().iter("packet"):
    n = sum(1 for f in pkt.iter("field") if (f.get("show") or "").startswith("Flow ") and f.get("name") == "")
    print(n)')
seqok=$(paste <(echo "$hdrs") <(echo "$nrec") | awk -F'\t' '
	NR == 1 { seq = $2 }
	{ if ($2 != seq) bad++; seq += ($1 == 9 ? 1 : $7) }
	END { print bad + 0 }')
assert_eq "$seqok" 0 "sequence numbers: v9 +1 per PDU, IPFIX + data records per PDU"

# IPFIX timestamps are absolute and recent; flowEndReason: end of flow for the FIN flow,
# forced end for the flushed ones
now=$(date +%s)
ts=$(TSH /tmp/all.pcap 2055 cflow.abstimestart cflow.abstimeend cflow.flow_end_reason cflow.dstport)
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
ifs=$(TSH /tmp/all.pcap 2055 cflow.if_name cflow.if_descr cflow.scope_interface cflow.inputint | sort -u)
echo "interface records:"; echo "$ifs" | indent
assert_match "$ifs" "^veth0 test uplink $ifidx None$" "v9 interface record: ifName, ifDescr (alias) per ifIndex"
assert_match "$ifs" "^veth0 test uplink None $ifidx$" "IPFIX interface record"
smp=$(TSH /tmp/all.pcap 2055 cflow.sampling_interval cflow.sampling_algorithm cflow.sampler_mode cflow.sampler_random_interval | sort -u)
echo "sampling records:"; echo "$smp" | indent
assert_eq "$smp" "2 1 0 2" "sampling record: interval 2, deterministic"
st=$(TSH /tmp/all.pcap 2055 cflow.flowsexp cflow.packetsexp cflow.octetsexp cflow.permanent_packets cflow.ignore_packets cflow.notsent_flows)
echo "statistics records (flows pdus octets packets ignored notsent):"; echo "$st" | indent
assert_ge "$(echo "$st" | wc -l)" 3 "statistics records sent with the templates"
assert_eq "$(echo "$st" | awk '{ print $5, $6 }' | sort -u)" "0 0" "statistics: nothing ignored, nothing lost"
assert_eq "$(echo "$st" | awk '{ if ($1 < prev || $2 < prevp) bad++; prev = $1; prevp = $2 } END { print bad + 0 }')" 0 "statistics counters only grow"
assert_ge "$(echo "$st" | tail -1 | awk '{ print $1 }')" 14 "statistics: exported flows counted"
lastpk=$(echo "$st" | tail -1 | awk '{ print $4 }')
assert_ge "$lastpk" $((7 + 2 + 3 + 2 + tcp_pkts + 4 + 3 + 5 + 1 + 2 + tcp6_pkts + 6)) "statistics: metered packets"

# ---- the collector that started late decoded what came after a template refresh
late=$(nf_collector_flows late)
echo "late nfdump decoded:"; echo "$late" | indent
assert_match "$late" '^17 10\.0\.0\.1 41006 10\.0\.0\.2 5106 1 38$' "late collector: flows after the template refresh"
assert_eq "$(echo "$late" | main | grep -vxF -f <(echo "$expected") || true)" "" "late collector: nothing it should not have"
latetsh=$(TSH /tmp/late.pcap 2056 | sort) || nf_fail "tshark (late) reported malformed packets"
assert_match "$latetsh" '^17 10\.0\.0\.1 41006 10\.0\.0\.2 5106 1 38$' "late tshark: templates arrived, records decoded"

# ---- pmacct nfacctd
nf_wait_for 10 sh -c "! kill -0 $nfacctd_pid 2>/dev/null" || true
echo "nfacctd CSV (head):"; head -5 /tmp/nfacctd.csv 2>/dev/null | indent
acct=$(awk -F, 'NR == 1 || $1 ~ /^[A-Z_]+$/ { next }
	{ k = $5 " " $1 " " $3 " " $2 " " $4; p[k] += $6; b[k] += $7 }
	END { for (k in p) print k, p[k], b[k] }' /tmp/nfacctd.csv 2>/dev/null | sort)
echo "nfacctd decoded:"; echo "$acct" | indent
assert_eq "$(echo "$acct" | main)" "$expected" "nfacctd: the same flows exactly"

assert_match "$(nf_stat)" 'Traffic lost 0 pkts, 0 Kbytes, 0 flows' "nothing lost"
assert_eq "$(nf_snmp hashFlows)" 0 "no flows left after flush"
