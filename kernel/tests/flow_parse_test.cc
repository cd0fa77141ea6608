// Packet → flow key, as the kernel target does it.
#include <catch2/catch.hpp>
#include <array>
#include <cstring>
#include "pkt.h"

using namespace pkt;

TEST_CASE("IPv4 UDP: addresses, ports, protocol, TOS, TTL") {
    auto p = parse(ipv4(17, ports(5353, 53, 8 + 10), 0x28));
    REQUIRE(p.rc == IPNF_PARSE_OK);
    CHECK(p.key.family == IPNF_FAM_V4);
    CHECK(p.key.proto == 17);
    CHECK(p.key.tos == 0x28);
    CHECK(p.key.sport == 5353);
    CHECK(p.key.dport == 53);
    CHECK(ntohl(p.key.a.v4.src) == 0x0a000001);
    CHECK(ntohl(p.key.a.v4.dst) == 0x0a000002);
    CHECK(p.pi.ttl == 64);
    CHECK(p.pi.l4_end == 28);
    CHECK_FALSE(p.pi.is_frag);
}

TEST_CASE("IPv4 TCP: flags and header length with options") {
    auto l4 = tcp(40000, 80, IPNF_TCP_SYN | IPNF_TCP_ACK);
    l4[12] = 8 << 4;  // 32-byte header
    l4.resize(32);
    auto p = parse(ipv4(6, l4, 0, 0, 2));
    REQUIRE(p.rc == IPNF_PARSE_OK);
    CHECK(p.key.sport == 40000);
    CHECK(p.key.dport == 80);
    CHECK(p.pi.tcp_flags == (IPNF_TCP_SYN | IPNF_TCP_ACK));
    CHECK(p.pi.l4_end == 28 + 32);
}

TEST_CASE("ICMP type and code go to the destination port") {
    Bytes icmp(8, 0);
    icmp[0] = 3;
    icmp[1] = 3;
    auto p = parse(ipv4(1, icmp));
    REQUIRE(p.rc == IPNF_PARSE_OK);
    CHECK(p.key.sport == 0);
    CHECK(p.key.dport == (3 << 8 | 3));
}

TEST_CASE("IPv4 fragments: first keeps ports, later ones have none") {
    auto first = parse(ipv4(17, ports(1000, 2000, 100), 0, 0x2000));  // MF
    REQUIRE(first.rc == IPNF_PARSE_OK);
    CHECK(first.pi.is_frag);
    CHECK(first.key.dport == 2000);
    auto later = parse(ipv4(17, ports(1000, 2000, 100), 0, 0x0010));  // offset 16*8
    REQUIRE(later.rc == IPNF_PARSE_OK);
    CHECK(later.pi.is_frag);
    CHECK(later.key.sport == 0);
    CHECK(later.key.dport == 0);
    // a first fragment too short for the ports: ports 0, not truncated
    auto tiny = parse(ipv4(6, Bytes(2, 0xff), 0, 0x2000));
    REQUIRE(tiny.rc == IPNF_PARSE_OK);
    CHECK(tiny.key.sport == 0);
}

TEST_CASE("IPv4 garbage is truncated, never read past the packet") {
    auto good = ipv4(6, tcp(1, 2, 0));
    for (unsigned len = 0; len < 20 + 14; len++) {
        INFO("length " << len);
        CHECK(parse(good, false, len).rc == IPNF_PARSE_TRUNC);
    }
    CHECK(parse(good, false, 34).rc == IPNF_PARSE_OK);
    auto bad_ihl = good;
    bad_ihl[0] = 0x44;  // IHL 4 < 5
    CHECK(parse(bad_ihl).rc == IPNF_PARSE_TRUNC);
    auto bad_ver = good;
    bad_ver[0] = 0x65;
    CHECK(parse(bad_ver).rc == IPNF_PARSE_TRUNC);
    auto big_ihl = good;
    big_ihl[0] = 0x4f;  // 60-byte header in a 40-byte packet
    CHECK(parse(big_ihl).rc == IPNF_PARSE_TRUNC);
    auto short_tot = good;
    put16(short_tot, 2, 10);  // total length below the header length
    CHECK(parse(short_tot).rc == IPNF_PARSE_TRUNC);
}

