#!/usr/bin/env python3
"""send_udp.py DST PORT COUNT SIZE [SPORT]: COUNT datagrams of SIZE payload bytes."""
import socket
import sys

dst, port, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
sport = int(sys.argv[5]) if len(sys.argv) > 5 else 0
family = socket.AF_INET6 if ":" in dst else socket.AF_INET
s = socket.socket(family, socket.SOCK_DGRAM)
if sport:
    s.bind(("", sport))
payload = b"x" * size
for _ in range(count):
    s.sendto(payload, (dst, port))
