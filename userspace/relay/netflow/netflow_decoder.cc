#include "netflow_decoder.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <map>
#include <optional>

#include "ipfix_ie.h"
#include "wire.h"

namespace nfr {

using Clock = std::chrono::system_clock;
using wire::get16;
using wire::get32;
using wire::get64;
using wire::get_uint;

// ---------------------------------------------------------------- addresses

ExporterAddress ExporterAddress::ipv4(uint32_t addr_network_order, uint16_t port) {
    ExporterAddress a;
    a.ip[10] = 0xff;
    a.ip[11] = 0xff;
    std::memcpy(&a.ip[12], &addr_network_order, 4);
    a.port = port;
    return a;
}

ExporterAddress ExporterAddress::ipv6(const std::array<uint8_t, 16> &addr, uint16_t port) {
    ExporterAddress a;
    a.ip = addr;
    a.port = port;
    return a;
}

ExporterAddress ExporterAddress::from_sockaddr(const struct sockaddr *sa) {
    if (sa == nullptr) return {};
    if (sa->sa_family == AF_INET) {
        sockaddr_in in;
        std::memcpy(&in, sa, sizeof in);
        return ipv4(in.sin_addr.s_addr, ntohs(in.sin_port));
    }
    if (sa->sa_family == AF_INET6) {
        sockaddr_in6 in6;
        std::memcpy(&in6, sa, sizeof in6);
        std::array<uint8_t, 16> ip;
        std::memcpy(ip.data(), &in6.sin6_addr, 16);
        return ipv6(ip, ntohs(in6.sin6_port));
    }
    return {};
}

bool ExporterAddress::is_ipv4() const {
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return std::memcmp(ip.data(), kMapped, 12) == 0;
}

uint32_t ExporterAddress::ipv4_network_order() const {
    if (!is_ipv4()) return 0;
    uint32_t v;
    std::memcpy(&v, &ip[12], 4);
    return v;
}

std::vector<std::pair<std::string_view, uint64_t>> NetflowDecoderCounters::named() const {
    return {
        {"netflow_packets_v5", packets_v5},
        {"netflow_packets_v9", packets_v9},
        {"netflow_packets_ipfix", packets_ipfix},
        {"netflow_records", records},
        {"netflow_options_records", options_records},
        {"netflow_malformed", malformed},
        {"netflow_bad_version", bad_version},
        {"netflow_templates", templates},
        {"netflow_options_templates", options_templates},
        {"netflow_template_withdrawals", template_withdrawals},
        {"netflow_templates_expired", templates_expired},
        {"netflow_missing_template", missing_template},
        {"netflow_sessions_evicted", sessions_evicted},
        {"netflow_templates_refused", templates_refused},
    };
}

// ------------------------------------------------------------------- state

namespace {

constexpr uint16_t kVariableLength = 65535;
constexpr size_t kV5HeaderLength = 24;
constexpr size_t kV5RecordLength = 48;
constexpr size_t kV5MaxRecords = 30;
constexpr size_t kV9HeaderLength = 20;
constexpr size_t kIpfixHeaderLength = 16;
constexpr size_t kSetHeaderLength = 4;
constexpr uint16_t kMinDataSetId = 256;
// No record can be longer than the largest message minus its headers.
constexpr size_t kMaxRecordLength = 65535 - kIpfixHeaderLength - kSetHeaderLength;
constexpr size_t kMaxSamplersPerSession = 256;
constexpr int64_t kNtpToUnixSeconds = 2208988800;

struct FieldSpec {
    uint16_t id = 0;
    uint16_t length = 0;  // kVariableLength: IPFIX variable-length encoding
    bool enterprise = false;
};

struct Template {
    std::vector<FieldSpec> fields;
    bool options = false;
    size_t min_length = 0;  // shortest possible record: fixed parts + 1 byte per variable field
    Clock::time_point received;
};

enum class Protocol : uint8_t { V9 = 9, Ipfix = 10 };

struct SessionKey {
    ExporterAddress exporter;
    uint32_t domain = 0;  // v9 source id or IPFIX observation domain
    Protocol protocol = Protocol::Ipfix;
    auto operator<=>(const SessionKey &) const = default;
};

struct Session {
    std::map<uint16_t, Template> templates;
    Clock::time_point last_used;
    // Sampling learnt from options records: the latest rate, and per sampler id.
    uint32_t default_sampling = 0;
    std::map<uint64_t, uint32_t> sampling_by_id;
    // IPFIX systemInitTimeMilliseconds from options, to place *SysUpTime fields.
    std::optional<uint64_t> system_init_ms;
};

// What the message header says about time; used to make timestamps absolute.
struct MessageTime {
    int64_t export_ms = 0;                 // export time, ms since the epoch
    std::optional<uint32_t> sys_uptime_ms; // v9 header sysUptime
};

bool all_zero(const uint8_t *p, size_t n) {
    return std::all_of(p, p + n, [](uint8_t b) { return b == 0; });
}

int64_t ntp_to_unix_us(uint64_t ntp) {
    int64_t secs = static_cast<int64_t>(ntp >> 32) - kNtpToUnixSeconds;
    int64_t frac_us = static_cast<int64_t>(((ntp & 0xffffffffu) * 1000000u) >> 32);
    return secs * 1000000 + frac_us;
}

// Clamped so that absurd values cannot overflow the microsecond arithmetic.
int64_t seconds_to_us(uint64_t s) { return static_cast<int64_t>(std::min<uint64_t>(s, uint64_t{1} << 40)) * 1000000; }

void set_timestamp(FlowRecord &r, int64_t us) {
    int64_t sec = us / 1000000;
    int64_t rem = us % 1000000;
    if (rem < 0) {
        rem += 1000000;
        --sec;
    }
    r.ts_sec = sec;
    r.ts_usec = rem;
}

// Calls visit(field, data, length) for every field of one record starting at
// p with `avail` bytes; returns the record's length, or 0 if it is truncated.
template <typename Visit>
size_t walk_record(const Template &t, const uint8_t *p, size_t avail, Visit &&visit) {
    size_t off = 0;
    for (const FieldSpec &f : t.fields) {
        size_t len = f.length;
        if (f.length == kVariableLength) {
            if (avail - off < 1) return 0;
            len = p[off++];
            if (len == 255) {
                if (avail - off < 2) return 0;
                len = get16(p + off);
                off += 2;
            }
        }
        if (avail - off < len) return 0;
        visit(f, p + off, len);
        off += len;
    }
    return off;
}

// Sampling rate from the sampling elements of one record, if it has any.
struct SamplingFields {
    std::optional<uint64_t> interval;         // samplingInterval / samplerRandomInterval
    std::optional<uint64_t> packet_interval;  // samplingPacketInterval
    std::optional<uint64_t> packet_space;     // samplingPacketSpace
    std::optional<uint64_t> sampler_id;       // samplerId / selectorId
    std::optional<uint64_t> size, population; // samplingSize / samplingPopulation (RFC 5477)

