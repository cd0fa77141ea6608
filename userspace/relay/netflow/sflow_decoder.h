// SflowDecoder: turns sFlow version 5 datagrams (sflow.org sflow_version_5.txt)
// into nfr::FlowRecord values, one per sampled packet.
//
// Promises:
//  - Any byte string is safe to feed: nothing is read outside the datagram,
//    and every datagram that is not well formed XDR is counted in
//    counters().malformed (records decoded before the fault are kept).
//  - Flow samples (formats 1 and 3, enterprise 0) give one record each when
//    they carry a raw packet header record (Ethernet with 802.1Q/802.1ad
//    tags, or bare IPv4/IPv6; TCP, UDP, ICMP): addresses, ports, TCP flags,
//    TTL, MACs, fragment bits, interfaces, sampleRatio = the sampling rate,
//    length = frame length less the stripped octets (the FCS), ipLength = the
//    IP total length.  Headers with no IP packet are counted, not forwarded.
//  - Counter samples (formats 2 and 4) are counted, not forwarded; other
//    sample and record formats are skipped by their length and counted.
// Stateless apart from its counters; one decoder per receiving thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "flow_record.h"

namespace nfr {

struct SflowDecoderCounters {
    uint64_t datagrams = 0;        // with a valid v5 datagram header
    uint64_t flow_samples = 0;
    uint64_t counter_samples = 0;
    uint64_t records = 0;          // flow records produced
    uint64_t malformed = 0;        // datagrams rejected (all or part) as malformed
    uint64_t bad_version = 0;      // subset of malformed: not version 5
    uint64_t unknown_samples = 0;  // samples of other formats/enterprises, skipped
    uint64_t no_header = 0;        // flow samples without a raw packet header record
    uint64_t undecodable_headers = 0;  // raw headers with no IPv4/IPv6 packet (ARP, truncated...)

    // Every counter with its name prefixed "sflow_", in declaration order.
    std::vector<std::pair<std::string_view, uint64_t>> named() const;
};

class SflowDecoder {
public:
    // Decodes one datagram received at `now`; appends its records to `out`.
    // Returns false when (part of) the datagram was malformed or not v5.
    bool feed(std::span<const uint8_t> datagram, std::chrono::system_clock::time_point now,
              std::vector<FlowRecord> &out);

    const SflowDecoderCounters &counters() const { return counters_; }

private:
    SflowDecoderCounters counters_;
};

// The packet-header part on its own (sFlow header_protocol 1 = Ethernet,
// 11 = IPv4, 12 = IPv6): fills addresses, ports, flags, MACs and ipLength of
// `r`.  False when no IP header could be read.  Exposed for the unit tests.
bool DecodeSampledHeader(uint32_t header_protocol, std::span<const uint8_t> header, FlowRecord &r);

}  // namespace nfr
