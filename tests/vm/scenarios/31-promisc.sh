#!/bin/bash
# The promisc hack (promisc=1, the module built with it and MPLS: make kmod-full): frames
# mirrored to an interface for another host's MAC (PACKET_OTHERHOST) are metered by a
# raw PREROUTING rule, with the VLAN tags and the MPLS label stack they carry; frames
# that are not IP are counted as discarded; promisc=0 at run time stops it.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netflow.sh"

nf_topo
other=02:00:00:00:00:99	# the mirrored traffic's destination: not nfdst
nf_ns nfdst ip link set veth0 promisc on
nf_load_full protocol=10 destination=127.0.0.1:2055 promisc=1 inactive_timeout=600 active_timeout=600
assert_match "$(nf_stat)" '^Promisc hack is enabled \(observed 0 packets, discarded 0\)\.' "/proc: promisc on"
nf_collector_start c 2055
nf_cap_start /tmp/promisc.pcap 2055
nf_ns nfdst iptables -t raw -I PREROUTING -d 198.51.100.1 -j NETFLOW

mirror() { # CASE COUNT DPORT
	nf_ns nfsrc python3 "$NF_TOOLS/send_fields.py" veth0 "$other" "$1" "$2" "$3" >/dev/null
}
mirror mirror 3 7001
mirror mirror:vlan=100/3 2 7002
mirror mirror:vlan=100,200 2 7003
mirror mirror:mpls=1000,2000 4 7004
mirror mirror:vlan=300:mpls=3000 2 7005
mirror mirror-nonip 2 0
# ordinary traffic to nfdst itself is not a promisc frame
nf_udp nfsrc 10.0.0.2 7010 2 10 40010
sleep 1
assert_match "$(nf_stat)" '^Promisc hack is enabled \(observed 15 packets, discarded 2\)\.' "/proc: 15 mirrored frames seen, 2 not IP"
assert_ok sysctl -q -w net.netflow.flush=1

# run time off: not seen any more
assert_ok sysctl -q -w net.netflow.promisc=0
mirror mirror 5 7020
sleep 1
assert_match "$(nf_stat)" '^Promisc hack is disabled \(observed 15 packets, discarded 2\)\.' "/proc: promisc off, nothing more seen"
assert_ok sysctl -q -w net.netflow.flush=1
sleep 1
nf_collector_stop c
nf_cap_stop

got=$(nf_collector_flows c)
echo "nfdump:"; echo "$got" | sed 's/^/  /'
# 20 + 8 + 16 = 44 bytes per IPv4 packet
assert_eq "$(echo "$got" | grep ' 198\.51\.100\.1 ' || true)" "$(printf '%s\n' \
	'17 192.0.2.1 40030 198.51.100.1 7001 3 132' '17 192.0.2.1 40030 198.51.100.1 7002 2 88' \
	'17 192.0.2.1 40030 198.51.100.1 7003 2 88' '17 192.0.2.1 40030 198.51.100.1 7004 4 176' \
	'17 192.0.2.1 40030 198.51.100.1 7005 2 88')" "nfdump: each mirrored flow, exactly; none after promisc=0"

tshark -n -r /tmp/promisc.pcap -d udp.port==2055,cflow -T pdml > /tmp/promisc.pdml 2>/dev/null
bad=$(nf_pdml_complaints /tmp/promisc.pdml)
assert_eq "$bad" "" "tshark: every field named, nothing malformed"
# per record: destination port, VLAN id / priority, customer VLAN, MPLS label stack
recs=$(python3 - /tmp/promisc.pdml <<'EOT'
import sys
import xml.etree.ElementTree as ET
for node in ET.parse(sys.argv[1]).getroot().iter("field"):
    if node.get("name") != "" or not (node.get("show") or "").startswith("Flow "):
        continue
    out, labels = {}, []
    for c in node.iter("field"):
        n, v = c.get("name"), c.get("show")
        if n in ("cflow.dstport", "cflow.dot1q_vlan_id", "cflow.dot1q_priority",
                 "cflow.dot1q_customer_vlan_id"):
            out[n] = v
        elif n == "cflow.mpls_label":
            labels.append(str(int(v, 0)) if v else "?")
    if "cflow.dstport" in out:
        print(out["cflow.dstport"], out.get("cflow.dot1q_vlan_id", "-"),
              out.get("cflow.dot1q_priority", "-"), out.get("cflow.dot1q_customer_vlan_id", "-"),
              ",".join(labels) or "-")
EOT
)
echo "tshark (dport vlan prio cvlan labels):"; echo "$recs" | sed 's/^/  /'
assert_match "$recs" '^7001 - - - -$' "plain mirrored frame: no tags, no labels"
assert_match "$recs" '^7002 100 3 - -$' "VLAN 100 priority 3"
assert_match "$recs" '^7003 100 0 200 -$' "QinQ 100 / 200"
assert_match "$recs" '^7004 - - - 1000,2000,0$' "MPLS labels 1000, 2000"
assert_match "$recs" '^7005 300 0 - 3000,0,0$' "VLAN 300 and MPLS label 3000"
nf_dmesg_clean
