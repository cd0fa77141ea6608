#!/bin/bash
# NetFlow v5 export of known traffic: nfcapd/nfdump and tshark decode exactly the flows
# sent — addresses, ports, protocol, packets, bytes (IP length).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netflow.sh"

nf_topo
nf_load destination=127.0.0.1:2055 engine_id=3
nf_collector_start c 2055
nf_pcap_start v5 2055
nf_ns nfdst iptables -I INPUT -j NETFLOW
nf_ns nfdst ip6tables -I INPUT -p udp -j NETFLOW
nf_ns nfdst iptables -A INPUT -p tcp --dport 5003 -j ACCEPT   # counts the TCP flow
nf_bg nfdst /tmp/tcp-server.log python3 "$NF_TOOLS/tcp_session.py" server 5003
nf_wait_tcp nfdst 5003 20 || nf_die "TCP server did not start"

nf_udp nfsrc 10.0.0.2 5001 7 100 40001    # 7 x (100 + 28) = 896 bytes
nf_udp nfsrc 10.0.0.2 5002 3 1000 40002   # 3 x 1028 = 3084 bytes
nf_ns nfsrc ping -c 4 -s 56 -i 0.2 -W 2 10.0.0.2 >/dev/null   # 4 x 84 = 336 bytes
nf_ns nfsrc python3 "$NF_TOOLS/tcp_session.py" client 10.0.0.2 5003 40003 5000 fin >/dev/null
nf_udp nfsrc fd00::2 5004 2 50 40004      # IPv6: v5 cannot carry it
sleep 1
read -r tcp_pkts tcp_bytes < <(nf_ns nfdst iptables -L INPUT -v -x -n | awk '/dpt:5003/ { print $1, $2 }')
assert_ge "$tcp_pkts" 5 "TCP packets counted by iptables"

assert_ok sysctl -q -w net.netflow.flush=1
nf_collector_stop c
nf_pcap_stop v5

expected=$(sort <<EOT
17 10.0.0.1 40001 10.0.0.2 5001 7 896
17 10.0.0.1 40002 10.0.0.2 5002 3 3084
6 10.0.0.1 40003 10.0.0.2 5003 $tcp_pkts $tcp_bytes
EOT
)
got=$(nf_collector_flows c)
echo "nfdump decoded:"; echo "$got" | sed 's/^/  /'
assert_eq "$(echo "$got" | grep -v '^1 ')" "$expected" "nfdump: UDP and TCP flows exactly"
assert_match "$got" '^1 10\.0\.0\.1 0 10\.0\.0\.2 (8\.0|2048) 4 336$' "nfdump: ICMP echo flow (type 8 in dst port)"
assert_eq "$(echo "$got" | wc -l)" 4 "nfdump: no other records"

tsh=$(nf_pcap_flows v5) || nf_fail "tshark reported malformed packets"
echo "tshark decoded:"; echo "$tsh" | sed 's/^/  /'
assert_eq "$(echo "$tsh" | grep -v '^1 ')" "$expected" "tshark: UDP and TCP flows exactly"
assert_match "$tsh" '^1 10\.0\.0\.1 0 10\.0\.0\.2 2048 4 336$' "tshark: ICMP flow"
# PDU headers: v5, engine id 3, each sequence = records sent before it (the FIN flow
# went out on its own before the flush)
hdrs=$(tshark -n -r /tmp/v5.pcap -d udp.port==2055,cflow -T fields -e cflow.version \
	-e cflow.engine_id -e cflow.count -e cflow.sequence 2>/dev/null)
echo "PDU headers (version engine count sequence):"; echo "$hdrs" | sed 's/^/  /'
assert_eq "$(echo "$hdrs" | awk -F'\t' '$1 != 5 || $2 != 3 { bad++ } { if ($4 != seq) bad++; seq += $3 } END { print bad + 0, seq }')" "0 4" "v5 headers: version, engine id, sequence numbers, 4 records"
# the other record fields: TCP flags (SYN, ACK and FIN seen), ingress interface (the INPUT
# rule: no egress), TOS, first <= last, both within the last minute of the header's uptime
fields=$(python3 "$NF_TOOLS/v5_fields.py" /tmp/v5.pcap 2055)
echo "record fields (sport flags in out tos first_age_ms last_age_ms):"; echo "$fields" | sed 's/^/  /'
ifidx=$(nf_ns nfdst cat /sys/class/net/veth0/ifindex)
tcp_flags=$(echo "$fields" | awk '$1 == 40003 { print $2 }')
assert_eq "$((tcp_flags & 19))" 19 "TCP flow: SYN, ACK and FIN flags"
assert_eq "$(echo "$fields" | awk '$1 == 40001 { print $2 }')" 0 "UDP flow: no TCP flags"
assert_eq "$(echo "$fields" | awk -v i="$ifidx" '$3 != i || $4 != 0 || $5 != 0 { bad++ } END { print bad + 0, NR }')" \
	"0 4" "every record: input interface $ifidx, output 0, TOS 0"
assert_eq "$(echo "$fields" | awk '$7 < 0 || $6 < $7 || $6 > 60000 { bad++ } END { print bad + 0 }')" 0 \
	"every record: 0 <= last age <= first age < 60 s"

# statistics agree
assert_eq "$(nf_snmp outFlows)" 4 "outFlows"
assert_eq "$(nf_snmp hashFlows)" 0 "no flows left after flush"
assert_eq "$(nf_snmp inPackets)" $((7 + 3 + 4 + tcp_pkts + 2)) "inPackets"
assert_eq "$(nf_snmp inBytes)" $((896 + 3084 + 336 + tcp_bytes + 2 * 98)) "inBytes"
assert_match "$(nf_stat)" '^Unexportable: 1 IPv6 flows' "IPv6 flow counted as unexportable under v5"
assert_match "$(dmesg)" 'IPv6 flows cannot be exported as NetFlow v5' "one-time message about IPv6 under v5"
assert_match "$(nf_stat)" 'Traffic lost 0 pkts, 0 Kbytes, 0 flows' "nothing lost"
