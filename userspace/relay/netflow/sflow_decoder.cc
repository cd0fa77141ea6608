#include "sflow_decoder.h"

#include <cstring>

#include "wire.h"

namespace nfr {

using wire::get16;
using wire::get32;

std::vector<std::pair<std::string_view, uint64_t>> SflowDecoderCounters::named() const {
    return {
        {"sflow_datagrams", datagrams},
        {"sflow_flow_samples", flow_samples},
        {"sflow_counter_samples", counter_samples},
        {"sflow_records", records},
        {"sflow_malformed", malformed},
        {"sflow_bad_version", bad_version},
        {"sflow_unknown_samples", unknown_samples},
        {"sflow_no_header", no_header},
        {"sflow_undecodable_headers", undecodable_headers},
    };
}

namespace {

// Bounds-checked XDR reader: a short read sets ok = false and returns zeros.
class Xdr {
public:
    explicit Xdr(std::span<const uint8_t> d) : d_(d) {}
    bool ok() const { return ok_; }
    size_t left() const { return d_.size() - pos_; }
    uint32_t u32() {
        if (!ok_ || left() < 4) return fail32();
        uint32_t v = get32(d_.data() + pos_);
        pos_ += 4;
        return v;
    }
    // `n` bytes of opaque data, then the padding to a multiple of four.
    std::span<const uint8_t> bytes(size_t n) {
        size_t padded = n + ((4 - n % 4) % 4);
        if (!ok_ || n > left() || padded > left()) {
            ok_ = false;
            return {};
        }
        std::span<const uint8_t> s = d_.subspan(pos_, n);
        pos_ += padded;
        return s;
    }
    // An opaque<> whose length comes first.
    std::span<const uint8_t> opaque() { return bytes(u32()); }

private:
    uint32_t fail32() {
        ok_ = false;
        return 0;
    }
    std::span<const uint8_t> d_;
    size_t pos_ = 0;
    bool ok_ = true;
};

constexpr uint32_t kUnknownInterface = 0x3fffffff;

uint32_t CompactInterface(uint32_t v) {
    if (v >> 30) return 0;  // discarded / multiple interfaces: no single ifIndex
    return v == kUnknownInterface ? 0 : v;
}

uint32_t ExpandedInterface(uint32_t format, uint32_t value) {
    return format == 0 && value != kUnknownInterface ? value : 0;
}

void DecodeTransport(uint8_t proto, std::span<const uint8_t> l4, FlowRecord &r) {
    if ((proto == 6 || proto == 17 || proto == 132) && l4.size() >= 4) {
        r.src_port = get16(l4.data());
        r.dst_port = get16(l4.data() + 2);
    }
    if (proto == 6 && l4.size() >= 14) r.tcp_flags = l4[13];
}

bool DecodeIpv4(std::span<const uint8_t> p, FlowRecord &r) {
    if (p.size() < 20 || (p[0] >> 4) != 4) return false;
    size_t ihl = static_cast<size_t>(p[0] & 0x0f) * 4;
    if (ihl < 20) return false;
    r.ip_version = 4;
    r.ip_length = get16(p.data() + 2);
    uint16_t frag = get16(p.data() + 6);
    r.ip_dont_fragment = frag & 0x4000;
    r.ip_fragmented = (frag & 0x2000) || (frag & 0x1fff);
    r.ttl = p[8];
    r.protocol = p[9];
    std::memcpy(&r.src_ip, p.data() + 12, 4);
    std::memcpy(&r.dst_ip, p.data() + 16, 4);
    if ((frag & 0x1fff) == 0 && ihl <= p.size()) DecodeTransport(p[9], p.subspan(ihl), r);
    return true;
}

bool DecodeIpv6(std::span<const uint8_t> p, FlowRecord &r) {
    if (p.size() < 40 || (p[0] >> 4) != 6) return false;
    r.ip_version = 6;
    r.ip_length = 40u + get16(p.data() + 4);
    r.ttl = p[7];
    std::memcpy(r.src_ipv6.data(), p.data() + 8, 16);
    std::memcpy(r.dst_ipv6.data(), p.data() + 24, 16);
    uint8_t next = p[6];
    size_t off = 40;
    bool first_fragment = true;
    // Hop-by-hop, routing, destination options and fragment headers; a few at most.
    for (int i = 0; i < 8 && (next == 0 || next == 43 || next == 60 || next == 44); ++i) {
        if (p.size() - off < 8) {
            off = p.size();
            break;
        }
        const uint8_t *h = p.data() + off;
        if (next == 44) {
            uint16_t fo = get16(h + 2);
            r.ip_fragmented = true;
            first_fragment = (fo >> 3) == 0;
            off += 8;
        } else {
            size_t len = (static_cast<size_t>(h[1]) + 1) * 8;
            if (len > p.size() - off) {
                off = p.size();
                next = h[0];
                break;
            }
            off += len;
        }
        next = h[0];
    }
    r.protocol = next;
    if (first_fragment && off <= p.size()) DecodeTransport(next, p.subspan(off), r);
    return true;
}

}  // namespace

bool DecodeSampledHeader(uint32_t header_protocol, std::span<const uint8_t> h, FlowRecord &r) {
    if (header_protocol == 11) return DecodeIpv4(h, r);
    if (header_protocol == 12) return DecodeIpv6(h, r);
    if (header_protocol != 1 || h.size() < 14) return false;
    std::memcpy(r.dst_mac.data(), h.data(), 6);
    std::memcpy(r.src_mac.data(), h.data() + 6, 6);
    r.has_dst_mac = r.has_src_mac = true;
    size_t off = 12;
    uint16_t type = get16(h.data() + off);
    // 802.1Q, 802.1ad and the old QinQ tag: up to four of them.
    for (int i = 0; i < 4 && (type == 0x8100 || type == 0x88a8 || type == 0x9100); ++i) {
        off += 4;
        if (h.size() < off + 2) return false;
        type = get16(h.data() + off);
    }
    off += 2;
    if (type == 0x0800) return DecodeIpv4(h.subspan(off), r);
    if (type == 0x86dd) return DecodeIpv6(h.subspan(off), r);
    return false;
}

namespace {

struct SampleContext {
    uint32_t sampling_rate = 0;
    uint32_t input = 0, output = 0;
    uint32_t agent_ip = 0;
    std::chrono::system_clock::time_point now;
};

// The flow records of one flow sample; false when they do not parse.
bool DecodeFlowRecords(Xdr &x, const SampleContext &ctx, SflowDecoderCounters &c, std::vector<FlowRecord> &out) {
    uint32_t n = x.u32();
    if (!x.ok() || n > x.left() / 8) return false;
    bool have_header = false, decoded = false;
    FlowRecord r;
    for (uint32_t i = 0; i < n; ++i) {
        uint32_t format = x.u32();
        Xdr rec(x.opaque());
        if (!x.ok()) return false;
        if (format != 1 || have_header) continue;  // enterprise 0, raw packet header; others skipped
        uint32_t proto = rec.u32();
        uint32_t frame_length = rec.u32();
        uint32_t stripped = rec.u32();
        std::span<const uint8_t> header = rec.opaque();
        if (!rec.ok()) return false;
        have_header = true;
        r.length = stripped <= frame_length ? frame_length - stripped : frame_length;
        decoded = DecodeSampledHeader(proto, header, r);
    }
    if (!have_header) {
        ++c.no_header;
        return true;
    }
    if (!decoded) {
        ++c.undecodable_headers;
        return true;
    }
    r.source = RecordSource::Sflow;
    r.sample_ratio = ctx.sampling_rate ? ctx.sampling_rate : 1;
    r.packets = 1;
    r.input_interface = ctx.input;
    r.output_interface = ctx.output;
    r.agent_ip = ctx.agent_ip;
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(ctx.now.time_since_epoch()).count();
    r.ts_sec = us / 1000000;
    r.ts_usec = us % 1000000;
    out.push_back(r);
    ++c.records;
    return true;
}

// Counter records: checked for shape only.
bool SkipRecords(Xdr &x) {
    uint32_t n = x.u32();
    if (!x.ok() || n > x.left() / 8) return false;
    for (uint32_t i = 0; i < n && x.ok(); ++i) {
        x.u32();
        x.opaque();
    }
    return x.ok();
}

}  // namespace

bool SflowDecoder::feed(std::span<const uint8_t> datagram, std::chrono::system_clock::time_point now,
                        std::vector<FlowRecord> &out) {
    Xdr x(datagram);
    uint32_t version = x.u32();
    if (x.ok() && version != 5) {
        ++counters_.bad_version;
        ++counters_.malformed;
        return false;
    }
    SampleContext ctx;
    ctx.now = now;
    uint32_t agent_type = x.u32();
    if (agent_type == 1) {
        std::span<const uint8_t> a = x.bytes(4);
        if (x.ok()) std::memcpy(&ctx.agent_ip, a.data(), 4);
    } else if (agent_type == 2) {
        x.bytes(16);
    } else if (agent_type != 0) {
        ++counters_.malformed;
        return false;
    }
    x.u32();  // sub-agent id
    x.u32();  // sequence number
    x.u32();  // uptime
    uint32_t samples = x.u32();
    if (!x.ok() || samples > x.left() / 8) {
        ++counters_.malformed;
        return false;
    }
    ++counters_.datagrams;
    for (uint32_t i = 0; i < samples; ++i) {
        uint32_t format = x.u32();
        Xdr s(x.opaque());
        if (!x.ok()) break;
        bool ok = true;
        if (format == 1 || format == 3) {
            ++counters_.flow_samples;
            s.u32();  // sequence number
            if (format == 3) s.u32();  // source id type
            s.u32();  // source id (index)
            ctx.sampling_rate = s.u32();
            s.u32();  // sample pool
            s.u32();  // drops
            if (format == 1) {
                ctx.input = CompactInterface(s.u32());
                ctx.output = CompactInterface(s.u32());
            } else {
                uint32_t in_format = s.u32();
                ctx.input = ExpandedInterface(in_format, s.u32());
                uint32_t out_format = s.u32();
                ctx.output = ExpandedInterface(out_format, s.u32());
            }
            ok = s.ok() && DecodeFlowRecords(s, ctx, counters_, out) && s.left() == 0;
        } else if (format == 2 || format == 4) {
            ++counters_.counter_samples;
            s.u32();  // sequence number
            if (format == 4) s.u32();  // source id type
            s.u32();  // source id (index)
            ok = SkipRecords(s) && s.left() == 0;
        } else {
            ++counters_.unknown_samples;
        }
        if (!ok) {
            ++counters_.malformed;
            return false;
        }
    }
    if (!x.ok() || x.left() != 0) {
        ++counters_.malformed;
        return false;
    }
    return true;
}

}  // namespace nfr
