#!/usr/bin/env python3
"""tshark_v9.py PCAP|PDML PORT[,PORT...] [FIELD...]: NetFlow v9 / IPFIX data records as tshark
decodes them (from its PDML tree, record by record), one line each:
"proto src sport dst dport packets bytes" (ICMP: source port 0, type*256+code as the
destination port), IPv4 and IPv6 alike.  With FIELD arguments, prints instead for every
record (options records too) that has the first FIELD the values of all FIELDs.
A FILE.pdml is tshark's PDML output, read instead of running tshark again (tshark is slow
to start in the test VM).  Exits 1 if tshark reports a malformed packet."""
import subprocess
import sys
import xml.etree.ElementTree as ET

if sys.argv[1].endswith(".pdml"):
    with open(sys.argv[1]) as f:
        xml = f.read()
else:
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
        # a record: "Flow N", its fields below it (some nested, e.g. the timestamps)
        if node.get("name") != "" or not (node.get("show") or "").startswith("Flow "):
            continue
        kids = {c.get("name"): c for c in node.iter("field") if c is not node}
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