TEST_CASE("IPv6 UDP with extension headers") {
    auto l4 = ports(123, 456, 8);
    auto p = parse(ipv6(0, cat(ext(60), cat(ext(43, 1), cat(ext(17), l4)))), true);
    // hop-by-hop → dstopts → routing(16 bytes) → ... wait: the chain says what follows
    REQUIRE(p.rc == IPNF_PARSE_OK);
    CHECK(p.key.family == IPNF_FAM_V6);
    CHECK(p.key.proto == 17);
    CHECK(p.key.sport == 123);
    CHECK(p.key.dport == 456);
    CHECK(p.key.a.v6.src[0] == 0x20);
    CHECK(p.key.a.v6.dst[15] == 2);
    CHECK(p.pi.ttl == 63);
}

TEST_CASE("IPv6 traffic class is the TOS key") {
    auto p = parse(ipv6(17, ports(1, 2, 8), 0xb8), true);
    REQUIRE(p.rc == IPNF_PARSE_OK);
    CHECK(p.key.tos == 0xb8);
}

TEST_CASE("IPv6 fragments") {
    Bytes frag(8, 0);
    frag[0] = 17;
    frag[3] = 1;  // M flag, offset 0
    auto first = parse(ipv6(44, cat(frag, ports(7, 8, 8))), true);
    REQUIRE(first.rc == IPNF_PARSE_OK);
    CHECK(first.pi.is_frag);
    CHECK(first.key.proto == 17);
    CHECK(first.key.sport == 7);
    frag[2] = 0x01;  // offset 32 * 8
    auto later = parse(ipv6(44, cat(frag, ports(7, 8, 8))), true);
    REQUIRE(later.rc == IPNF_PARSE_OK);
    CHECK(later.pi.is_frag);
    CHECK(later.key.proto == 17);
    CHECK(later.key.sport == 0);
}

TEST_CASE("IPv6 long, truncated or absurd extension header chains") {
    // 17 hop-by-hop headers: longer than we walk → garbage
    Bytes chain;
    for (int i = 0; i < 17; i++) chain = cat(chain, ext(0));
    CHECK(parse(ipv6(0, chain), true).rc == IPNF_PARSE_TRUNC);
    // a chain that claims more than the packet holds
    CHECK(parse(ipv6(0, ext(60, 200)), true).rc == IPNF_PARSE_TRUNC);
    // every cut of a valid packet is either parsed or truncated, never out of bounds
    auto good = ipv6(0, cat(ext(6), tcp(1, 2, IPNF_TCP_FIN)));
    for (unsigned len = 0; len <= good.size(); len++) {
        auto p = parse(good, true, len);
        CHECK((p.rc == IPNF_PARSE_OK || p.rc == IPNF_PARSE_TRUNC));
        if (len < 40 + 8 + 14) CHECK(p.rc == IPNF_PARSE_TRUNC);
    }
    CHECK(parse(good, true).pi.tcp_flags == IPNF_TCP_FIN);
    // no-next-header ends the chain cleanly
    auto none = parse(ipv6(59, Bytes{}), true);
    CHECK(none.rc == IPNF_PARSE_OK);
    CHECK(none.key.proto == 59);
}

TEST_CASE("key length covers only the family's addresses") {
    // 12 bytes of ports, protocol, ...; + 4 of VLAN tags, 12 of MACs and 12 of MPLS
    // labels when built with them (as these tests are); words, as the table compares them
    CHECK(IPNF_KEY_HDR_LEN == 12 + 4 + 12 + 3 * 4);
    CHECK(IPNF_KEY_HDR_LEN % 4 == 0);
    CHECK(IPNF_KEY_V4_LEN == IPNF_KEY_HDR_LEN + 8);
    CHECK(IPNF_KEY_V6_LEN == IPNF_KEY_HDR_LEN + 32);
    ipnf_flow_key k{};
    k.family = IPNF_FAM_V4;
    CHECK(ipnf_key_len(&k) == IPNF_KEY_V4_LEN);
    k.family = IPNF_FAM_V6;
    CHECK(ipnf_key_len(&k) == IPNF_KEY_V6_LEN);
}

