#!/usr/bin/env python3
"""tcp_session.py server PORT            accept connections, read each to EOF (forever)
   tcp_session.py server6 PORT           the same, IPv6 and IPv4 (dual-stack socket)
   tcp_session.py client DST PORT SPORT BYTES fin|rst
       connect from SPORT (IPv6 if DST has a ':'), send BYTES, end with FIN (close)
       or RST (linger 0);
       prints the epoch time of the close."""
import socket
import struct
import sys
import time

if sys.argv[1] in ("server", "server6"):
    v6 = sys.argv[1] == "server6"
    s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if v6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("", int(sys.argv[2])))
    s.listen(16)
    while True:
        c, _ = s.accept()
        try:
            while c.recv(65536):
                pass
        except ConnectionResetError:
            pass
        c.close()
else:
    dst, port, sport, nbytes, how = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
    c = socket.socket(socket.AF_INET6 if ":" in dst else socket.AF_INET, socket.SOCK_STREAM)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    c.bind(("", sport))
    c.connect((dst, port))
    c.sendall(b"y" * nbytes)
    time.sleep(0.3)
    if how == "rst":
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    print("%.3f" % time.time(), flush=True)
    c.close()
    time.sleep(0.5)
