#include "ipfix_encoder.h"

#include <cstring>
#include <iterator>
#include <stdexcept>
#include <string>

#include "ipfix_ie.h"
#include "wire.h"

namespace nfr {

namespace {

using wire::put16;
using wire::put32;
using wire::put64;
using wire::put8;

constexpr size_t kHeaderLength = 16;
constexpr size_t kSetHeaderLength = 4;
constexpr size_t kMaxMessageLength = 65535;

struct Field {
    uint16_t id;
    uint16_t length;
};

// Field order here is the order write_record() emits values in.
constexpr Field kIpv4Fields[] = {
    {ie::kSourceIPv4Address, 4},     {ie::kDestinationIPv4Address, 4},
    {ie::kSourceTransportPort, 2},   {ie::kDestinationTransportPort, 2},
    {ie::kProtocolIdentifier, 1},    {ie::kTcpControlBits, 2},
    {ie::kIpVersion, 1},             {ie::kOctetDeltaCount, 8},
    {ie::kPacketDeltaCount, 8},      {ie::kIngressInterface, 4},
    {ie::kEgressInterface, 4},       {ie::kBgpSourceAsNumber, 4},
    {ie::kBgpDestinationAsNumber, 4}, {ie::kIpTTL, 1},
    {ie::kFlowDirection, 1},         {ie::kSamplingInterval, 4},
    {ie::kFlowStartMilliseconds, 8}, {ie::kFlowEndMilliseconds, 8},
};

constexpr Field kIpv6Fields[] = {
    {ie::kSourceIPv6Address, 16},    {ie::kDestinationIPv6Address, 16},
    {ie::kSourceTransportPort, 2},   {ie::kDestinationTransportPort, 2},
    {ie::kProtocolIdentifier, 1},    {ie::kTcpControlBits, 2},
    {ie::kIpVersion, 1},             {ie::kOctetDeltaCount, 8},
    {ie::kPacketDeltaCount, 8},      {ie::kIngressInterface, 4},
    {ie::kEgressInterface, 4},       {ie::kBgpSourceAsNumber, 4},
    {ie::kBgpDestinationAsNumber, 4}, {ie::kIpTTL, 1},
    {ie::kFlowDirection, 1},         {ie::kSamplingInterval, 4},
    {ie::kFlowStartMilliseconds, 8}, {ie::kFlowEndMilliseconds, 8},
};

template <size_t N>
constexpr size_t fields_length(const Field (&f)[N]) {
    size_t n = 0;
    for (const Field &x : f) n += x.length;
    return n;
}

template <size_t N>
void put_template(std::vector<uint8_t> &out, uint16_t id, const Field (&f)[N]) {
    put16(out, id);
    put16(out, static_cast<uint16_t>(N));
    for (const Field &x : f) {
        put16(out, x.id);
        put16(out, x.length);
    }
}

constexpr size_t kTemplateSetLength =
    kSetHeaderLength + 4 + 4 * std::size(kIpv4Fields) + 4 + 4 * std::size(kIpv6Fields);

bool is_v6(const FlowRecord &r) { return r.ip_version == 6; }

void write_record(std::vector<uint8_t> &out, const FlowRecord &r) {
    size_t at = out.size();
    if (is_v6(r)) {
        out.insert(out.end(), r.src_ipv6.begin(), r.src_ipv6.end());
        out.insert(out.end(), r.dst_ipv6.begin(), r.dst_ipv6.end());
    } else {
        out.resize(at + 8);
        std::memcpy(&out[at], &r.src_ip, 4);  // already network byte order
        std::memcpy(&out[at + 4], &r.dst_ip, 4);
    }
    put16(out, r.src_port);
    put16(out, r.dst_port);
    put8(out, static_cast<uint8_t>(r.protocol));
    put16(out, r.tcp_flags);
    put8(out, is_v6(r) ? 6 : 4);
    put64(out, r.length);
    put64(out, r.packets);
    put32(out, r.input_interface);
    put32(out, r.output_interface);
    put32(out, r.src_asn);
    put32(out, r.dst_asn);
    put8(out, r.ttl);
    // flowDirection knows ingress (0) and egress (1) only.
    put8(out, r.direction == 1 ? 1 : 0);
    put32(out, r.sample_ratio);
    // A FlowRecord holds one time (the flow's end): start = end.
    // Unsigned arithmetic: nonsense times wrap instead of overflowing.
    uint64_t ms = static_cast<uint64_t>(r.ts_sec) * 1000 + static_cast<uint64_t>(r.ts_usec / 1000);
    put64(out, ms);
    put64(out, ms);
}

}  // namespace

size_t IpfixEncoder::record_length(uint8_t ip_version) {
    return ip_version == 6 ? fields_length(kIpv6Fields) : fields_length(kIpv4Fields);
}

IpfixEncoder::IpfixEncoder(IpfixEncoderOptions options) : options_(options) {
    size_t need = kHeaderLength + kTemplateSetLength + kSetHeaderLength + record_length(6);
    if (options_.mtu_payload < need)
        throw std::invalid_argument("IPFIX MTU payload " + std::to_string(options_.mtu_payload) +
                                    " is below the minimum of " + std::to_string(need) + " bytes");
    if (options_.mtu_payload > kMaxMessageLength)
        throw std::invalid_argument("IPFIX MTU payload " + std::to_string(options_.mtu_payload) +
                                    " is over the IPFIX maximum of 65535 bytes");
}

std::vector<uint8_t> IpfixEncoder::start_message(std::chrono::system_clock::time_point now) {
    std::vector<uint8_t> m;
    m.reserve(options_.mtu_payload);
    put16(m, 10);
    put16(m, 0);  // length, set when the message is complete
    put32(m, static_cast<uint32_t>(
                 std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count()));
    put32(m, sequence_);
    put32(m, options_.observation_domain);

    bool due = templates_due_ ||
               (options_.template_refresh_messages != 0 &&
                messages_since_templates_ >= options_.template_refresh_messages) ||
               (options_.template_refresh_interval.count() != 0 &&
                now - templates_sent_at_ >= options_.template_refresh_interval);
    if (due) {
        put16(m, 2);
        put16(m, static_cast<uint16_t>(kTemplateSetLength));
        put_template(m, kIpv4TemplateId, kIpv4Fields);
        put_template(m, kIpv6TemplateId, kIpv6Fields);
        templates_due_ = false;
        messages_since_templates_ = 0;
        templates_sent_at_ = now;
    }
    return m;
}

void IpfixEncoder::encode(std::span<const FlowRecord> records, std::chrono::system_clock::time_point now,
                          std::vector<std::vector<uint8_t>> &out) {
    size_t i = 0;
    while (i < records.size()) {
        std::vector<uint8_t> m = start_message(now);
        uint32_t in_message = 0;
        uint16_t set_id = 0;
        size_t set_start = 0;
        auto close_set = [&] {
            if (set_id != 0) wire::set16(m, set_start + 2, static_cast<uint16_t>(m.size() - set_start));
        };
        while (i < records.size()) {
            const FlowRecord &r = records[i];
            uint16_t id = is_v6(r) ? kIpv6TemplateId : kIpv4TemplateId;
            size_t need = record_length(r.ip_version) + (id != set_id ? kSetHeaderLength : 0);
            if (m.size() + need > options_.mtu_payload) break;
            if (id != set_id) {
                close_set();
                set_id = id;
                set_start = m.size();
                put16(m, id);
                put16(m, 0);
            }
            write_record(m, r);
            ++i;
            ++in_message;
        }
        close_set();
        wire::set16(m, 2, static_cast<uint16_t>(m.size()));
        sequence_ += in_message;
        records_ += in_message;
        ++messages_;
        ++messages_since_templates_;
        out.push_back(std::move(m));
    }
}

}  // namespace nfr