// The straight IPv4 parser (the target's fast path) must give exactly what the general
// parser gives whenever it takes a packet, and leave the rest to it: random and mutated
// TCP/UDP/ICMP packets (options, fragments, short headers, odd lengths), every key and
// packet-info field compared.
TEST_CASE("straight IPv4 parser equals the general one on every packet it takes") {
    pkt::XorShift rnd{0x243f6a8885a308d3ULL};
    int taken = 0, left = 0;
    for (int i = 0; i < 20000; i++) {
        uint8_t proto = std::array<uint8_t, 5>{6, 17, 1, 47, 6}[rnd() % 5];
        Bytes l4;
        if (proto == 6) {
            l4 = tcp(uint16_t(rnd()), uint16_t(rnd()), uint8_t(rnd()));
            unsigned doff = 5 + rnd() % 11;  // 20..60 bytes, options random bytes
            l4[12] = uint8_t(doff << 4 | (rnd() % 4 == 0 ? rnd() & 0x0f : 0));
            l4.resize(doff * 4 + rnd() % 8, 0);
            for (size_t k = 20; k < l4.size(); k++) l4[k] = uint8_t(rnd() % 9);
        } else {
            l4 = ports(uint16_t(rnd()), uint16_t(rnd()), 8 + rnd() % 16);
        }
        uint16_t frag = rnd() % 6 == 0 ? uint16_t(rnd()) : (rnd() % 2 ? 0x4000 : 0);
        Bytes b = ipv4(proto, l4, uint8_t(rnd()), frag, rnd() % 5 == 0 ? 1 + rnd() % 3 : 0);
        b[8] = uint8_t(rnd());
        for (int k = 0; k < 4; k++) { b[12 + k] = uint8_t(rnd()); b[16 + k] = uint8_t(rnd()); }
        if (rnd() % 10 == 0) b[rnd() % b.size()] = uint8_t(rnd());  // a mutation anywhere
        unsigned len = unsigned(b.size());
        if (rnd() % 4 == 0) len = unsigned(rnd() % (b.size() + 1));  // linear part cut short
        Parsed g = parse(b, false, len);
        ipnf_flow_key k{};
        ipnf_pkt_info pi{};
        std::memset(&k, 0xa5, sizeof(k));  // every field must be written
        std::memset(&pi, 0xa5, sizeof(pi));
        int rc = ipnf_parse_ipv4_lin(b.data(), len, &k, &pi);
        if (rc == IPNF_PARSE_SLOW) { left++; continue; }
        taken++;
        REQUIRE(rc == IPNF_PARSE_OK);
        REQUIRE(g.rc == IPNF_PARSE_OK);
        CHECK(k.family == g.key.family);
        CHECK(k.proto == g.key.proto);
        CHECK(k.tos == g.key.tos);
        CHECK(k.sport == g.key.sport);
        CHECK(k.dport == g.key.dport);
        CHECK(k.a.v4.src == g.key.a.v4.src);
        CHECK(k.a.v4.dst == g.key.a.v4.dst);
        CHECK(pi.l4_end == g.pi.l4_end);
        CHECK(pi.tcp_flags == g.pi.tcp_flags);
        CHECK(pi.ttl == g.pi.ttl);
        CHECK(pi.is_frag == g.pi.is_frag);
        CHECK(pi.ip_opts == g.pi.ip_opts);
        CHECK(pi.label == g.pi.label);
        CHECK(pi.tcp_opts == g.pi.tcp_opts);
    }
    // both kinds happened often: the comparison covered the common case and the rest
    CHECK(taken > 5000);
    CHECK(left > 2000);
}
