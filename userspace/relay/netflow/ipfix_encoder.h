// IpfixEncoder: FlowRecords → IPFIX messages (RFC 7011) for UDP export.
//
// Promises:
//  - Every message is at most mtu_payload bytes and carries whole records.
//  - Two templates: one for IPv4 records, one for IPv6 records (see
//    ipfix_encoder.cc for the exact fields; all are IANA elements that nfdump
//    and Wireshark decode).  They are sent in the first message, then again
//    every template_refresh_messages messages and whenever
//    template_refresh_interval has passed since they were last sent.
//  - The header's sequence number is the count of data records sent before
//    the message (mod 2^32); the observation domain is configurable.
//  - Timestamps go out as flowStart/EndMilliseconds, so sub-millisecond parts
//    of FlowRecord::ts_usec are dropped.  Not carried: MACs, ip_length (the
//    decoder sets it to octets), fragment flags, payload lengths, agent_ip;
//    direction 2/3 (internal/other) goes out as 0 (flowDirection has 0/1 only).
// Output is bytes only; the caller sends one UDP datagram per message.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "flow_record.h"

namespace nfr {

struct IpfixEncoderOptions {
    size_t mtu_payload = 1400;
    uint32_t observation_domain = 0;
    uint32_t template_refresh_messages = 20;  // 0: no refresh by count
    std::chrono::seconds template_refresh_interval{60};  // 0: no refresh by time
};

class IpfixEncoder {
public:
    static constexpr uint16_t kIpv4TemplateId = 256;
    static constexpr uint16_t kIpv6TemplateId = 257;

    // Throws std::invalid_argument if mtu_payload cannot hold the templates
    // and a record of each kind, or is over the 65535-byte IPFIX maximum.
    explicit IpfixEncoder(IpfixEncoderOptions options = {});

    // Encodes all `records` into as few messages as the MTU allows and appends
    // them to `out`, one element per datagram.  Uses `now` for the export time
    // and the template refresh clock.
    void encode(std::span<const FlowRecord> records, std::chrono::system_clock::time_point now,
                std::vector<std::vector<uint8_t>> &out);

    // Makes the next message carry the templates (e.g. after a reconnect).
    void resend_templates() { templates_due_ = true; }

    uint32_t sequence() const { return sequence_; }
    uint64_t messages_sent() const { return messages_; }
    uint64_t records_sent() const { return records_; }

    // Size in bytes of one data record of each template.
    static size_t record_length(uint8_t ip_version);

private:
    std::vector<uint8_t> start_message(std::chrono::system_clock::time_point now);

    IpfixEncoderOptions options_;
    uint32_t sequence_ = 0;
    uint64_t messages_ = 0;
    uint64_t records_ = 0;
    uint64_t messages_since_templates_ = 0;
    bool templates_due_ = true;
    std::chrono::system_clock::time_point templates_sent_at_{};
};

}  // namespace nfr
