#!/usr/bin/python3
"""stats_compare.py JSON SNMP STAT: `netflowctl stats --json` against
/proc/net/stat/ipt_netflow_snmp and /proc/net/stat/ipt_netflow read at the
same moment of a quiet table: every counter both show must be equal (rates,
which move each second, are left out).  Prints each comparison; exit 1 on any
difference."""
import json
import re
import sys

js = json.load(open(sys.argv[1]))
snmp = {}
cpus, socks = {}, {}
for line in open(sys.argv[2]):
    f = line.split()
    if not f:
        continue
    if re.fullmatch(r"cpu\d+", f[0]):
        cpus[int(f[0][3:])] = f[1:]
    elif re.fullmatch(r"sock\d+", f[0]):
        socks[int(f[0][4:])] = f[1:]
    else:
        snmp[f[0]] = f[1]
stat = open(sys.argv[3]).read()
bad = 0
n = 0


def eq(what, proc, nl):
    global bad, n
    n += 1
    if str(proc) != str(nl):
        bad += 1
        print("DIFF %s: /proc %s, netlink %s" % (what, proc, nl))


t, h, x = js["totals"], js["hash"], js["export"]
for k, v in [("inFlows", t["new_flows"]), ("inPackets", t["packets"]), ("inBytes", t["bytes"]),
             ("hashFlows", h["flows"]), ("hashPackets", h["packets"]), ("hashBytes", h["bytes"]),
             ("hashMemory", h["memory"] + h["flows_memory"]),
             ("dropPackets", t["drop_packets"]), ("dropBytes", t["drop_bytes"]),
             ("outFlows", x["flows"]), ("outPackets", x["pdus"]), ("outBytes", x["bytes"]),
             ("lostFlows", x["lost_flows"]), ("lostPackets", x["lost_packets"]),
             ("lostBytes", x["lost_bytes"]),
             ("errTotal", sum(s["err_sndbuf"] + s["err_connect"] + s["err_cberr"] + s["err_other"]
                              for s in js["sockets"])),
             ("sndbufPeak", max([s["peak"] for s in js["sockets"]] + [0]))]:
    eq("snmp " + k, snmp.get(k), v)

eq("number of cpus", len(cpus), len(js["cpu"]))
for c in js["cpu"]:
    p = cpus.get(c["cpu"], ["?"] * 12)
    # cpuN pps new pkts bytes metric drop_pkts drop_bytes trunc frag alloc maxflows
    for i, k in [(1, "new_flows"), (2, "packets"), (3, "bytes"), (5, "drop_packets"), (6, "drop_bytes"),
                 (7, "truncated"), (8, "fragments"), (9, "alloc_errors"), (10, "maxflows_drops")]:
        eq("cpu%d %s" % (c["cpu"], k), p[i], c[k])

eq("number of sockets", len(socks), len(js["sockets"]))
for s in js["sockets"]:
    p = socks.get(s["index"], ["?"] * 9)
    # sockN name connected err_connect err_sndbuf err_cberr err_other sndbuf filled peak
    for i, k in [(0, "name"), (1, "connected"), (2, "err_connect"), (3, "err_sndbuf"), (4, "err_cberr"),
                 (5, "err_other"), (6, "sndbuf")]:
        eq("sock%d %s" % (s["index"], k), p[i], s[k])
    m = re.search(r"^sock%d: .*sent (\d+) pkts, (\d+) bytes, resent (\d+)" % s["index"], stat, re.M)
    eq("sock%d sent pkts/bytes/resent" % s["index"], m.groups() if m else None,
       (str(s["packets"]), str(s["bytes"]), str(s["resent"])))

m = re.search(r"^Hash: size (\d+) ", stat, re.M)
eq("Hash: size", m and m.group(1), h["size"])
m = re.search(r"^Flows: active (\d+) ", stat, re.M)
eq("Flows: active", m and m.group(1), h["flows"])
m = re.search(r"^Protocol version (\d+) .*Maxflows (\d+)", stat, re.M)
eq("Protocol version, Maxflows", m and m.groups(), (str(x["protocol"]), str(h["maxflows"])))
m = re.search(r"^Total +\d+; +(\d+) +(\d+) +(\d+) .*traffic: (\d+), ", stat, re.M)
eq("Total search/found/new/packets", m and m.groups(),
   (str(t["searched"]), str(t["found"]), str(t["new_flows"]), str(t["packets"])))
m = re.search(r"^Export: .*Total (\d+) pkts, \d+ MB, (\d+) flows; Errors (\d+) pkts", stat, re.M)
eq("Export: pdus/flows/errors", m and m.groups(), (str(x["pdus"]), str(x["flows"]), str(x["error_pdus"])))
print("%d comparisons, %d differences" % (n, bad))
sys.exit(1 if bad else 0)
