#!/usr/bin/env python3
"""The Python binding against outside parties.

fnmflow_test.py SCHEMA CERTS_DIR FNMFLOW_SEND
  1. Python sender -> a plain Python socket peer over UDP, TCP and TLS; every
     message it got decodes with `capnp decode` to exactly what `capnp
     encode` makes of the records' text (Cap'n Proto's tool as the judge).
  2. C sender (the fnmflow_send example) -> Python receiver over UDP, TCP and
     TLS: every record as the C side printed it.
  3. Errors are exceptions with the library's message.
Needs FNMFLOW_LIBRARY (or libfnmflow.so.1 on the loader's path) and the
binding on PYTHONPATH.
"""
import random
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time

import fnmflow

SCHEMA, CERTS, C_SEND = sys.argv[1:4]
N = 500
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def records(n, seed):
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        v6 = i % 3 == 1
        r = fnmflow.Record(
            source=i % 5, sample_ratio=1 + i % 1000, src_ip=fnmflow.ipv4("10.0.%d.%d" % (i >> 8 & 255, i & 255)),
            dst_ip=fnmflow.ipv4("192.0.2.%d" % (i % 256)), src_asn=rnd.randrange(1 << 32),
            dst_asn=rnd.randrange(1 << 32), input_interface=rnd.randrange(1 << 32),
            output_interface=rnd.randrange(1 << 32), ip_version=6 if v6 else 4, ttl=rnd.randrange(256),
            src_port=rnd.randrange(65536), dst_port=rnd.randrange(65536), protocol=rnd.choice([1, 6, 17, 58]),
            length=rnd.randrange(1 << 64), ip_length=rnd.randrange(1 << 64), packets=rnd.randrange(1 << 64),
            tcp_flags=rnd.randrange(256), ip_fragmented=i & 1, ip_dont_fragment=i >> 1 & 1,
            ts_sec=rnd.randrange(-(1 << 40), 1 << 40), ts_usec=rnd.randrange(1000000),
            payload_length=rnd.randrange(-(1 << 31), 1 << 31), payload_full_length=rnd.randrange(1 << 32),
            direction=i % 4, agent_ip=fnmflow.ipv4("198.51.100.%d" % (i % 200 + 1)))
        if v6:
            r.src_ipv6 = bytes([0x20, 1, 0xd, 0xb8]) + rnd.randbytes(12)
            r.dst_ipv6 = bytes([0x20, 1, 0xd, 0xb8]) + rnd.randbytes(12)
        if i % 2 == 0:
            r.has_src_mac, r.src_mac = 1, rnd.randbytes(6)
        if i % 4 == 0:
            r.has_dst_mac, r.dst_mac = 1, rnd.randbytes(6)
        out.append(r)
    return out


def capnp_text(r):
    """The record as capnp text (SimplePacketType field names)."""
    data = lambda b: '0x"' + " ".join("%02x" % x for x in b) + '"'
    f = [("source", r.source), ("sampleRatio", r.sample_ratio), ("srcIp", r.src_ip), ("dstIp", r.dst_ip)]
    if r.ip_version == 6:
        f += [("srcIpv6", data(r.src_ipv6)), ("dstIpv6", data(r.dst_ipv6))]
    if r.has_src_mac:
        f.append(("srcMac", data(r.src_mac)))
    if r.has_dst_mac:
        f.append(("dstMac", data(r.dst_mac)))
    f += [("srcAsn", r.src_asn), ("dstAsn", r.dst_asn), ("inputInterface", r.input_interface),
          ("outputInterface", r.output_interface), ("ipProtocolVersion", r.ip_version), ("ttl", r.ttl),
          ("sourcePort", r.src_port), ("destinationPort", r.dst_port), ("protocol", r.protocol),
          ("length", r.length), ("ipLength", r.ip_length), ("numberOfPackets", r.packets), ("flags", r.tcp_flags),
          ("ipFragmented", "true" if r.ip_fragmented else "false"),
          ("ipDontFragment", "true" if r.ip_dont_fragment else "false"), ("tsSec", r.ts_sec),
          ("tsMsec", r.ts_usec), ("packetPayloadLength", r.payload_length),
          ("packetPayloadFullLength", r.payload_full_length), ("packetDirection", r.direction),
          ("agentIpAddress", r.agent_ip)]
    return "(" + ", ".join("%s = %s" % kv for kv in f) + ")"


