#!/usr/bin/env python3
"""natflows_check.py CONNTRACK RECORDS: check the post-NAT fields of flow records against
the router's conntrack table (a copy of /proc/net/nf_conntrack).

RECORDS: one line per record, "proto src sport dst dport xsrc xsport xdst xdport" (the
post-NAT fields "-", "None", 0.0.0.0 or :: when the record has none).  Each record is
matched to the connection it belongs to by any of the ways its packets can look at a
hook (before NAT, after DNAT only, after both; likewise for replies).  A translated
connection's record must carry, exactly, the addresses and ports after every
translation; any other record must carry none.  Prints "OK KIND record" or "BAD ..." per
record, KIND being snat, dnat, both or none; exits 1 if any is BAD."""
import ipaddress
import re
import sys

NONE = {"-", "None", "0.0.0.0", "::", ""}


def addr(a):
    return str(ipaddress.ip_address(a))


PROTO = {"6": "tcp", "17": "udp", "TCP": "tcp", "UDP": "udp", "tcp": "tcp", "udp": "udp"}
conns = []
for line in open(sys.argv[1]):
    f = dict()
    tup = []
    for m in re.finditer(r"(src|dst|sport|dport)=(\S+)", line):
        f[m.group(1)] = m.group(2)
        if m.group(1) == "dport":
            tup.append((addr(f["src"]), int(f["sport"]), addr(f["dst"]), int(f["dport"])))
    if len(tup) != 2:
        continue
    conns.append((PROTO.get(line.split()[3], "?"), tup[0], tup[1]))


def views(o, r):
    """(views of the original direction, its post), (views of the replies, their post)"""
    osrc, osp, odst, odp = o
    rsrc, rsp, rdst, rdp = r
    orig = {(osrc, osp, odst, odp), (osrc, osp, rsrc, rsp), (rdst, rdp, rsrc, rsp)}
    reply = {(rsrc, rsp, rdst, rdp), (rsrc, rsp, osrc, osp), (odst, odp, osrc, osp)}
    return (orig, (rdst, rdp, rsrc, rsp)), (reply, (odst, odp, osrc, osp))


bad = 0
for line in open(sys.argv[2]):
    w = line.split()
    if len(w) != 9 or not (w[2].isdigit() and w[4].isdigit()):
        continue	# not a record of a protocol with ports
    proto = PROTO.get(w[0], w[0])
    key = (addr(w[1]), int(w[2]), addr(w[3]), int(w[4]))
    got = None if w[5] in NONE else (addr(w[5]), int(w[6]), addr(w[7]), int(w[8]))
    kind, want = "none", None
    for p, o, r in conns:
        if p != proto:
            continue
        for vs, post in views(o, r):
            if key in vs:
                snat = (o[0], o[1]) != (r[2], r[3])
                dnat = (o[2], o[3]) != (r[0], r[1])
                kind = "both" if snat and dnat else "snat" if snat else "dnat" if dnat else "none"
                want = post if kind != "none" else None
    rec = " ".join(w[:5])
    if got == want:
        print("OK", kind, rec)
    else:
        bad += 1
        print("BAD", kind, rec, "expected", want, "got", got)
sys.exit(1 if bad else 0)
