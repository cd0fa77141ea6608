#!/usr/bin/env python3
"""Test helper for netflow-relay: an independent FastNetMon Flow peer.

gen N OUT_PREFIX        write N records as capnp text (OUT.txt, for `capnp encode`)
                        and as the JSON the relay must print (OUT.expected.jsonl)
send udp|tcp|tls HOST PORT FILE.bin [CA SERVERNAME]
                        send every message of FILE.bin (concatenated capnp
                        messages) as datagrams or as u64-LE-length frames
many tcp|tls HOST PORT FILE.bin CLIENTS [CA SERVERNAME]
                        CLIENTS concurrent connections, all open at once, each
                        sending every message of FILE.bin in small pieces
recv udp|tcp PORT OUT.bin COUNT TIMEOUT
                        receive COUNT messages, write them concatenated
spread tcp|udp HOST PORT FILE.bin CLIENTS
                        CLIENTS connections / UDP sockets (distinct source
                        ports) at once; message i goes out on client i % CLIENTS
recvmany PORT OUT.bin COUNT TIMEOUT
                        accept any number of TCP connections until COUNT
                        messages came (COUNT 0: until every connection
                        accepted has been closed by its peer); OUT.bin as recv, OUT.bin.conn the
                        connection number (0, 1, ...) of each message; prints
                        "MESSAGES CONNECTIONS"
compare EXPECTED.jsonl GOT.jsonl
                        every record present, every field exact, same order
"""
import ipaddress
import json
import random
import socket
import ssl
import struct
import sys
import time

FIELDS = ["source", "sampleRatio", "srcIp", "dstIp", "srcIpv6", "dstIpv6", "srcMac", "dstMac",
          "srcAsn", "dstAsn", "inputInterface", "outputInterface", "ipProtocolVersion", "ttl",
          "sourcePort", "destinationPort", "protocol", "length", "ipLength", "numberOfPackets",
          "flags", "ipFragmented", "ipDontFragment", "tsSec", "tsMsec", "packetPayloadLength",
          "packetPayloadFullLength", "packetDirection", "agentIpAddress"]


def split_messages(data):
    """Splits concatenated unpacked capnp messages using their segment tables."""
    out, pos = [], 0
    while pos < len(data):
        nseg = struct.unpack_from("<I", data, pos)[0] + 1
        sizes = struct.unpack_from("<%dI" % nseg, data, pos + 4)
        header = (4 + 4 * nseg + 7) // 8 * 8
        total = header + 8 * sum(sizes)
        out.append(data[pos:pos + total])
        pos += total
    return out


def ip4_int(text):
    return int.from_bytes(ipaddress.IPv4Address(text).packed, "little")


def data_text(b):
    return '0x"' + " ".join("%02x" % x for x in b) + '"'


def gen(n, prefix):
    rnd = random.Random(8104)
    with open(prefix + ".txt", "w") as txt, open(prefix + ".expected.jsonl", "w") as exp:
        for i in range(n):
            v6 = i % 3 == 1
            mac = i % 2 == 0
            src4 = "10.%d.%d.%d" % ((i >> 16) & 255, (i >> 8) & 255, i & 255)
            dst4 = "192.0.2.%d" % (i % 256)
            agent = "198.51.100.%d" % (i % 200 + 1)
            rec = {
                "source": i % 5, "sampleRatio": 1 + i % 1000,
                "srcIp": src4, "dstIp": dst4,
                "srcIpv6": None, "dstIpv6": None, "srcMac": None, "dstMac": None,
                "srcAsn": rnd.randrange(1 << 32), "dstAsn": rnd.randrange(1 << 32),
                "inputInterface": rnd.randrange(1 << 32), "outputInterface": rnd.randrange(1 << 32),
                "ipProtocolVersion": 6 if v6 else 4, "ttl": rnd.randrange(256),
                "sourcePort": rnd.randrange(65536), "destinationPort": rnd.randrange(65536),
                "protocol": rnd.choice([1, 6, 17, 47, 58]), "length": rnd.randrange(1 << 64),
                "ipLength": rnd.randrange(1 << 64), "numberOfPackets": rnd.randrange(1 << 64),
                "flags": rnd.randrange(256), "ipFragmented": bool(i & 4), "ipDontFragment": bool(i & 8),
                "tsSec": rnd.randrange(-(1 << 40), 1 << 40), "tsMsec": rnd.randrange(1000000),
                "packetPayloadLength": rnd.randrange(-(1 << 31), 1 << 31),
                "packetPayloadFullLength": rnd.randrange(1 << 32), "packetDirection": i % 4,
                "agentIpAddress": agent,
            }
            parts = []
            for k in FIELDS:
                v = rec[k]
                if k in ("srcIp", "dstIp", "agentIpAddress"):
                    parts.append("%s = %d" % (k, ip4_int(v)))
                elif k in ("srcIpv6", "dstIpv6"):
                    if v6:
                        a = ipaddress.IPv6Address(bytes([0x20, 0x01, 0x0d, 0xb8]) + rnd.randbytes(12))
                        rec[k] = a.compressed
                        parts.append("%s = %s" % (k, data_text(a.packed)))
                elif k in ("srcMac", "dstMac"):
                    if mac:
                        m = rnd.randbytes(6)
                        rec[k] = ":".join("%02x" % x for x in m)
                        parts.append("%s = %s" % (k, data_text(m)))
                elif isinstance(v, bool):
                    parts.append("%s = %s" % (k, "true" if v else "false"))
                else:
                    parts.append("%s = %d" % (k, v))
            txt.write("(" + ", ".join(parts) + ")\n")
            exp.write(json.dumps(rec) + "\n")


