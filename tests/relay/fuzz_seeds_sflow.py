#!/usr/bin/env python3
"""Writes crafted seeds of the sFlow v5 fuzz target (nfr_fuzz_sflow) into
tests/relay/fuzz_corpus/sflow/ (one datagram per file): compact and expanded
flow samples (Ethernet, 802.1Q, IPv6 with a hop-by-hop header, bare IPv4),
counter samples, an IPv6 agent.  The pmacct_* seeds beside them are datagrams
pmacctd's sfprobe sent (tests/relay/sflow_pmacct.sh).  Files are committed."""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fuzz_corpus", "sflow")


def opaque(b):
    return struct.pack("!I", len(b)) + b + b"\0" * (-len(b) % 4)


def raw_header(proto, frame_len, hdr):
    return struct.pack("!I", 1) + opaque(struct.pack("!III", proto, frame_len, 4) + opaque(hdr))


def flow_sample(records, expanded=False, rate=100):
    if expanded:
        body = struct.pack("!11I", 1, 0, 3, rate, 5000, 0, 0, 7, 0, 0x3fffffff, len(records))
    else:
        body = struct.pack("!8I", 1, 3, rate, 5000, 0, 7, 8, len(records))
    return struct.pack("!I", 3 if expanded else 1) + opaque(body + b"".join(records))


def counter_sample(expanded=False):
    rec = struct.pack("!I", 1) + opaque(struct.pack("!IIQ", 7, 6, 1000000000) + b"\0" * 64)
    body = struct.pack("!3I" if not expanded else "!4I", *([1, 0, 3, 1] if expanded else [1, 3, 1])) + rec
    return struct.pack("!I", 4 if expanded else 2) + opaque(body)


def datagram(samples, v6_agent=False):
    agent = struct.pack("!I", 2) + bytes(15) + b"\1" if v6_agent else struct.pack("!I4s", 1, bytes([192, 0, 2, 1]))
    return struct.pack("!I", 5) + agent + struct.pack("!4I", 0, 1, 1000, len(samples)) + b"".join(samples)


ETH = bytes([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1])
IP4_TCP = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 1, 0x4000, 64, 6, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])) + \
    struct.pack("!HHIIBBHHH", 1234, 80, 0, 0, 0x50, 0x02, 1000, 0, 0)
IP6_HBH_UDP = struct.pack("!IHBB", 6 << 28, 16, 0, 64) + bytes(15) + b"\1" + bytes(15) + b"\2" + \
    bytes([17, 0, 1, 4, 0, 0, 0, 0]) + struct.pack("!HHHH", 53, 5353, 8, 0)

SEEDS = {
    "compact_eth_ipv4": datagram([flow_sample([raw_header(1, 58, ETH + b"\x08\x00" + IP4_TCP)])]),
    "expanded_vlan_ipv6": datagram([flow_sample([raw_header(1, 80, ETH + b"\x81\x00\x00\x64\x86\xdd" + IP6_HBH_UDP)],
                                                expanded=True)], v6_agent=True),
    "bare_ipv4_and_counters": datagram([counter_sample(), flow_sample([raw_header(11, 40, IP4_TCP)]),
                                        counter_sample(True)]),
}

os.makedirs(OUT, exist_ok=True)
for name, data in SEEDS.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
