// Big-endian field access for NetFlow/IPFIX PDUs.  Internal to nf_netflow.
// Readers take a pointer and a length the caller has already bounds-checked;
// the unsigned reader accepts the reduced-size encodings RFC 7011 6.2 allows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace nfr::wire {

inline uint16_t get16(const uint8_t *p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }

inline uint32_t get32(const uint8_t *p) {
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

inline uint64_t get64(const uint8_t *p) { return (uint64_t{get32(p)} << 32) | get32(p + 4); }

// Unsigned integer of 1..8 bytes (reduced-size encoding); longer fields keep
// their low 8 bytes, which is what a reduced-size reader can do at best.
inline uint64_t get_uint(const uint8_t *p, size_t len) {
    uint64_t v = 0;
    size_t start = len > 8 ? len - 8 : 0;
    for (size_t i = start; i < len; ++i) v = (v << 8) | p[i];
    return v;
}

inline void put8(std::vector<uint8_t> &out, uint8_t v) { out.push_back(v); }

inline void put16(std::vector<uint8_t> &out, uint16_t v) {
    out.push_back(static_cast<uint8_t>(v >> 8));
    out.push_back(static_cast<uint8_t>(v));
}

inline void put32(std::vector<uint8_t> &out, uint32_t v) {
    put16(out, static_cast<uint16_t>(v >> 16));
    put16(out, static_cast<uint16_t>(v));
}

inline void put64(std::vector<uint8_t> &out, uint64_t v) {
    put32(out, static_cast<uint32_t>(v >> 32));
    put32(out, static_cast<uint32_t>(v));
}

inline void set16(std::vector<uint8_t> &out, size_t at, uint16_t v) {
    out[at] = static_cast<uint8_t>(v >> 8);
    out[at + 1] = static_cast<uint8_t>(v);
}

}  // namespace nfr::wire
