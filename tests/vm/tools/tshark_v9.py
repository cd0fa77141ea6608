#!/usr/bin/env python3
"""tshark_v9.py PCAP PORT[,PORT...] [FIELD...]: NetFlow v9 / IPFIX data records as tshark
decodes them (from its PDML tree, record by record), one line each:
"proto src sport dst dport packets bytes" (ICMP: source port 0, type*256+code as the
destination port), IPv4 and IPv6 alike.  With FIELD arguments, prints instead for every
record (options records too) that has the first FIELD the values of all FIELDs.
Exits 1 if tshark reports a malformed packet."""
import subprocess
import sys
import xml.etree.ElementTree as ET

cmd = ["tshark", "-n", "-r", sys.argv[1], "-T", "pdml"]
for port in sys.argv[2].split(","):
    cmd += ["-d", "udp.port==%s,cflow" % port]
xml = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
root = ET.fromstring(xml)
want = sys.argv[3:]
bad = 0


def val(rec, name):
    f = rec.get(name)
    if f is None:
        return None
    return f.get("show")


for pkt in root.iter("packet"):
    for p in pkt.iter("proto"):
        if p.get("name") == "_ws.malformed":
            bad += 1
    for node in pkt.iter("field"):
        kids = {c.get("name"): c for c in node.findall("field")}
        if want:
            if want[0] in kids:
                print(" ".join(str(val(kids, w)) for w in want))
            continue
        if "cflow.protocol" not in kids or "cflow.packets" not in kids:
            continue
        src = val(kids, "cflow.srcaddr") or val(kids, "cflow.srcaddrv6")
        dst = val(kids, "cflow.dstaddr") or val(kids, "cflow.dstaddrv6")
        pr = val(kids, "cflow.protocol")
        icmp = val(kids, "cflow.icmp_type_code_ipv4")
        if icmp is not None:
            sp, dp = "0", str(int(icmp, 0))
        elif "cflow.icmp_ipv6_type" in kids:
            sp = "0"
            dp = str(int(val(kids, "cflow.icmp_ipv6_type")) * 256 +
                     int(val(kids, "cflow.icmp_ipv6_code")))
        else:
            sp = val(kids, "cflow.srcport") or "0"
            dp = val(kids, "cflow.dstport") or "0"
        print(pr, src, sp, dst, dp, val(kids, "cflow.packets"), val(kids, "cflow.octets"))
if bad:
    print("tshark: %d malformed packets" % bad, file=sys.stderr)
    sys.exit(1)
