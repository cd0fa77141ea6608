#!/usr/bin/env python3
"""Writes a pcap of N varied Ethernet frames for the sFlow end-to-end test:
IPv4 and IPv6; TCP, UDP and ICMP; some behind an 802.1Q tag; distinct
addresses, ports and lengths so every frame is recognisable after sampling.
TAIL more frames from 10.255.255.x follow: pmacctd's sfprobe does not send
its last, partly filled datagram when it exits, so the test ignores those.
usage: sflow_pcap.py OUT.pcap N TAIL"""
import struct
import sys


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def l4(proto, i, payload, v6):
    sport, dport = 1024 + i, [80, 443, 53, 8080][i % 4]
    if proto == 6:  # TCP: SYN or ACK|PSH
        flags = 0x02 if i % 3 == 0 else 0x18
        return struct.pack("!HHIIBBHHH", sport, dport, i, 0, 5 << 4, flags, 65535, 0, 0) + payload
    if proto == 17:
        return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    return struct.pack("!BBHHH", 128 if v6 else 8, 0, 0, i, 1) + payload  # echo request


def frame(i, tail=False):
    proto = [6, 17, 1][i % 3]
    v6 = i % 4 == 3 and not tail
    payload = bytes((i + k) & 0xFF for k in range(10 + (i * 37) % 900))
    if v6:
        proto = 58 if proto == 1 else proto
        seg = l4(proto, i, payload, True)
        src = bytes.fromhex("20010db8000000000000000000000000")[:14] + struct.pack("!H", 0x100 + i)
        dst = bytes.fromhex("20010db8ffff00000000000000000000")[:14] + struct.pack("!H", 1 + i % 7)
        ip = struct.pack("!IHBB", 6 << 28, len(seg), proto, 64 - i % 8) + src + dst + seg
        ethertype = 0x86DD
    else:
        seg = l4(proto, i, payload, False)
        src = bytes([10, 255, 255, 1 + i % 250] if tail else [10, 1, i // 250, 1 + i % 250])
        dst = bytes([192, 0, 2, 1 + i % 7])
        hdr = struct.pack("!BBHHHBBH", 0x45, 0, 20 + len(seg), i, 0x4000, 64 - i % 8, proto, 0) + src + dst
        hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
        ip = hdr + seg
        ethertype = 0x0800
    eth = bytes([0x02, 0, 0, 0, 0, 2]) + bytes([0x02, 0, 0, 0, 1, i & 0xFF])
    if i % 5 == 4:  # 802.1Q, VLAN 100 + i
        eth += struct.pack("!HH", 0x8100, 100 + i % 100)
    return eth + struct.pack("!H", ethertype) + ip


def main():
    out, n, tail = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i in range(n + tail):
            fr = frame(i, i >= n)
            f.write(struct.pack("<IIII", 1700000000 + i // 1000, (i % 1000) * 1000, len(fr), len(fr)))
            f.write(fr)


main()