def capnp(args, data):
    return subprocess.run(["capnp"] + args, input=data, capture_output=True, check=True).stdout


def decode(messages):
    return capnp(["decode", "--short", SCHEMA, "SimplePacketType"], b"".join(messages)).decode().splitlines()


def peer(proto, got, ready):
    """A FastNetMon Flow receiver made of the standard library only."""
    if proto == "udp":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        s.bind(("127.0.0.1", 0))
        ready.append(s.getsockname()[1])
        s.settimeout(10)
        while len(got) < N:
            got.append(s.recv(65536))
        return
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    ready.append(ls.getsockname()[1])
    c, _ = ls.accept()
    if proto == "tls":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(CERTS + "/good.pem", CERTS + "/good.key")
        c = ctx.wrap_socket(c, server_side=True)
    c.settimeout(10)
    buf = b""
    while len(got) < N:
        chunk = c.recv(65536)
        if not chunk:
            break
        buf += chunk
        while len(buf) >= 8:
            (n,) = struct.unpack_from("<Q", buf)
            if len(buf) < 8 + n:
                break
            got.append(buf[8:8 + n])
            buf = buf[8 + n:]


def python_sender_to_capnp(proto):
    recs = records(N, 8104)
    expected = decode([capnp(["encode", SCHEMA, "SimplePacketType"],
                             "".join(capnp_text(r) + "\n" for r in recs).encode())])
    got, ready = [], []
    t = threading.Thread(target=peer, args=(proto, got, ready))
    t.start()
    while not ready:
        time.sleep(0.01)
    host = "localhost" if proto == "tls" else "127.0.0.1"
    with fnmflow.Sender("%s://%s:%d" % (proto, host, ready[0]), tls_ca_file=CERTS + "/ca.pem",
                        connect_now=True) as s:
        s.send(recs[0])              # one
        check(s.send(recs[1:]) == 0, "%s: nothing dropped" % proto)  # a batch
        s.flush(5000)
        c = s.counters()
        check(c["sent"] == N and c["dropped"] == 0 and c["connects"] == 1, "%s: counters %r" % (proto, c))
    t.join(15)
    check(len(got) == N, "%s: the peer got %d of %d messages" % (proto, len(got), N))
    dec = decode(got)
    check(dec == expected, "%s: capnp decode differs (first: %r vs %r)" %
          (proto, next((a for a, b in zip(dec, expected) if a != b), None),
           next((b for a, b in zip(dec, expected) if a != b), None)))
    print("ok: %s: %d records from the Python sender decode with capnp exactly" % (proto, N))


def c_text(r):
    """print_record() of examples/record_text.h."""
    ip = fnmflow.ipv4_text
    s = "src=%s:%d dst=%s:%d v%d proto=%d " % (ip(r.src_ip), r.src_port, ip(r.dst_ip), r.dst_port, r.ip_version,
                                                r.protocol)
    if r.ip_version == 6:
        s += "src6=%s dst6=%s " % (r.src_ipv6.hex(), r.dst_ipv6.hex())
    if r.has_src_mac:
        s += "smac=%s " % r.src_mac.hex()
    if r.has_dst_mac:
        s += "dmac=%s " % r.dst_mac.hex()
    s += ("source=%d ratio=%d asn=%d>%d if=%d>%d ttl=%d len=%d iplen=%d pkts=%d flags=%d frag=%d df=%d "
          "ts=%d.%06d payload=%d/%d dir=%d agent=%s") % (
        r.source, r.sample_ratio, r.src_asn, r.dst_asn, r.input_interface, r.output_interface, r.ttl, r.length,
        r.ip_length, r.packets, r.tcp_flags, r.ip_fragmented, r.ip_dont_fragment, r.ts_sec, r.ts_usec,
        r.payload_length, r.payload_full_length, r.direction, ip(r.agent_ip))
    return s