    bool take(uint16_t id, const uint8_t *d, size_t len) {
        switch (id) {
        case ie::kSamplingInterval:
        case ie::kSamplerRandomInterval: interval = get_uint(d, len); return true;
        case ie::kSamplingPacketInterval: packet_interval = get_uint(d, len); return true;
        case ie::kSamplingPacketSpace: packet_space = get_uint(d, len); return true;
        case ie::kSamplerId:
        case ie::kSelectorId: sampler_id = get_uint(d, len); return true;
        case ie::kSamplingSize: size = get_uint(d, len); return true;
        case ie::kSamplingPopulation: population = get_uint(d, len); return true;
        default: return false;
        }
    }

    // 1-in-N; 0 when the record states no usable rate.
    uint32_t rate() const {
        uint64_t r = 0;
        if (interval && *interval > 0) {
            r = *interval;
        } else if (packet_interval && *packet_interval > 0) {
            // n selected then m skipped: one in (n + m) / n.  Without a space
            // the interval is taken as the 1-in-N rate, as some exporters mean it.
            r = packet_space ? (*packet_interval + *packet_space) / *packet_interval : *packet_interval;
        } else if (size && population && *size > 0) {
            r = *population / *size;  // n of every N packets
        }
        return static_cast<uint32_t>(std::min<uint64_t>(r, std::numeric_limits<uint32_t>::max()));
    }
};

}  // namespace

struct NetflowDecoder::State {
    std::map<SessionKey, Session> sessions;
};

NetflowDecoder::NetflowDecoder(NetflowDecoderOptions options)
    : options_(options), state_(std::make_unique<State>()) {}

NetflowDecoder::~NetflowDecoder() = default;

size_t NetflowDecoder::session_count() const { return state_->sessions.size(); }

void NetflowDecoder::expire(Clock::time_point now) {
    for (auto it = state_->sessions.begin(); it != state_->sessions.end();) {
        Session &s = it->second;
        for (auto t = s.templates.begin(); t != s.templates.end();) {
            if (now - t->second.received > options_.template_lifetime) {
                t = s.templates.erase(t);
                ++counters_.templates_expired;
            } else {
                ++t;
            }
        }
        if (s.templates.empty() && now - s.last_used > options_.template_lifetime)
            it = state_->sessions.erase(it);
        else
            ++it;
    }
}

// ------------------------------------------------------------ the decoding

namespace {

class Decoder {
public:
    Decoder(const NetflowDecoderOptions &opt, NetflowDecoderCounters &c, NetflowDecoder::State &st,
            const ExporterAddress &from, Clock::time_point now, std::vector<FlowRecord> &out)
        : opt_(opt), c_(c), st_(st), from_(from), now_(now), out_(out) {}

