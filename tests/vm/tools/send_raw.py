#!/usr/bin/env python3
"""send_raw.py IFACE DSTMAC CASE COUNT: crafted frames through AF_PACKET, for the
malformed-input scenario.  Cases:
  tcp-trunc    IPv4 whose TCP header is cut after 6 bytes       (metered as trunc)
  udp-empty    IPv4 UDP with zero-length payload                  (a normal flow)
  frag-first   IPv4 UDP first fragment (MF)                       (frag, with ports)
  frag-later   IPv4 UDP later fragment (offset 185)               (frag, no ports)
  v6-longchain IPv6 with 20 destination-options headers          (trunc)
  v6-cutext    IPv6 whose extension header runs past the packet  (trunc)
  v6-frag      IPv6 UDP later fragment                            (frag)
"""
import socket
import struct
import sys

iface, dstmac, case, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
src4, dst4 = socket.inet_aton("10.0.0.1"), socket.inet_aton("10.0.0.2")
src6, dst6 = socket.inet_pton(socket.AF_INET6, "fd00::1"), socket.inet_pton(socket.AF_INET6, "fd00::2")


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def ipv4(proto, payload, frag=0):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, frag, 64, proto, 0, src4, dst4)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return b"\x08\x00", hdr + payload


def ipv6(nexthdr, payload):
    hdr = struct.pack("!IHBB16s16s", 6 << 28, len(payload), nexthdr, 64, src6, dst6)
    return b"\x86\xdd", hdr + payload


udp = struct.pack("!HHHH", 40100, 5100, 8 + 16, 0) + b"u" * 16
if case == "tcp-trunc":
    et, pkt = ipv4(6, struct.pack("!HHH", 40101, 80, 0))
elif case == "udp-empty":
    et, pkt = ipv4(17, struct.pack("!HHHH", 40102, 5102, 8, 0))
elif case == "frag-first":
    et, pkt = ipv4(17, udp, 0x2000)
elif case == "frag-later":
    et, pkt = ipv4(17, b"v" * 24, 185)
elif case == "v6-longchain":
    chain = b"".join(struct.pack("!BB6x", 60, 0) for _ in range(19)) + struct.pack("!BB6x", 17, 0)
    et, pkt = ipv6(60, chain + udp)
elif case == "v6-cutext":
    et, pkt = ipv6(60, struct.pack("!BB6x", 17, 200) + udp)
elif case == "v6-frag":
    et, pkt = ipv6(44, struct.pack("!BBHI", 17, 0, 185 << 3, 7) + b"w" * 24)
else:
    sys.exit("unknown case " + case)

s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
mac = bytes.fromhex(dstmac.replace(":", ""))
frame = mac + s.getsockname()[4] + et + pkt
for _ in range(count):
    s.send(frame)
