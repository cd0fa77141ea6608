#!/usr/bin/env python3
"""send_tcp_ends.py IFACE DSTMAC SESSIONS: TCP flows that end, as crafted frames through
AF_PACKET (for 75-concurrency): each session is an ACK segment and then FIN+ACK (even
sessions) or RST (odd ones) from 10.0.3.x, a random port, to 10.0.0.2:7.  The meter makes
a flow of the first and flags its end on the second.  No TCP checksum: the meter runs
before TCP checks it (and drops it).  Prints how many frames were sent.
"""
import random
import socket
import struct
import sys

from netpkt import csum

iface, dstmac, sessions = sys.argv[1], sys.argv[2], int(sys.argv[3])
dst4 = socket.inet_aton("10.0.0.2")
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
eth = bytes.fromhex(dstmac.replace(":", "")) + s.getsockname()[4] + b"\x08\x00"
sent = 0
for i in range(sessions):
    src4 = socket.inet_aton(f"10.0.3.{random.randint(1, 254)}")
    sport = random.randint(1024, 65535)
    for flags in (0x10, 0x11 if i % 2 == 0 else 0x04):
        tcp = struct.pack("!HHIIBBHHH", sport, 7, 1000, 1, 5 << 4, flags, 1024, 0, 0)
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, src4, dst4)
        hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
        sent += s.send(eth + hdr + tcp) > 0
print(sent)
