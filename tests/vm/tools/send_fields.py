#!/usr/bin/env python3
"""send_fields.py IFACE DSTMAC CASE COUNT DPORT: crafted frames through AF_PACKET that carry
the optional flow fields, for the extended-fields scenario.  Cases:
  v6-label-ext  IPv6 fd00::1 -> fd00::2 UDP 40020 -> DPORT, flow label 0xabcde, a
                hop-by-hop and a destination-options header (PadN) before UDP
  v4-opts       IPv4 10.0.0.1 -> 10.0.0.2 UDP 40021 -> DPORT with the options
                NOP, router alert (148) and EOL
  mirror[:vlan=V[/P],V2...][:mpls=L,L2...]
                IPv4 192.0.2.1 -> 198.51.100.1 UDP 40030 -> DPORT, for a port mirror
                (DSTMAC: another host's), inside the given VLAN tags (outer first,
                /P = priority) and MPLS labels (top first; TC 0, TTL 64)
  mirror-nonip  an ethertype 0x88b5 frame (not IP)
Each frame's UDP payload is 16 bytes."""
import socket
import struct
import sys

from netpkt import csum

iface, dstmac, case, count, dport = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])


payload = b"f" * 16
if case == "v6-label-ext":
    src = socket.inet_pton(socket.AF_INET6, "fd00::1")
    dst = socket.inet_pton(socket.AF_INET6, "fd00::2")
    udp = struct.pack("!HHHH", 40020, dport, 8 + len(payload), 0) + payload
    pseudo = src + dst + struct.pack("!IxxxB", len(udp), 17)
    udp = udp[:6] + struct.pack("!H", csum(pseudo + udp) or 0xFFFF) + udp[8:]
    hop = bytes([60, 0, 1, 4, 0, 0, 0, 0])   # next: dstopts; PadN of 4
    dsto = bytes([17, 0, 1, 4, 0, 0, 0, 0])  # next: UDP; PadN of 4
    body = hop + dsto + udp
    hdr = struct.pack("!IHBB16s16s", 6 << 28 | 0xABCDE, len(body), 0, 64, src, dst)
    et, pkt = b"\x86\xdd", hdr + body
elif case == "v4-opts":
    src, dst = socket.inet_aton("10.0.0.1"), socket.inet_aton("10.0.0.2")
    opts = bytes([1, 148, 4, 0, 0, 0, 0, 0])  # NOP, router alert, EOL, padding
    udp = struct.pack("!HHHH", 40021, dport, 8 + len(payload), 0) + payload
    hdr = struct.pack("!BBHHHBBH4s4s", 0x47, 0, 28 + len(udp), 1, 0, 64, 17, 0, src, dst) + opts
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    et, pkt = b"\x08\x00", hdr + udp
elif case.startswith("mirror-nonip"):
    et, pkt = b"\x88\xb5", b"n" * 46
elif case.startswith("mirror"):
    src, dst = socket.inet_aton("192.0.2.1"), socket.inet_aton("198.51.100.1")
    udp = struct.pack("!HHHH", 40030, dport, 8 + len(payload), 0) + payload
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0, src, dst)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    et, pkt = b"\x08\x00", hdr + udp
    opts = dict(o.split("=", 1) for o in case.split(":")[1:])
    if "mpls" in opts:
        labels = [int(x) for x in opts["mpls"].split(",")]
        stack = b"".join(struct.pack("!I", l << 12 | (i == len(labels) - 1) << 8 | 64)
                         for i, l in enumerate(labels))
        et, pkt = b"\x88\x47", stack + pkt
    if "vlan" in opts:
        for t in reversed(opts["vlan"].split(",")):
            vid, _, prio = t.partition("/")
            tci = int(prio or 0) << 13 | int(vid)
            pkt = et + pkt
            et = b"\x81\x00"
            pkt = struct.pack("!H", tci) + pkt
else:
    sys.exit("unknown case " + case)

s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
src_mac = open("/sys/class/net/%s/address" % iface).read().strip()
frame = bytes.fromhex(dstmac.replace(":", "")) + bytes.fromhex(src_mac.replace(":", "")) + et + pkt
for _ in range(count):
    s.send(frame)
print(len(pkt))