def send(proto, host, port, path, ca=None, servername=None):
    msgs = split_messages(open(path, "rb").read())
    if proto == "udp":
        s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
        for i, m in enumerate(msgs):
            s.sendto(m, (host, port))
            if i % 200 == 199:
                time.sleep(0.002)  # loopback UDP: do not outrun the receiver
        return
    s = socket.create_connection((host, port), timeout=30)
    if proto == "tls":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        ctx.load_verify_locations(ca)
        s = ctx.wrap_socket(s, server_hostname=servername)
    buf = b"".join(struct.pack("<Q", len(m)) + m for m in msgs)
    s.sendall(buf)
    s.close()


def many(proto, host, port, path, clients, ca=None, servername=None):
    import threading
    msgs = split_messages(open(path, "rb").read())
    stream = b"".join(struct.pack("<Q", len(m)) + m for m in msgs)
    barrier = threading.Barrier(clients, timeout=60)
    errors = []

    def client():
        try:
            s = socket.create_connection((host, port), timeout=60)
            if proto == "tls":
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                ctx.load_verify_locations(ca)
                s = ctx.wrap_socket(s, server_hostname=servername)
            barrier.wait()  # every connection is open before anyone sends
            for off in range(0, len(stream), 1000):
                s.sendall(stream[off:off + 1000])
                time.sleep(0)
            s.close()
        except Exception as e:  # reported below, fails the run
            errors.append(repr(e))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    if errors:
        print("client errors:", errors[:3])
        sys.exit(1)


def spread(proto, host, port, path, clients):
    msgs = split_messages(open(path, "rb").read())
    if proto == "udp":
        socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(clients)]
        for i, m in enumerate(msgs):
            socks[i % clients].sendto(m, (host, port))
            if i % 100 == 99:
                time.sleep(0.002)  # loopback UDP: do not outrun the receiver
        return
    socks = [socket.create_connection((host, port), timeout=30) for _ in range(clients)]
    for c, s in enumerate(socks):
        s.sendall(b"".join(struct.pack("<Q", len(m)) + m for m in msgs[c::clients]))
    for s in socks:
        s.close()


def recvmany(port, out, count, timeout):
    import selectors
    deadline = time.time() + timeout
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(16)
    sel = selectors.DefaultSelector()
    sel.register(ls, selectors.EVENT_READ, None)
    got, conns, bufs, open_conns = [], [], {}, 0
    while (len(got) < count if count else not conns or open_conns) and time.time() < deadline:
        for key, _ in sel.select(max(0.01, deadline - time.time())):
            if key.data is None:
                c, _ = ls.accept()
                sel.register(c, selectors.EVENT_READ, len(conns))
                conns.append(c)
                open_conns += 1
                bufs[len(conns) - 1] = b""
                continue
            n = key.data
            chunk = key.fileobj.recv(1 << 16)
            if not chunk:
                sel.unregister(key.fileobj)
                open_conns -= 1
                continue
            buf = bufs[n] + chunk
            while len(buf) >= 8:
                size = struct.unpack_from("<Q", buf)[0]
                if len(buf) < 8 + size:
                    break
                got.append((n, buf[8:8 + size]))
                buf = buf[8 + size:]
            bufs[n] = buf
    open(out, "wb").write(b"".join(m for _, m in got))
    open(out + ".conn", "w").write("".join("%d\n" % n for n, _ in got))
    print(len(got), len(conns))


def recv(proto, port, out, count, timeout):
    deadline = time.time() + timeout
    got = []
    if proto == "udp":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:  # root may exceed net.core.rmem_max; loopback UDP bursts need room
            s.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)  # SO_RCVBUFFORCE
        except OSError:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 << 20)
        s.bind(("127.0.0.1", port))
        while len(got) < count and time.time() < deadline:
            s.settimeout(max(0.01, deadline - time.time()))
            try:
                got.append(s.recv(70000))
            except socket.timeout:
                break
    else:
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", port))
        ls.listen(4)
        ls.settimeout(timeout)
        c, _ = ls.accept()
        buf = b""
        while len(got) < count and time.time() < deadline:
            c.settimeout(max(0.01, deadline - time.time()))
            try:
                chunk = c.recv(1 << 16)
            except socket.timeout:
                break
            if not chunk:
                break
            buf += chunk
            while len(buf) >= 8:
                n = struct.unpack_from("<Q", buf)[0]
                if len(buf) < 8 + n:
                    break
                got.append(buf[8:8 + n])
                buf = buf[8 + n:]
    open(out, "wb").write(b"".join(got))
    print(len(got))


def compare(expected, got):
    exp = [json.loads(l) for l in open(expected)]
    have = [json.loads(l) for l in open(got)]
    if len(exp) != len(have):
        print("record count: expected %d, got %d" % (len(exp), len(have)))
        return 1
    for i, (e, h) in enumerate(zip(exp, have)):
        if list(h.keys()) != FIELDS:
            print("record %d: keys %s" % (i, list(h.keys())))
            return 1
        if e != h:
            diff = {k: (e[k], h.get(k)) for k in e if e[k] != h.get(k)}
            print("record %d differs: %s" % (i, diff))
            return 1
    print("%d records identical" % len(exp))
    return 0


def main():
    cmd = sys.argv[1]
    if cmd == "gen":
        gen(int(sys.argv[2]), sys.argv[3])
    elif cmd == "send":
        send(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], *sys.argv[6:8])
    elif cmd == "many":
        many(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], int(sys.argv[6]), *sys.argv[7:9])
    elif cmd == "recv":
        recv(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), float(sys.argv[6]))
    elif cmd == "spread":
        spread(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], int(sys.argv[6]))
    elif cmd == "recvmany":
        recvmany(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), float(sys.argv[5]))
    elif cmd == "compare":
        return compare(sys.argv[2], sys.argv[3])
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
