#!/usr/bin/env python3
"""v5_fields.py PCAP PORT: the NetFlow v5 record fields beyond the flow key, as tshark
decodes them, one line per record:
"sport tcp_flags input_if output_if tos first_age_ms last_age_ms"
(ages: the PDU header's uptime minus the record's first/last uptime)."""
import subprocess
import sys

fields = ["cflow.sysuptime", "cflow.srcport", "cflow.tcpflags", "cflow.inputint",
          "cflow.outputint", "cflow.tos", "cflow.timestart", "cflow.timeend"]
cmd = ["tshark", "-n", "-r", sys.argv[1], "-d", "udp.port==%s,cflow" % sys.argv[2],
       "-Y", "cflow", "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=;"]
for f in fields:
    cmd += ["-e", f]
out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def ms(t):
    return round(float(t) * 1000)


for line in out.splitlines():
    cols = line.split("\t")
    if len(cols) < len(fields) or not cols[1]:
        continue
    up = ms(cols[0].split(";")[0])
    vals = [c.split(";") for c in cols[1:]]
    for sp, fl, i, o, tos, t0, t1 in zip(*vals):
        print(sp, int(fl, 0), i, o, int(tos, 0), up - ms(t0), up - ms(t1))
