#!/usr/bin/env python3
"""send_flows.py DST DPORT FIRST_SPORT NFLOWS PKTS SIZE [SECONDS]
Sends PKTS datagrams of SIZE payload bytes on each of NFLOWS flows (source ports
FIRST_SPORT..), round-robin; with SECONDS, repeats whole rounds until that much time
has passed.  Prints the total datagrams sent."""
import socket
import sys
import time

dst, dport, first, nflows, pkts, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
seconds = float(sys.argv[7]) if len(sys.argv) > 7 else 0
family = socket.AF_INET6 if ":" in dst else socket.AF_INET
socks = []
for i in range(nflows):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.bind(("", first + i))
    socks.append(s)
payload = b"z" * size
sent = 0
end = time.time() + seconds
while True:
    for _ in range(pkts):
        for s in socks:
            s.sendto(payload, (dst, dport))
            sent += 1
    if time.time() >= end:
        break
print(sent)