def c_sender_to_python(proto):
    got, lock = [], threading.Lock()

    def on_batch(recs):
        with lock:
            got.extend(recs)
    opts = {"tls_cert_file": CERTS + "/good.pem", "tls_key_file": CERTS + "/good.key"} if proto == "tls" else {}
    with fnmflow.Receiver("%s://127.0.0.1:0" % proto, on_batch, **opts) as r:
        host = "localhost" if proto == "tls" else "127.0.0.1"
        out = subprocess.run([C_SEND, "-p", "%s://%s:%d" % (proto, host, r.port), str(N), CERTS + "/ca.pem"],
                             capture_output=True, check=True).stdout.decode().splitlines()
        end = time.time() + 10
        while time.time() < end and len(got) < N:
            time.sleep(0.01)
        counters = r.counters()
    check(counters["records"] == N, "%s: receiver counters %r" % (proto, counters))
    mine = [c_text(x) for x in got]
    if proto == "udp":
        mine, out = sorted(mine), sorted(out)
    check(len(out) == N and mine == out, "%s: the Python receiver got %d records, %d as the C sender sent them" %
          (proto, len(mine), sum(a == b for a, b in zip(mine, out))))
    print("ok: %s: %d records from the C sender arrive exact in Python" % (proto, N))


def errors():
    try:
        fnmflow.Sender("tls://127.0.0.1:1")
        check(False, "a tls:// IP literal was accepted")
    except fnmflow.Error as e:
        check(e.code == fnmflow.EINVAL and "must be a hostname" in e.message, "IP literal: %s" % e)
    srv = fnmflow.Receiver("tls://127.0.0.1:0", lambda r: None, tls_cert_file=CERTS + "/self.pem",
                           tls_key_file=CERTS + "/self.key")
    try:
        fnmflow.Sender("tls://localhost:%d" % srv.port, tls_ca_file=CERTS + "/ca.pem", connect_now=True)
        check(False, "a self-signed certificate was accepted")
    except fnmflow.Error as e:
        check(e.code == fnmflow.ETLS and "self-signed certificate" in e.message, "self-signed: %s" % e)
    srv.close()
    print("ok: errors are fnmflow.Error with the library's message")


def mutual_tls():
    got, lock = [], threading.Lock()

    def on_batch(recs):
        with lock:
            got.extend(recs)
    with fnmflow.Receiver("tls://127.0.0.1:0", on_batch, tls_cert_file=CERTS + "/good.pem",
                          tls_key_file=CERTS + "/good.key", tls_client_ca_file=CERTS + "/ca.pem") as r:
        url = "tls://localhost:%d" % r.port
        try:
            fnmflow.Sender(url, tls_ca_file=CERTS + "/ca.pem", connect_now=True,
                           tls_cert_file=CERTS + "/rogue.pem", tls_key_file=CERTS + "/rogue.key")
            check(False, "mutual TLS: a client certificate the CA did not sign was accepted")
        except fnmflow.Error as e:
            check(e.code == fnmflow.ETLS and "client certificate refused" in e.message, "rogue: %s" % e)
        recs = [fnmflow.Record(src_asn=i, ip_version=4, packets=1 + i) for i in range(100)]
        with fnmflow.Sender(url, tls_ca_file=CERTS + "/ca.pem", connect_now=True,
                            tls_cert_file=CERTS + "/client.pem", tls_key_file=CERTS + "/client.key") as s:
            s.send(recs)
            s.flush(5000)
        end = time.time() + 10
        while time.time() < end and len(got) < len(recs):
            time.sleep(0.01)
        counters = r.counters()
    check([(x.src_asn, x.packets) for x in got] == [(x.src_asn, x.packets) for x in recs],
          "mutual TLS: %d of %d records" % (len(got), len(recs)))
    check(counters["tls_handshake_failures"] == 1, "mutual TLS: receiver counters %r" % counters)
    print("ok: mutual TLS: a client certificate the CA signed gets in, another is refused")


check(fnmflow.version() == "1.0.0", "version %s" % fnmflow.version())
for p in ("udp", "tcp", "tls"):
    python_sender_to_capnp(p)
for p in ("udp", "tcp", "tls"):
    c_sender_to_python(p)
errors()
mutual_tls()
if failures:
    sys.exit(1)
