#!/usr/bin/env python3
"""Writes the seed corpus of the NetFlow/IPFIX fuzz target (nfr_fuzz_netflow) into
tests/relay/fuzz_corpus/netflow/.  Each file is a session: datagrams behind a 2-byte
header (low 12 bits length, bit 12 exporter, bits 13-15 clock advance; see
userspace/relay/netflow/fuzz_netflow.cc).  Run it again after changing it; the files
are committed."""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fuzz_corpus", "netflow")


def frame(dgram, exporter=0, advance=0):
    assert len(dgram) < 4096
    return struct.pack("!H", len(dgram) | exporter << 12 | advance << 13) + dgram


def v5(n):
    hdr = struct.pack("!HHIIIIBBH", 5, n, 100000, 1700000000, 0, 7, 0, 1, 0)
    recs = b"".join(struct.pack("!4s4s4sHHIIIIHHBBBBHHBBH", bytes([10, 0, 0, i + 1]), bytes([192, 0, 2, 1]),
                                bytes(4), 1, 2, 3 + i, 300 + i, 90000, 99000, 1024 + i, 80, 0, 0x1b, 6, 0,
                                64512, 64513, 24, 24, 0) for i in range(n))
    return hdr + recs


def v9(seq, flowsets):
    body = b"".join(flowsets)
    return struct.pack("!HHIIII", 9, len(flowsets), 100000, 1700000000, seq, 42) + body


def set_(sid, payload):
    pad = (-len(payload)) % 4
    return struct.pack("!HH", sid, 4 + len(payload) + pad) + payload + bytes(pad)


V4_FIELDS = [(8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (6, 1), (2, 4), (1, 4), (22, 4), (21, 4), (10, 2), (14, 2)]
V6_FIELDS = [(27, 16), (28, 16), (7, 2), (11, 2), (4, 1), (2, 8), (1, 8), (22, 4), (21, 4)]


def tmpl(tid, fields):
    return struct.pack("!HH", tid, len(fields)) + b"".join(struct.pack("!HH", t, l) for t, l in fields)


def v4_data(i):
    return struct.pack("!4s4sHHBBIIIIHH", bytes([10, 1, 0, i]), bytes([192, 0, 2, 9]), 40000 + i, 443, 6, 0x12,
                       5, 500, 90000, 99000, 3, 4)


def v6_data(i):
    return (bytes([0x20, 1, 0xd, 0xb8] + [0] * 11 + [i]) + bytes([0x20, 1, 0xd, 0xb8] + [0] * 11 + [0xff]) +
            struct.pack("!HHBQQII", 5000 + i, 53, 17, 2, 180, 90000, 99000))


def ipfix(seq, sets):
    body = b"".join(sets)
    return struct.pack("!HHIII", 10, 16 + len(body), 1700000000, seq, 7) + body


IPFIX_V4 = [(8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (6, 1), (2, 8), (1, 8), (152, 8), (153, 8), (136, 1)]


def ipfix_v4_data(i):
    ms = 1700000000000
    return struct.pack("!4s4sHHBBQQQQB", bytes([10, 2, 0, i]), bytes([198, 51, 100, 1]), 30000 + i, 80, 6, 0x19,
                       4, 400, ms, ms + 1500, 3)


def ipfix_varlen_tmpl():
    # interfaceName (82) variable length, an enterprise field (PEN 29305, IE 1, 4 bytes)
    return struct.pack("!HHHHHHHHI", 258, 3, 8, 4, 82, 0xFFFF, 0x8001, 4, 29305)


def ipfix_varlen_data():
    return struct.pack("!4sB", bytes([10, 3, 0, 1]), 4) + b"eth0" + struct.pack("!I", 7)


def files():
    yield "v5_single", v5(1)
    yield "v5_session", frame(v5(3)) + frame(v5(30), 1, 1)
    t = set_(0, tmpl(256, V4_FIELDS) + tmpl(257, V6_FIELDS))
    d = set_(256, v4_data(1) + v4_data(2)) + set_(257, v6_data(1))
    yield "v9_template_and_data", v9(1, [t, d])
    yield "v9_session", frame(v9(1, [t])) + frame(v9(2, [d])) + frame(v9(3, [d]), 1) + frame(v9(4, [d]), 0, 4)
    # options template: scope system (1, 4 bytes); SAMPLING_INTERVAL (34) 4, SAMPLING_ALGORITHM (35) 1
    ot = set_(1, struct.pack("!HHHHHHHHH", 300, 4, 8, 1, 4, 34, 4, 35, 1))
    od = set_(300, struct.pack("!IIB", 0, 100, 2))
    yield "v9_options_sampling", frame(v9(1, [t, ot])) + frame(v9(2, [od])) + frame(v9(3, [d]))
    it = set_(2, tmpl(256, IPFIX_V4) + ipfix_varlen_tmpl())
    idata = set_(256, ipfix_v4_data(1) + ipfix_v4_data(2)) + set_(258, ipfix_varlen_data())
    yield "ipfix_template_and_data", ipfix(1, [it, idata])
    # options template (set 3): scope observationDomainId (149); samplingInterval (34), samplingAlgorithm (35)
    iot = set_(3, struct.pack("!HHHHHHHHH", 400, 3, 1, 149, 4, 34, 4, 35, 1))
    iod = set_(400, struct.pack("!IIB", 7, 10, 1))
    withdraw = set_(2, struct.pack("!HH", 256, 0))
    yield "ipfix_session", (frame(ipfix(1, [it])) + frame(ipfix(2, [iot, iod])) + frame(ipfix(3, [idata])) +
                            frame(ipfix(4, [withdraw])) + frame(ipfix(5, [idata])) + frame(ipfix(6, [it, idata]), 1) +
                            frame(ipfix(7, [idata]), 0, 7))


os.makedirs(OUT, exist_ok=True)
for name, data in files():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
print("wrote", len(list(files())), "seeds to", OUT)