    bool v5(std::span<const uint8_t> d);
    bool v9(std::span<const uint8_t> d);
    bool ipfix(std::span<const uint8_t> d);

private:
    Session &session(uint32_t domain, Protocol p);
    bool template_set(Session &s, Protocol proto, bool options, const uint8_t *p, size_t len);
    bool add_template(Session &s, uint16_t id, Template &&t);
    bool data_set(Session &s, uint16_t set_id, const uint8_t *p, size_t len, const MessageTime &mt);
    // Both decode one record from at most `avail` bytes and return its length,
    // or 0 (and no effect) if the record is truncated.
    size_t options_record(Session &s, const Template &t, const uint8_t *p, size_t avail);
    size_t flow_record(Session &s, const Template &t, const uint8_t *p, size_t avail, const MessageTime &mt);
    // Walks the set headers of a v9/IPFIX message body; false if they do not
    // tile it exactly.
    static bool sets_well_formed(const uint8_t *p, size_t len);

    const NetflowDecoderOptions &opt_;
    NetflowDecoderCounters &c_;
    NetflowDecoder::State &st_;
    const ExporterAddress &from_;
    Clock::time_point now_;
    std::vector<FlowRecord> &out_;
};

bool Decoder::sets_well_formed(const uint8_t *p, size_t len) {
    size_t off = 0;
    while (off < len) {
        if (len - off < kSetHeaderLength) return false;
        size_t set_len = get16(p + off + 2);
        if (set_len < kSetHeaderLength || set_len > len - off) return false;
        off += set_len;
    }
    return true;
}

Session &Decoder::session(uint32_t domain, Protocol p) {
    SessionKey key{from_, domain, p};
    auto it = st_.sessions.find(key);
    if (it == st_.sessions.end()) {
        if (st_.sessions.size() >= std::max<size_t>(opt_.max_sessions, 1)) {
            auto victim = std::min_element(st_.sessions.begin(), st_.sessions.end(),
                                           [](const auto &a, const auto &b) {
                                               return a.second.last_used < b.second.last_used;
                                           });
            st_.sessions.erase(victim);
            ++c_.sessions_evicted;
        }
        it = st_.sessions.emplace(key, Session{}).first;
    }
    it->second.last_used = now_;
    return it->second;
}

bool Decoder::add_template(Session &s, uint16_t id, Template &&t) {
    t.received = now_;
    auto it = s.templates.find(id);
    if (it == s.templates.end() && s.templates.size() >= opt_.max_templates_per_session) {
        ++c_.templates_refused;
        return true;  // well formed, just over our budget
    }
    if (t.options)
        ++c_.options_templates;
    else
        ++c_.templates;
    s.templates[id] = std::move(t);
    return true;
}

// Parses one template set (template or options template; v9 or IPFIX).
// Returns false on a malformed record; templates before it are kept.
bool Decoder::template_set(Session &s, Protocol proto, bool options, const uint8_t *p, size_t len) {
    size_t off = 0;
    while (off < len) {
        size_t left = len - off;
        if (all_zero(p + off, left)) return true;  // padding
        if (left < 4) return false;
        uint16_t id = get16(p + off);
        uint16_t count = get16(p + off + 2);
        size_t fields = 0, scope = 0;
        off += 4;
        if (proto == Protocol::Ipfix) {
            if (count == 0) {
                // Withdrawal (RFC 7011 8.1): one template, or with the set id
                // as template id all templates of that kind.
                uint16_t all_id = options ? 3 : 2;
                if (id == all_id) {
                    std::erase_if(s.templates, [&](const auto &kv) { return kv.second.options == options; });
                } else if (id >= kMinDataSetId) {
                    s.templates.erase(id);
                } else {
                    return false;
                }
                ++c_.template_withdrawals;
                continue;
            }
            fields = count;
            if (options) {
                if (len - off < 2) return false;
                scope = get16(p + off);
                off += 2;
                if (scope == 0 || scope > fields) return false;
            }
        } else if (options) {
            // v9 options template: scope and option lengths in bytes.
            if (len - off < 2) return false;
            size_t scope_bytes = count;
            size_t option_bytes = get16(p + off);
            off += 2;
            if (scope_bytes % 4 != 0 || option_bytes % 4 != 0) return false;
            scope = scope_bytes / 4;
            fields = scope + option_bytes / 4;
        } else {
            fields = count;
        }
        if (id < kMinDataSetId || fields == 0) return false;

        Template t;
        t.options = options;
        t.fields.reserve(std::min<size_t>(fields, (len - off) / 4));
        for (size_t i = 0; i < fields; ++i) {
            if (len - off < 4) return false;
            FieldSpec f;
            uint16_t raw = get16(p + off);
            f.length = get16(p + off + 2);
            off += 4;
            if (proto == Protocol::Ipfix && (raw & 0x8000)) {
                if (len - off < 4) return false;
                f.enterprise = true;
                off += 4;  // enterprise number: we map no enterprise elements
            }
            f.id = raw & 0x7fff;
            if (proto == Protocol::V9) f.id = raw;
            if (f.length == 0) return false;
            if (f.length == kVariableLength) {
                if (proto == Protocol::V9) return false;
                t.min_length += 1;
            } else {
                t.min_length += f.length;
            }
            t.fields.push_back(f);
        }
        if (t.min_length > kMaxRecordLength) return false;
        add_template(s, id, std::move(t));
    }
    return true;
}

bool Decoder::data_set(Session &s, uint16_t set_id, const uint8_t *p, size_t len, const MessageTime &mt) {
    auto it = s.templates.find(set_id);
    if (it != s.templates.end() && now_ - it->second.received > opt_.template_lifetime) {
        s.templates.erase(it);
        ++c_.templates_expired;
        it = s.templates.end();
    }
    if (it == s.templates.end()) {
        ++c_.missing_template;
        return true;  // not malformed: the template may come later (UDP reorders)
    }
    const Template &t = it->second;
    size_t off = 0;
    // Whatever is left that cannot hold a record is padding (RFC 7011 3.3.1).
    while (len - off >= t.min_length) {
        size_t n = t.options ? options_record(s, t, p + off, len - off)
                             : flow_record(s, t, p + off, len - off, mt);
        if (n == 0) return false;
        off += n;
    }
    return true;
}

size_t Decoder::options_record(Session &s, const Template &t, const uint8_t *p, size_t avail) {
    SamplingFields sf;
    std::optional<uint64_t> init_ms;
    size_t len = walk_record(t, p, avail, [&](const FieldSpec &f, const uint8_t *d, size_t n) {
        if (f.enterprise) return;
        if (sf.take(f.id, d, n)) return;
        if (f.id == ie::kSystemInitTimeMilliseconds && n == 8) init_ms = get64(d);
    });
    if (len == 0) return 0;
    ++c_.options_records;
    if (init_ms) s.system_init_ms = init_ms;
    uint32_t rate = sf.rate();
    if (rate == 0) return len;
    s.default_sampling = rate;
    if (sf.sampler_id && (s.sampling_by_id.size() < kMaxSamplersPerSession ||
                          s.sampling_by_id.count(*sf.sampler_id)))
        s.sampling_by_id[*sf.sampler_id] = rate;
    return len;
}

size_t Decoder::flow_record(Session &s, const Template &t, const uint8_t *p, size_t avail,
                            const MessageTime &mt) {
    FlowRecord r;
    r.source = RecordSource::Netflow;
    r.agent_ip = from_.ipv4_network_order();
    SamplingFields sf;
    std::optional<uint64_t> octets, packets, octets_total, packets_total;
    std::optional<uint64_t> version;
    bool saw_v6 = false, saw_v4 = false;
    // Candidate timestamps in microseconds since the epoch.
    std::optional<int64_t> end_us, start_us;
    std::optional<uint64_t> end_uptime, start_uptime, init_ms;
    std::optional<uint64_t> frag_flags, frag_offset;
    std::optional<uint64_t> ttl, min_ttl;
    bool has_post_src_mac = false, has_post_dst_mac = false;
    std::array<uint8_t, 6> post_src_mac{}, post_dst_mac{};

    size_t len = walk_record(t, p, avail, [&](const FieldSpec &f, const uint8_t *d, size_t n) {
        if (f.enterprise) return;
        if (sf.take(f.id, d, n)) return;
        switch (f.id) {
        case ie::kOctetDeltaCount: octets = get_uint(d, n); break;
        case ie::kPacketDeltaCount: packets = get_uint(d, n); break;
        case ie::kOctetTotalCount: octets_total = get_uint(d, n); break;
        case ie::kPacketTotalCount: packets_total = get_uint(d, n); break;
        case ie::kProtocolIdentifier: r.protocol = static_cast<uint32_t>(get_uint(d, n)); break;
        case ie::kTcpControlBits: r.tcp_flags = static_cast<uint8_t>(get_uint(d, n)); break;
        case ie::kSourceTransportPort: r.src_port = static_cast<uint16_t>(get_uint(d, n)); break;
        case ie::kDestinationTransportPort: r.dst_port = static_cast<uint16_t>(get_uint(d, n)); break;
        case ie::kSourceIPv4Address:
            if (n == 4) std::memcpy(&r.src_ip, d, 4), saw_v4 = true;
            break;
        case ie::kDestinationIPv4Address:
            if (n == 4) std::memcpy(&r.dst_ip, d, 4), saw_v4 = true;
            break;
        case ie::kSourceIPv6Address:
            if (n == 16) std::memcpy(r.src_ipv6.data(), d, 16), saw_v6 = true;
            break;
        case ie::kDestinationIPv6Address:
            if (n == 16) std::memcpy(r.dst_ipv6.data(), d, 16), saw_v6 = true;
            break;
        case ie::kIngressInterface: r.input_interface = static_cast<uint32_t>(get_uint(d, n)); break;
        case ie::kEgressInterface: r.output_interface = static_cast<uint32_t>(get_uint(d, n)); break;
        case ie::kBgpSourceAsNumber: r.src_asn = static_cast<uint32_t>(get_uint(d, n)); break;
        case ie::kBgpDestinationAsNumber: r.dst_asn = static_cast<uint32_t>(get_uint(d, n)); break;
        case ie::kSourceMacAddress:
            if (n == 6) std::memcpy(r.src_mac.data(), d, 6), r.has_src_mac = true;
            break;
        case ie::kDestinationMacAddress:
            if (n == 6) std::memcpy(r.dst_mac.data(), d, 6), r.has_dst_mac = true;
            break;
        case ie::kPostSourceMacAddress:
            if (n == 6) std::memcpy(post_src_mac.data(), d, 6), has_post_src_mac = true;
            break;
        case ie::kPostDestinationMacAddress:
            if (n == 6) std::memcpy(post_dst_mac.data(), d, 6), has_post_dst_mac = true;
            break;
        case ie::kFlowDirection: r.direction = static_cast<uint8_t>(get_uint(d, n) & 1); break;
        case ie::kIpTTL: ttl = get_uint(d, n); break;
        case ie::kMinimumTTL: min_ttl = get_uint(d, n); break;
        case ie::kIpVersion: version = get_uint(d, n); break;
        case ie::kFragmentFlags: frag_flags = get_uint(d, n); break;
        case ie::kFragmentOffset: frag_offset = get_uint(d, n); break;
        case ie::kFlowEndSysUpTime: end_uptime = get_uint(d, n); break;
        case ie::kFlowStartSysUpTime: start_uptime = get_uint(d, n); break;
        case ie::kSystemInitTimeMilliseconds: init_ms = get_uint(d, n); break;
        case ie::kFlowEndSeconds: end_us = seconds_to_us(get_uint(d, n)); break;
        case ie::kFlowStartSeconds: start_us = seconds_to_us(get_uint(d, n)); break;
        case ie::kFlowEndMilliseconds:
            end_us = static_cast<int64_t>(get_uint(d, n) % (uint64_t{1} << 53)) * 1000;
            break;
        case ie::kFlowStartMilliseconds:
            start_us = static_cast<int64_t>(get_uint(d, n) % (uint64_t{1} << 53)) * 1000;
            break;
        case ie::kFlowEndMicroseconds:
        case ie::kFlowEndNanoseconds:
            if (n == 8) end_us = ntp_to_unix_us(get64(d));
            break;
        case ie::kFlowStartMicroseconds:
        case ie::kFlowStartNanoseconds:
            if (n == 8) start_us = ntp_to_unix_us(get64(d));
            break;
        default: break;
        }
    });
    if (len == 0) return 0;

    r.length = octets ? *octets : octets_total.value_or(0);
    r.ip_length = r.length;
    r.packets = packets ? *packets : packets_total.value_or(0);
    if (version && (*version == 4 || *version == 6))
        r.ip_version = static_cast<uint8_t>(*version);
    else
        r.ip_version = (saw_v6 && !saw_v4) ? 6 : 4;
    if (!r.has_src_mac && has_post_src_mac) r.src_mac = post_src_mac, r.has_src_mac = true;
    if (!r.has_dst_mac && has_post_dst_mac) r.dst_mac = post_dst_mac, r.has_dst_mac = true;
    if (ttl)
        r.ttl = static_cast<uint8_t>(*ttl);
    else if (min_ttl)
        r.ttl = static_cast<uint8_t>(*min_ttl);
    // fragmentFlags: bit 1 (0x40) DF, bit 2 (0x20) MF, bits numbered from the MSB.
    if (frag_flags) {
        r.ip_dont_fragment = (*frag_flags & 0x40) != 0;
        r.ip_fragmented = (*frag_flags & 0x20) != 0;
    }
    if (frag_offset && *frag_offset != 0) r.ip_fragmented = true;

    // *SysUpTime: ms since the exporter booted; v9 has the header's sysUptime,
    // IPFIX needs systemInitTimeMilliseconds (in the record or from options).
    auto from_uptime = [&](uint64_t uptime) -> std::optional<int64_t> {
        if (mt.sys_uptime_ms) {
            int32_t age = static_cast<int32_t>(*mt.sys_uptime_ms - static_cast<uint32_t>(uptime));
            return (mt.export_ms - age) * 1000;
        }
        std::optional<uint64_t> base = init_ms ? init_ms : s.system_init_ms;
        if (base) return static_cast<int64_t>((*base + uptime) % (uint64_t{1} << 53)) * 1000;
        return std::nullopt;
    };
    if (!end_us && end_uptime) end_us = from_uptime(*end_uptime);
    if (!start_us && start_uptime) start_us = from_uptime(*start_uptime);
    set_timestamp(r, end_us ? *end_us : start_us ? *start_us : mt.export_ms * 1000);

    uint32_t rate = sf.rate();
    if (rate == 0 && sf.sampler_id) {
        auto it = s.sampling_by_id.find(*sf.sampler_id);
        if (it != s.sampling_by_id.end()) rate = it->second;
    }
    if (rate == 0) rate = s.default_sampling;
    r.sample_ratio = rate == 0 ? 1 : rate;

    out_.push_back(r);
    ++c_.records;
    return len;
}

bool Decoder::v5(std::span<const uint8_t> d) {
    if (d.size() < kV5HeaderLength) return false;
    const uint8_t *h = d.data();
    size_t count = get16(h + 2);
    if (count > kV5MaxRecords || d.size() < kV5HeaderLength + count * kV5RecordLength) return false;
    uint32_t uptime = get32(h + 4);
    int64_t now_ms = int64_t{get32(h + 8)} * 1000 + get32(h + 12) / 1000000;
    // Top two bits: sampling mode; low 14 bits: the interval.
    uint32_t interval = get16(h + 22) & 0x3fff;
    for (size_t i = 0; i < count; ++i) {
        const uint8_t *p = h + kV5HeaderLength + i * kV5RecordLength;
        FlowRecord r;
        r.source = RecordSource::Netflow;
        r.agent_ip = from_.ipv4_network_order();
        r.sample_ratio = interval == 0 ? 1 : interval;
        r.ip_version = 4;
        std::memcpy(&r.src_ip, p, 4);
        std::memcpy(&r.dst_ip, p + 4, 4);
        r.input_interface = get16(p + 12);
        r.output_interface = get16(p + 14);
        r.packets = get32(p + 16);
        r.length = get32(p + 20);
        r.ip_length = r.length;
        uint32_t last = get32(p + 28);
        int32_t age = static_cast<int32_t>(uptime - last);
        set_timestamp(r, (now_ms - age) * 1000);
        r.src_port = get16(p + 32);
        r.dst_port = get16(p + 34);
        r.tcp_flags = p[37];
        r.protocol = p[38];
        r.src_asn = get16(p + 40);
        r.dst_asn = get16(p + 42);
        out_.push_back(r);
        ++c_.records;
    }
    ++c_.packets_v5;
    return true;
}

bool Decoder::v9(std::span<const uint8_t> d) {
    if (d.size() < kV9HeaderLength) return false;
    const uint8_t *h = d.data();
    const uint8_t *body = h + kV9HeaderLength;
    size_t body_len = d.size() - kV9HeaderLength;
    if (!sets_well_formed(body, body_len)) return false;
    MessageTime mt;
    mt.sys_uptime_ms = get32(h + 4);
    mt.export_ms = int64_t{get32(h + 8)} * 1000;
    Session &s = session(get32(h + 16), Protocol::V9);
    bool ok = true;
    for (size_t off = 0; off < body_len;) {
        uint16_t id = get16(body + off);
        size_t len = get16(body + off + 2);
        const uint8_t *p = body + off + kSetHeaderLength;
        size_t n = len - kSetHeaderLength;
        if (id == 0 || id == 1)
            ok = template_set(s, Protocol::V9, id == 1, p, n) && ok;
        else if (id >= kMinDataSetId)
            ok = data_set(s, id, p, n, mt) && ok;
        // 2..255 are reserved: skipped.
        off += len;
    }
    ++c_.packets_v9;
    return ok;
}

bool Decoder::ipfix(std::span<const uint8_t> d) {
    if (d.size() < kIpfixHeaderLength) return false;
    const uint8_t *h = d.data();
    size_t msg_len = get16(h + 2);
    // One message per datagram (RFC 7011 10.3.2): the lengths must agree.
    if (msg_len != d.size()) return false;
    const uint8_t *body = h + kIpfixHeaderLength;
    size_t body_len = msg_len - kIpfixHeaderLength;
    if (!sets_well_formed(body, body_len)) return false;
    MessageTime mt;
    mt.export_ms = int64_t{get32(h + 4)} * 1000;
    Session &s = session(get32(h + 12), Protocol::Ipfix);
    bool ok = true;
    for (size_t off = 0; off < body_len;) {
        uint16_t id = get16(body + off);
        size_t len = get16(body + off + 2);
        const uint8_t *p = body + off + kSetHeaderLength;
        size_t n = len - kSetHeaderLength;
        if (id == 2 || id == 3)
            ok = template_set(s, Protocol::Ipfix, id == 3, p, n) && ok;
        else if (id >= kMinDataSetId)
            ok = data_set(s, id, p, n, mt) && ok;
        // 0, 1 and 4..255 are not for data (RFC 7011 3.3.2): ignored.
        off += len;
    }
    ++c_.packets_ipfix;
    return ok;
}

}  // namespace

bool NetflowDecoder::feed(std::span<const uint8_t> datagram, const ExporterAddress &from,
                          Clock::time_point now, std::vector<FlowRecord> &out) {
    Decoder d(options_, counters_, *state_, from, now, out);
    bool ok = false;
    uint16_t version = datagram.size() >= 2 ? get16(datagram.data()) : 0;
    switch (version) {
    case 5: ok = d.v5(datagram); break;
    case 9: ok = d.v9(datagram); break;
    case 10: ok = d.ipfix(datagram); break;
    default: ++counters_.bad_version; break;
    }
    if (!ok) ++counters_.malformed;
    return ok;
}

}  // namespace nfr
