#!/usr/bin/env python3
"""ft_traffic.py: paced traffic for the flowtable scenario (36-flowtable).

  ft_traffic.py tcpserver PORT DOWN
      dual-stack server: read each connection to EOF, answer DOWN bytes, close
  ft_traffic.py tcp DST PORT SPORT UP CHUNKS PAUSE GO
      wait for file GO, connect from SPORT, send UP bytes in CHUNKS pieces with
      PAUSE seconds between them, shut down the write side, read to EOF, close
  ft_traffic.py udp BINDPORT DST DPORT COUNT SIZE PAUSE READY GO LINGER
      bind BINDPORT (datagrams from the peer are read, so no ICMP errors), touch
      READY, wait for GO, send COUNT datagrams of SIZE bytes PAUSE seconds apart,
      keep reading LINGER seconds"""
import os
import socket
import sys
import threading
import time


def wait_file(path):
    while not os.path.exists(path):
        time.sleep(0.02)


def family(dst):
    return socket.AF_INET6 if ":" in dst else socket.AF_INET


mode = sys.argv[1]
if mode == "tcpserver":
    port, down = int(sys.argv[2]), int(sys.argv[3])
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("", port))
    s.listen(16)

    def serve(c):
        while c.recv(65536):
            pass
        c.sendall(b"d" * down)
        c.close()

    while True:
        conn, _ = s.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()
elif mode == "tcp":
    dst, port, sport, up, chunks, pause, go = sys.argv[2:9]
    port, sport, up, chunks, pause = int(port), int(sport), int(up), int(chunks), float(pause)
    wait_file(go)
    c = socket.socket(family(dst), socket.SOCK_STREAM)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    c.bind(("", sport))
    c.connect((dst, port))
    piece = up // chunks
    for i in range(chunks):
        c.sendall(b"u" * (piece if i < chunks - 1 else up - piece * (chunks - 1)))
        time.sleep(pause)
    c.shutdown(socket.SHUT_WR)
    got = 0
    while True:
        b = c.recv(65536)
        if not b:
            break
        got += len(b)
    c.close()
    print(got, flush=True)
elif mode == "udp":
    bport, dst, dport, count, size, pause, ready, go, linger = sys.argv[2:11]
    bport, dport, count, size = int(bport), int(dport), int(count), int(size)
    pause, linger = float(pause), float(linger)
    s = socket.socket(family(dst), socket.SOCK_DGRAM)
    s.bind(("", bport))
    s.settimeout(0.2)
    stop = time.time() + 1e9

    def drain():
        while time.time() < stop:
            try:
                s.recv(65536)
            except OSError:
                pass

    t = threading.Thread(target=drain, daemon=True)
    t.start()
    open(ready, "w").close()
    wait_file(go)
    payload = b"x" * size
    for _ in range(count):
        s.sendto(payload, (dst, dport))
        time.sleep(pause)
    stop = time.time() + linger
    t.join()
else:
    sys.exit("usage: see the docstring")
