#!/usr/bin/env python3
"""tshark_flows.py PCAP PORT: NetFlow records tshark decodes, one line each:
"proto src sport dst dport packets bytes" (proto as a number, like nfdump -N).
Exits 1 if tshark reports a malformed packet."""
import subprocess
import sys

fields = ["cflow.srcaddr", "cflow.dstaddr", "cflow.srcport", "cflow.dstport",
          "cflow.protocol", "cflow.packets", "cflow.octets", "_ws.malformed"]
cmd = ["tshark", "-n", "-r", sys.argv[1], "-d", "udp.port==%s,cflow" % sys.argv[2],
       "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=;"]
for f in fields:
    cmd += ["-e", f]
out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
bad = 0
for line in out.splitlines():
    cols = line.split("\t")
    if len(cols) < 7 or not cols[0]:
        continue
    if len(cols) > 7 and cols[7]:
        bad += 1
    vals = [c.split(";") for c in cols[:7]]
    for src, dst, sp, dp, pr, pk, by in zip(*vals):
        print(pr, src, sp, dst, dp, pk, by)
if bad:
    print("tshark: %d malformed packets" % bad, file=sys.stderr)
    sys.exit(1)
