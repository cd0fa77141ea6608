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
  v6-loop      IPv6 with 64 routing/destination-options headers   (trunc: chain too long)
  v6-zero-plen IPv6 payload length 0, UDP header behind it (the stack trims it off: trunc)
  v6-udp-empty IPv6 UDP with zero-length payload                  (a normal flow)
  v6-frag-cut  IPv6 first fragment with 2 bytes of UDP header       (frag, no ports)
Through the OUTPUT hook (raw IPPROTO_RAW sockets, header included; IFACE/DSTMAC unused),
headers the receive path would drop before any hook:
  out-ihl3       IPv4 header length 12 (IHL 3)                    (trunc; 6.1 refuses to send it)
  out-ihl3-jumbo IHL 3 and total length 65535 in a 40-byte packet  (trunc; 6.1 refuses to send it)
  out-ihl15      IHL 15: a 60-byte header and no room for UDP      (trunc)
  out-udp-cut    IPv4 UDP with 2 bytes of UDP header                (trunc)
  out-v6-jumbo   IPv6 payload length 65535, 8 bytes of UDP behind   (a flow: bytes from the skb)
Prints how many were sent (a case the kernel refuses prints 0).
"""
import socket
import struct
import sys

from netpkt import csum

iface, dstmac, case, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
src4, dst4 = socket.inet_aton("10.0.0.1"), socket.inet_aton("10.0.0.2")
src6, dst6 = socket.inet_pton(socket.AF_INET6, "fd00::1"), socket.inet_pton(socket.AF_INET6, "fd00::2")


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
elif case == "v6-loop":
    chain = b"".join(struct.pack("!BB6x", 60 if i % 2 == 0 else 43, 0) for i in range(63))
    et, pkt = ipv6(43, chain + struct.pack("!BB6x", 17, 0) + udp)
elif case == "v6-zero-plen":
    et, pkt = ipv6(17, b"")
    pkt += struct.pack("!HHHH", 40103, 5103, 8, 0)
elif case == "v6-udp-empty":
    et, pkt = ipv6(17, struct.pack("!HHHH", 40104, 5104, 8, 0))
elif case == "v6-frag-cut":
    et, pkt = ipv6(44, struct.pack("!BBHI", 17, 0, 1, 8) + b"\x9c")
elif case.startswith("out-"):
    def raw4(ver_ihl, tot_len, proto, body):
        hdr = struct.pack("!BBHHHBBH4s4s", ver_ihl, 0, tot_len, 0, 0, 64, proto, 0, src4, dst4)
        return hdr + body
    if case == "out-ihl3":
        pkt = raw4(0x43, 40, 17, b"i" * 20)
    elif case == "out-ihl3-jumbo":
        pkt = raw4(0x43, 65535, 17, b"j" * 20)
    elif case == "out-ihl15":
        pkt = raw4(0x4F, 60, 17, b"\x01" * 40)
    elif case == "out-udp-cut":
        pkt = raw4(0x45, 22, 17, struct.pack("!H", 40105))
    elif case == "out-v6-jumbo":
        pkt = struct.pack("!IHBB16s16s", 6 << 28, 65535, 17, 64, src6, dst6) + struct.pack("!HHHH", 40106, 5106, 8, 0)
    else:
        sys.exit("unknown case " + case)
    v6 = case.startswith("out-v6")
    s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    sent = 0
    for _ in range(count):
        try:
            s.sendto(pkt, ("fd00::2" if v6 else "10.0.0.2", 0))
            sent += 1
        except OSError as e:
            err = e
    print(sent)
    if not sent:  # e.g. 6.1 refuses IHL < 5 on raw sockets (EINVAL)
        print("%s: the kernel refused every packet: %s" % (case, err), file=sys.stderr)
    sys.exit(0)
else:
    sys.exit("unknown case " + case)

s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
mac = bytes.fromhex(dstmac.replace(":", ""))
frame = mac + s.getsockname()[4] + et + pkt
for _ in range(count):
    s.send(frame)
print(count)
