#include "test_util.h"

#include <cstring>
#include <sstream>

#include "wire.h"

namespace nfr::test {

Bytes &Bytes::u8(uint8_t v) { return wire::put8(b_, v), *this; }
Bytes &Bytes::u16(uint16_t v) { return wire::put16(b_, v), *this; }
Bytes &Bytes::u32(uint32_t v) { return wire::put32(b_, v), *this; }
Bytes &Bytes::u64(uint64_t v) { return wire::put64(b_, v), *this; }

Bytes &Bytes::raw(std::initializer_list<uint8_t> v) {
    b_.insert(b_.end(), v.begin(), v.end());
    return *this;
}

Bytes &Bytes::raw(const std::vector<uint8_t> &v) {
    b_.insert(b_.end(), v.begin(), v.end());
    return *this;
}

Bytes &Bytes::set(uint16_t id) {
    set_start_ = b_.size();
    return u16(id).u16(0);
}

Bytes &Bytes::end_set() {
    wire::set16(b_, set_start_ + 2, static_cast<uint16_t>(b_.size() - set_start_));
    return *this;
}

Bytes &Bytes::end_ipfix() {
    wire::set16(b_, 2, static_cast<uint16_t>(b_.size()));
    return *this;
}

uint32_t ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    uint8_t bytes[4] = {a, b, c, d};
    uint32_t v;
    std::memcpy(&v, bytes, 4);
    return v;
}

std::array<uint8_t, 16> ip6(std::initializer_list<uint8_t> head, uint8_t last) {
    std::array<uint8_t, 16> a{};
    size_t i = 0;
    for (uint8_t b : head) a[i++] = b;
    a[15] = last;
    return a;
}

Bytes ipfix_header(uint32_t export_time, uint32_t sequence, uint32_t domain) {
    Bytes b;
    b.u16(10).u16(0).u32(export_time).u32(sequence).u32(domain);
    return b;
}

Bytes v9_header(uint16_t count, uint32_t uptime_ms, uint32_t unix_secs, uint32_t sequence,
                uint32_t source_id) {
    Bytes b;
    b.u16(9).u16(count).u32(uptime_ms).u32(unix_secs).u32(sequence).u32(source_id);
    return b;
}

std::string describe(const FlowRecord &r) {
    std::ostringstream o;
    auto hex = [&](const uint8_t *p, size_t n) {
        for (size_t i = 0; i < n; ++i) o << std::hex << int{p[i]} << (i + 1 < n ? ":" : "") << std::dec;
    };
    o << "{src=" << int(r.source) << " ratio=" << r.sample_ratio << " v=" << int(r.ip_version)
      << " src_ip=" << std::hex << r.src_ip << " dst_ip=" << r.dst_ip << std::dec << " src6=";
    hex(r.src_ipv6.data(), 16);
    o << " dst6=";
    hex(r.dst_ipv6.data(), 16);
    o << " smac=" << r.has_src_mac << "/";
    hex(r.src_mac.data(), 6);
    o << " dmac=" << r.has_dst_mac << "/";
    hex(r.dst_mac.data(), 6);
    o << " as=" << r.src_asn << "/" << r.dst_asn << " if=" << r.input_interface << "/"
      << r.output_interface << " ttl=" << int(r.ttl) << " ports=" << r.src_port << "/" << r.dst_port
      << " proto=" << r.protocol << " len=" << r.length << "/" << r.ip_length << " pkts=" << r.packets
      << " flags=" << int(r.tcp_flags) << " frag=" << r.ip_fragmented << r.ip_dont_fragment
      << " ts=" << r.ts_sec << "." << r.ts_usec << " payload=" << r.payload_length << "/"
      << r.payload_full_length << " dir=" << int(r.direction) << " agent=" << std::hex << r.agent_ip
      << "}";
    return o.str();
}

}  // namespace nfr::test
