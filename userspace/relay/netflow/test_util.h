// Helpers for the nf_netflow tests: a big-endian datagram builder and the
// fixed exporter/clock the tests use.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "netflow_decoder.h"

namespace nfr::test {

class Bytes {
public:
    Bytes &u8(uint8_t v);
    Bytes &u16(uint16_t v);
    Bytes &u32(uint32_t v);
    Bytes &u64(uint64_t v);
    Bytes &raw(std::initializer_list<uint8_t> v);
    Bytes &raw(const std::vector<uint8_t> &v);
    Bytes &ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) { return raw({a, b, c, d}); }
    // Starts a set (v9 flowset or IPFIX set); end_set() writes its length.
    Bytes &set(uint16_t id);
    Bytes &end_set();
    // IPFIX: writes the message length into the header.
    Bytes &end_ipfix();
    size_t size() const { return b_.size(); }
    const std::vector<uint8_t> &get() const { return b_; }

private:
    std::vector<uint8_t> b_;
    size_t set_start_ = 0;
};

// Network byte order IPv4 as FlowRecord keeps it.
uint32_t ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d);
std::array<uint8_t, 16> ip6(std::initializer_list<uint8_t> head, uint8_t last);

inline const ExporterAddress kExporter = ExporterAddress::ipv4(ip4(192, 0, 2, 1), 40000);
inline const std::chrono::system_clock::time_point kNow{std::chrono::seconds(1700000000)};

// IPFIX message header (length patched by end_ipfix()).
Bytes ipfix_header(uint32_t export_time, uint32_t sequence, uint32_t domain);
// NetFlow v9 header.
Bytes v9_header(uint16_t count, uint32_t uptime_ms, uint32_t unix_secs, uint32_t sequence,
                uint32_t source_id);

std::string describe(const FlowRecord &r);

}  // namespace nfr::test

namespace Catch {
template <>
struct StringMaker<nfr::FlowRecord> {
    static std::string convert(const nfr::FlowRecord &r) { return nfr::test::describe(r); }
};
}  // namespace Catch
