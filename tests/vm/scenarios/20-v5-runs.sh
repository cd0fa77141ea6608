#!/bin/bash
# NetFlow v5 bursts: full PDUs leave in runs of up to 32, one UDP GSO send per run where the
# route allows it. A flush of 2,000 flows is 67 PDUs (66 of 30 records, one of 20) in three
# runs (32, 32, 3); every flow arrives exactly once, packets and bytes exact, and the PDU
# sequence numbers are contiguous — whoever cuts the run into datagrams:
#   A. lo segments itself: a capture on lo sees the three runs as three large packets,
#      the receiving socket (nfcapd) cuts them into the 67 datagrams (kernels whose lo
#      has UDP segmentation: not 5.10);
#   B. lo without UDP segmentation: the stack cuts each run before lo (as for a NIC
#      without USO): tshark sees 67 datagrams and decodes every flow;
#   C. a device that takes runs whole (dummy: 3 packets through it) and, with its checksum
#      offload off, one that cannot take GSO at all: the module sends PDU by PDU from the
#      first refused run on (67 datagrams), nothing lost, no socket error counted.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netflow.sh"

ulimit -n 8192 # send_flows.py holds one socket per flow
N=2000
nf_topo
nf_load destination=127.0.0.1:2055 inactive_timeout=600 active_timeout=600
nf_ns nfdst iptables -I INPUT -s 10.0.0.1 -p udp --dport 7000 -j NETFLOW

burst() { # FIRST_SPORT: N flows of one 20-byte datagram (48 B on the wire), then a flush
	nf_ns nfsrc python3 "$NF_TOOLS/send_flows.py" 10.0.0.2 7000 "$1" $N 1 20 >/dev/null
	assert_eq "$(nf_snmp hashFlows)" $N "$N flows in the table before the flush"
	assert_ok sysctl -q -w net.netflow.flush=1
}
expected() { # FIRST_SPORT
	seq "$1" $(($1 + N - 1)) | awk '{ print "17 10.0.0.1", $1, "10.0.0.2 7000 1 48" }' | sort
}
pdu_headers() { # PCAP: "count sequence" per v5 PDU tshark decodes
	tshark -n -r "$1" -d udp.port==2055,cflow -Y cflow -T fields -e cflow.count \
		-e cflow.sequence 2>/dev/null
}
frames() { tshark -n -r "$1" -T fields -e frame.number 2>/dev/null | wc -l; }
check_pdus() { # PCAP SEQ0 WHAT: 67 PDUs, 66 x 30 + 20 records, sequence contiguous from SEQ0
	local h
	h=$(pdu_headers "$1")
	assert_eq "$(echo "$h" | wc -l)" 67 "$3: 67 v5 PDUs"
	assert_eq "$(echo "$h" | awk -v s="$2" '{ if ($2 != s) bad++; s += $1; n[$1]++ } END { print bad + 0, n[30], n[20], s }')" \
		"0 66 1 $(($2 + N))" "$3: 66 full PDUs and one of 20, sequence numbers contiguous"
}
seq_now() { # the sequence number of the next PDU: records sent so far (no loss, v5)
	nf_snmp outFlows
}

# --- A. lo with UDP segmentation: the runs reach nfcapd's socket whole --------------------
# uso DEV: the state of its UDP segmentation offload ("on", "off", "off [fixed]").
uso() { ethtool -k "$1" | awk '$1 == "tx-udp-segmentation:" { $1 = ""; sub(/^ /, ""); print }'; }
# On bullseye's 5.10 loopback and dummy offer no UDP segmentation at all ("off [fixed]"
# there: NETIF_F_GSO_UDP_L4 was not yet in NETIF_F_GSO_SOFTWARE): every run is cut by the stack in
# software before the device, as in B; the module sends the same runs either way.
old_stack=0
[ "$(uso lo)" != "off [fixed]" ] || old_stack=1
if [ $old_stack = 1 ]; then
	echo "A: skipped: lo has no UDP segmentation on $(uname -r) (B covers runs the stack cuts)"
