// One flow (or packet) record inside netflow-relay: the common value type every
// input produces and every output consumes.  Fields mirror FastNetMon Flow's
// SimplePacketType (docs in shared FASTNETMON_FLOW.md); addresses are kept in
// network byte order exactly as that format carries them.
#pragma once

#include <array>
#include <cstdint>

namespace nfr {

enum class RecordSource : uint8_t { Unknown = 0, Mirror = 1, Sflow = 2, Netflow = 3, FastNetMonFlow = 4 };

struct FlowRecord {
    RecordSource source = RecordSource::Unknown;
    uint32_t sample_ratio = 1;
    uint8_t ip_version = 4;                  // 4 or 6
    uint32_t src_ip = 0;                     // IPv4, network byte order
    uint32_t dst_ip = 0;
    std::array<uint8_t, 16> src_ipv6{};      // used when ip_version == 6
    std::array<uint8_t, 16> dst_ipv6{};
    bool has_src_mac = false;
    bool has_dst_mac = false;
    std::array<uint8_t, 6> src_mac{};
    std::array<uint8_t, 6> dst_mac{};
    uint32_t src_asn = 0;
    uint32_t dst_asn = 0;
    uint32_t input_interface = 0;
    uint32_t output_interface = 0;
    uint8_t ttl = 0;
    uint16_t src_port = 0;                   // host order
    uint16_t dst_port = 0;
    uint32_t protocol = 0;
    uint64_t length = 0;                     // octets
    uint64_t ip_length = 0;
    uint64_t packets = 0;
    uint8_t tcp_flags = 0;
    bool ip_fragmented = false;
    bool ip_dont_fragment = false;
    int64_t ts_sec = 0;                      // epoch seconds
    int64_t ts_usec = 0;                     // sub-second part, microseconds (tsMsec on the wire)
    int32_t payload_length = 0;
    uint32_t payload_full_length = 0;
    uint8_t direction = 0;                   // 0 in, 1 out, 2 internal, 3 other
    uint32_t agent_ip = 0;                   // network byte order

    bool operator==(const FlowRecord &) const = default;
};

}  // namespace nfr
