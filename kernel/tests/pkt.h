// Builders of raw IPv4/IPv6 packets for the parser tests.
#pragma once
#include <cstdint>
#include <vector>

extern "C" {
#include "flow_parse.h"
}

namespace pkt {

using Bytes = std::vector<uint8_t>;

inline void put16(Bytes &b, size_t off, uint16_t v) { b[off] = v >> 8; b[off + 1] = v & 0xff; }

// IPv4 header (20 bytes + options) followed by payload; tot_len covers all.
inline Bytes ipv4(uint8_t proto, const Bytes &l4, uint8_t tos = 0, uint16_t frag = 0,
                  unsigned opt_words = 0) {
    Bytes b(20 + opt_words * 4, 0);
    b[0] = 0x40 | (5 + opt_words);
    b[1] = tos;
    b[8] = 64;
    b[9] = proto;
    put16(b, 6, frag);
    uint8_t src[4] = {10, 0, 0, 1}, dst[4] = {10, 0, 0, 2};
    for (int i = 0; i < 4; i++) { b[12 + i] = src[i]; b[16 + i] = dst[i]; }
    b.insert(b.end(), l4.begin(), l4.end());
    put16(b, 2, static_cast<uint16_t>(b.size()));
    return b;
}

inline Bytes ports(uint16_t sp, uint16_t dp, size_t len) {
    Bytes b(len, 0);
    put16(b, 0, sp);
    put16(b, 2, dp);
    return b;
}

inline Bytes tcp(uint16_t sp, uint16_t dp, uint8_t flags) {
    Bytes b = ports(sp, dp, 20);
    b[12] = 5 << 4;
    b[13] = flags;
    return b;
}

// IPv6 header then the given extension headers and payload.
inline Bytes ipv6(uint8_t first_next, const Bytes &rest, uint8_t tclass = 0) {
    Bytes b(40, 0);
    b[0] = 0x60 | (tclass >> 4);
    b[1] = static_cast<uint8_t>(tclass << 4);
    put16(b, 4, static_cast<uint16_t>(rest.size()));
    b[6] = first_next;
    b[7] = 63;
    b[8] = 0x20; b[9] = 0x01; b[10] = 0x0d; b[11] = 0xb8; b[23] = 1;
    b[24] = 0x20; b[25] = 0x01; b[26] = 0x0d; b[27] = 0xb8; b[39] = 2;
    b.insert(b.end(), rest.begin(), rest.end());
    return b;
}

// An 8-byte option-style extension header (hop-by-hop, dstopts, routing).
inline Bytes ext(uint8_t next, unsigned len8 = 0) {
    Bytes b((len8 + 1) * 8, 0);
    b[0] = next;
    b[1] = static_cast<uint8_t>(len8);
    return b;
}

inline Bytes cat(Bytes a, const Bytes &b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// Deterministic pseudo-random numbers (xorshift64) for the differential tests.
struct XorShift {
    uint64_t s;
    uint64_t operator()() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
};

struct Parsed {
    int rc;
    ipnf_flow_key key;
    ipnf_pkt_info pi;
};

inline Parsed parse(const Bytes &b, bool v6 = false, unsigned len = ~0u) {
    Parsed p{};
    ipnf_skb_t skb{b.data(), len == ~0u ? static_cast<unsigned>(b.size()) : len};
    p.rc = v6 ? ipnf_parse_ipv6(&skb, 0, &p.key, &p.pi) : ipnf_parse_ipv4(&skb, 0, &p.key, &p.pi);
    return p;
}

}  // namespace pkt