else
	ethtool -K lo tx-udp-segmentation on >/dev/null || nf_die "ethtool: lo UDP segmentation on"
	nf_collector_start a 2055
	rm -f /tmp/runs-a.pcap
	nf_bg - /tmp/dumpcap-a.log dumpcap -q -i lo -f 'udp port 2055' -w /tmp/runs-a.pcap
	cap=$NF_BG_PID
	nf_wait_for 120 grep -q 'Capturing on' /tmp/dumpcap-a.log || nf_die "dumpcap did not start"
	burst 30000
	sleep 1
	kill -INT "$cap"
	nf_wait_for 20 sh -c "! kill -0 $cap 2>/dev/null" || nf_fail "dumpcap did not stop"
	nf_collector_stop a
	assert_eq "$(nf_collector_flows a)" "$(expected 30000)" "A: nfcapd decoded all $N flows exactly"
	lens=$(tshark -n -r /tmp/runs-a.pcap -T fields -e udp.length 2>/dev/null | tr '\n' ' ')
	echo "A: UDP lengths on lo: $lens"
	assert_eq "$lens" "$((32 * 1464 + 8)) $((32 * 1464 + 8)) $((2 * 1464 + 24 + 20 * 48 + 8)) " \
		"A: three runs on lo (32, 32 and 3 PDUs), each one packet"
fi

# --- B. lo without UDP segmentation: the stack cuts the runs ------------------------------
s0=$(seq_now)
nf_collector_start b 2055
nf_pcap_start b 2055 # turns lo's UDP segmentation off
burst 40000
nf_pcap_stop b
nf_collector_stop b
assert_eq "$(nf_collector_flows b)" "$(expected 40000)" "B: nfcapd decoded all $N flows exactly"
assert_eq "$(frames /tmp/b.pcap)" 67 "B: 67 datagrams on lo"
check_pdus /tmp/b.pcap "$s0" B
tsh=$(nf_pcap_flows b) || nf_fail "B: tshark reported malformed packets"
assert_eq "$tsh" "$(expected 40000)" "B: tshark decoded all $N flows exactly"

# --- C. a device that takes runs whole, then one that takes no GSO ------------------------
ip link add nfd0 type dummy
sysctl -q -w net.ipv6.conf.nfd0.disable_ipv6=1 # no router solicitations in its counters
ip addr add 10.98.0.1/24 dev nfd0
ip link set nfd0 up
txp() { cat /sys/class/net/nfd0/statistics/tx_packets; }
txb() { cat /sys/class/net/nfd0/statistics/tx_bytes; }
assert_ok sysctl -q -w net.netflow.destination=10.98.0.2:2055
p0=$(txp) b0=$(txb)
burst 50000
if [ $old_stack = 0 ] || [ "$(uso nfd0)" = on ]; then
	assert_eq "$(($(txp) - p0))" 3 "C: dummy (UDP segmentation offload) got the three runs whole"
	assert_eq "$(($(txb) - b0))" $((N * 48 + 67 * 24 + 3 * 42)) "C: ... carrying every record"
else # see A: the stack cut the runs
	assert_eq "$(($(txp) - p0))" 67 "C: dummy without UDP segmentation ($(uname -r)): the stack cut the runs, 67 datagrams"
	assert_eq "$(($(txb) - b0))" $((N * 48 + 67 * (24 + 42))) "C: ... carrying every record"
fi
ethtool -K nfd0 tx off >/dev/null || nf_die "ethtool -K nfd0 tx off"
p0=$(txp) b0=$(txb)
burst 52000
assert_eq "$(($(txp) - p0))" 67 "C: without checksum offload (no GSO): 67 datagrams, PDU by PDU"
assert_eq "$(($(txb) - b0))" $((N * 48 + 67 * (24 + 42))) "C: ... of the PDUs' sizes"
assert_eq "$(nf_snmp outFlows)" $(((4 - old_stack) * N)) "every flow counted as sent"
assert_eq "$(nf_snmp lostFlows)" 0 "no flow lost"
assert_match "$(nf_stat)" 'Traffic lost 0 pkts, 0 Kbytes, 0 flows' "nothing lost (/proc)"
assert_eq "$(awk '$1 == "sock0" { print $4 + $5 + $6 + $7 }' /proc/net/stat/ipt_netflow_snmp)" 0 \
	"no socket error counted (the refused GSO send is not an error)"
