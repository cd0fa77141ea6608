#!/usr/bin/env python3
"""nat_traffic.py: request/answer traffic for the natflows scenario (38-natflows).

  nat_traffic.py serve PORT...
      dual-stack echo server on each PORT, TCP and UDP: every TCP connection and every
      UDP datagram is answered with the same bytes
  nat_traffic.py tcp DST PORT SPORT COUNT
      connect from SPORT, send COUNT messages and read each answer, close (exit 1 on a
      missing answer)
  nat_traffic.py udp DST PORT SPORT
      one datagram from SPORT, wait for its answer (exit 1 without one)"""
import socket
import sys
import threading


def family(dst):
    return socket.AF_INET6 if ":" in dst else socket.AF_INET


def serve(port):
    t = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    t.bind(("", port))
    t.listen(16)
    u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    u.bind(("", port))

    def echo_tcp(c):
        while True:
            b = c.recv(65536)
            if not b:
                break
            c.sendall(b)
        c.close()

    def accept():
        while True:
            c, _ = t.accept()
            threading.Thread(target=echo_tcp, args=(c,), daemon=True).start()

    def echo_udp():
        while True:
            b, peer = u.recvfrom(65536)
            u.sendto(b, peer)

    threading.Thread(target=accept, daemon=True).start()
    threading.Thread(target=echo_udp, daemon=True).start()


mode = sys.argv[1]
if mode == "serve":
    for p in sys.argv[2:]:
        serve(int(p))
    print("serving", flush=True)
    threading.Event().wait()
elif mode == "tcp":
    dst, port, sport, count = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    s = socket.socket(family(dst), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.settimeout(10)
    s.bind(("", sport))
    s.connect((dst, port))
    for i in range(count):
        msg = b"m%03d" % i * 25
        s.sendall(msg)
        got = b""
        while len(got) < len(msg):
            b = s.recv(65536)
            if not b:
                sys.exit("tcp: connection closed early")
            got += b
    s.close()
elif mode == "udp":
    dst, port, sport = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    s = socket.socket(family(dst), socket.SOCK_DGRAM)
    s.settimeout(10)
    s.bind(("", sport))
    s.sendto(b"q" * 64, (dst, port))
    s.recvfrom(65536)
else:
    sys.exit("nat_traffic.py: unknown mode " + mode)
