// NetflowDecoder: turns NetFlow v5, NetFlow v9 (RFC 3954) and IPFIX (RFC 7011)
// datagrams into nfr::FlowRecord values.
//
// Promises:
//  - Any byte string is safe to feed: nothing is read outside the datagram, and
//    every datagram that is not well formed is counted in counters().malformed.
//  - Template state is kept per transport session (exporter address and port)
//    and source id / observation domain; templates expire after
//    template_lifetime without a refresh (RFC 7011 8.4, UDP).
//  - Sampling announced in options records applies to later records of the
//    same exporter; a rate carried in a data record itself wins.
//  - Memory is bounded: at most max_sessions sessions (the least recently used
//    one is evicted) and max_templates_per_session templates each.
// Not thread-safe: one decoder per receiving thread.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "flow_record.h"

struct sockaddr;

namespace nfr {

// Where a datagram came from.  An IPv4 exporter is stored as an IPv4-mapped
// IPv6 address (::ffff:a.b.c.d) so both families share one key type.
struct ExporterAddress {
    std::array<uint8_t, 16> ip{};
    uint16_t port = 0;  // host order

    static ExporterAddress ipv4(uint32_t addr_network_order, uint16_t port);
    static ExporterAddress ipv6(const std::array<uint8_t, 16> &addr, uint16_t port);
    // AF_INET / AF_INET6 socket address as recvfrom() fills it; other
    // families give the all-zero address.
    static ExporterAddress from_sockaddr(const struct sockaddr *sa);

    bool is_ipv4() const;
    // IPv4 address in network byte order (FlowRecord::agent_ip), 0 for IPv6.
    uint32_t ipv4_network_order() const;

    auto operator<=>(const ExporterAddress &) const = default;
};

struct NetflowDecoderOptions {
    // RFC 7011 8.4: a collector expires UDP templates it has not seen refreshed;
    // pick at least three times the exporters' template refresh interval.
    std::chrono::seconds template_lifetime{1800};
    size_t max_sessions = 4096;
    size_t max_templates_per_session = 1024;
};

struct NetflowDecoderCounters {
    uint64_t packets_v5 = 0;        // datagrams with a valid header and set layout
    uint64_t packets_v9 = 0;
    uint64_t packets_ipfix = 0;
    uint64_t records = 0;           // flow records produced
    uint64_t options_records = 0;   // options data records consumed
    uint64_t malformed = 0;         // datagrams rejected (all or part) as malformed
    uint64_t bad_version = 0;       // subset of malformed: unknown version field
    uint64_t templates = 0;         // template records accepted (new or refreshed)
    uint64_t options_templates = 0; // options template records accepted
    uint64_t template_withdrawals = 0;
    uint64_t templates_expired = 0;
    uint64_t missing_template = 0;  // data sets dropped: template not (yet) known
    uint64_t sessions_evicted = 0;  // sessions dropped to honour max_sessions
    uint64_t templates_refused = 0; // new templates over max_templates_per_session

    // Every counter with its name prefixed "netflow_" (e.g. netflow_malformed),
    // in declaration order, for `netflow-relay counters`.
    std::vector<std::pair<std::string_view, uint64_t>> named() const;
};

class NetflowDecoder {
public:
    explicit NetflowDecoder(NetflowDecoderOptions options = {});
    ~NetflowDecoder();
    NetflowDecoder(const NetflowDecoder &) = delete;
    NetflowDecoder &operator=(const NetflowDecoder &) = delete;

    // Decodes one datagram received from `from` at `now` and appends its flow
    // records to `out`.  Returns false when (part of) the datagram was malformed
    // or of an unknown version; records decoded before the fault are kept.
    bool feed(std::span<const uint8_t> datagram, const ExporterAddress &from,
              std::chrono::system_clock::time_point now, std::vector<FlowRecord> &out);

    // Drops templates older than template_lifetime (feed() also does this for
    // the templates it touches); call now and then from an idle loop.
    void expire(std::chrono::system_clock::time_point now);

    const NetflowDecoderCounters &counters() const { return counters_; }
    size_t session_count() const;

    struct State;  // template and sampling state; defined in the .cc

private:
    NetflowDecoderOptions options_;
    NetflowDecoderCounters counters_;
    std::unique_ptr<State> state_;
};

}  // namespace nfr
