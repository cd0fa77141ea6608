// sFlow v5 decoder: flow samples become records with the sampled packet's
// fields, counter samples are counted, malformed datagrams are counted and
// survived.
#include <catch2/catch.hpp>

#include "sflow_decoder.h"
#include "test_util.h"

extern "C" int nf_sflow_fuzz_one(const uint8_t *data, size_t size);

using namespace nfr;
using namespace nfr::test;

namespace {

std::vector<uint8_t> eth(std::initializer_list<uint16_t> tags, uint16_t type) {
    Bytes b;
    b.raw({0x02, 0, 0, 0, 0, 0x02}).raw({0x02, 0, 0, 0, 0, 0x01});
    for (uint16_t vid : tags) b.u16(0x8100).u16(vid);
    b.u16(type);
    return b.get();
}

std::vector<uint8_t> ipv4_tcp(uint16_t frag = 0x4000) {
    Bytes b;
    b.u8(0x45).u8(0).u16(60).u16(7).u16(frag).u8(63).u8(6).u16(0);
    b.ip4(10, 0, 0, 1).ip4(192, 0, 2, 9);
    b.u16(40000).u16(443).u32(1).u32(0).u8(0x50).u8(0x12).u16(1000).u16(0).u16(0);
    return b.get();
}

std::vector<uint8_t> ipv6(uint8_t next, const std::vector<uint8_t> &after) {
    Bytes b;
    b.u32(6u << 28).u16(static_cast<uint16_t>(after.size())).u8(next).u8(50);
    b.raw({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
    b.raw({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2});
    b.raw(after);
    return b.get();
}

std::vector<uint8_t> cat(std::vector<uint8_t> a, const std::vector<uint8_t> &b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// XDR opaque<>: length, bytes, zero padding.
Bytes &opaque(Bytes &b, const std::vector<uint8_t> &v) {
    b.u32(static_cast<uint32_t>(v.size())).raw(v);
    for (size_t i = v.size(); i % 4; ++i) b.u8(0);
    return b;
}

std::vector<uint8_t> raw_header_record(uint32_t proto, uint32_t frame_length, const std::vector<uint8_t> &h) {
    Bytes r;
    r.u32(proto).u32(frame_length).u32(4);
    opaque(r, h);
    Bytes b;
    b.u32(1);
    opaque(b, r.get());
    return b.get();
}

std::vector<uint8_t> switch_record() {
    Bytes b;
    b.u32(1001).u32(16).u32(100).u32(0).u32(200).u32(0);
    return b.get();
}

std::vector<uint8_t> flow_sample(uint32_t rate, uint32_t in, uint32_t out, const std::vector<std::vector<uint8_t>> &records) {
    Bytes s;
    s.u32(1).u32(5).u32(rate).u32(1000).u32(0).u32(in).u32(out).u32(static_cast<uint32_t>(records.size()));
    for (const auto &r : records) s.raw(r);
    Bytes b;
    b.u32(1);
    return opaque(b, s.get()).get();
}

std::vector<uint8_t> expanded_flow_sample(uint32_t rate, uint32_t in, uint32_t out, const std::vector<uint8_t> &record) {
    Bytes s;
    s.u32(1).u32(0).u32(5).u32(rate).u32(1000).u32(0).u32(0).u32(in).u32(0).u32(out).u32(1).raw(record);
    Bytes b;
    b.u32(3);
    return opaque(b, s.get()).get();
}

std::vector<uint8_t> counter_sample() {
    Bytes rec;
    rec.u32(7).u32(1).u32(1000000000).u32(0);  // generic interface counters, cut short: shape only
    Bytes s;
    s.u32(9).u32(5).u32(1).u32(1);
    opaque(s, rec.get());
    Bytes b;
    b.u32(2);
    return opaque(b, s.get()).get();
}

std::vector<uint8_t> datagram(const std::vector<std::vector<uint8_t>> &samples) {
    Bytes b;
    b.u32(5).u32(1).ip4(198, 51, 100, 7).u32(0).u32(42).u32(123456).u32(static_cast<uint32_t>(samples.size()));
    for (const auto &s : samples) b.raw(s);
    return b.get();
}

}  // namespace

TEST_CASE("sFlow: Ethernet IPv4 TCP flow sample") {
    SflowDecoder d;
    std::vector<FlowRecord> out;
    auto pkt = cat(eth({}, 0x0800), ipv4_tcp());
    REQUIRE(d.feed(datagram({flow_sample(512, 3, 4, {switch_record(), raw_header_record(1, 78, pkt)})}), kNow, out));
    REQUIRE(out.size() == 1);
    const FlowRecord &r = out[0];
    CHECK(r.source == RecordSource::Sflow);
    CHECK(r.sample_ratio == 512);
    CHECK(r.ip_version == 4);
    CHECK(r.src_ip == ip4(10, 0, 0, 1));
    CHECK(r.dst_ip == ip4(192, 0, 2, 9));
    CHECK(r.src_port == 40000);
    CHECK(r.dst_port == 443);
    CHECK(r.protocol == 6);
    CHECK(r.tcp_flags == 0x12);
    CHECK(r.ttl == 63);
    CHECK(r.length == 74);  // frame length less the 4 stripped FCS octets
    CHECK(r.ip_length == 60);
    CHECK(r.packets == 1);
    CHECK(r.ip_dont_fragment);
    CHECK_FALSE(r.ip_fragmented);
    CHECK(r.input_interface == 3);
    CHECK(r.output_interface == 4);
    CHECK(r.has_src_mac);
    CHECK(r.src_mac == std::array<uint8_t, 6>{0x02, 0, 0, 0, 0, 0x01});
    CHECK(r.dst_mac == std::array<uint8_t, 6>{0x02, 0, 0, 0, 0, 0x02});
    CHECK(r.agent_ip == ip4(198, 51, 100, 7));
    CHECK(r.ts_sec == 1700000000);
    CHECK(d.counters().datagrams == 1);
    CHECK(d.counters().flow_samples == 1);
    CHECK(d.counters().records == 1);
    CHECK(d.counters().malformed == 0);
}

TEST_CASE("sFlow: VLAN-tagged IPv4 UDP in an expanded flow sample; unknown interface is 0") {
    SflowDecoder d;
    std::vector<FlowRecord> out;
    Bytes udp;
    udp.u8(0x45).u8(0).u16(28).u16(1).u16(0).u8(64).u8(17).u16(0).ip4(10, 0, 0, 3).ip4(10, 0, 0, 4);
    udp.u16(5353).u16(53).u16(8).u16(0);
    auto pkt = cat(eth({100, 200}, 0x0800), udp.get());
    REQUIRE(d.feed(datagram({expanded_flow_sample(64, 0x3fffffff, 17, raw_header_record(1, 72, pkt))}), kNow, out));
    REQUIRE(out.size() == 1);
    CHECK(out[0].src_ip == ip4(10, 0, 0, 3));
    CHECK(out[0].src_port == 5353);
    CHECK(out[0].dst_port == 53);
    CHECK(out[0].protocol == 17);
    CHECK(out[0].sample_ratio == 64);
    CHECK(out[0].input_interface == 0);
    CHECK(out[0].output_interface == 17);
    CHECK_FALSE(out[0].ip_dont_fragment);
}

TEST_CASE("sFlow: IPv6 through extension headers; ICMPv6 has no ports") {
    SflowDecoder d;
    std::vector<FlowRecord> out;
    Bytes hbh;  // hop-by-hop options (8 octets) then UDP
    hbh.u8(17).u8(0).raw({1, 4, 0, 0, 0, 0}).u16(1111).u16(2222).u16(8).u16(0);
    Bytes icmp;
    icmp.u8(128).u8(0).u16(0).u32(0);
    REQUIRE(d.feed(datagram({flow_sample(10, 1, 2, {raw_header_record(1, 200, cat(eth({}, 0x86dd), ipv6(0, hbh.get())))}),
                             flow_sample(10, 1, 2, {raw_header_record(12, 48, ipv6(58, icmp.get()))})}),
                   kNow, out));
    REQUIRE(out.size() == 2);
    CHECK(out[0].ip_version == 6);
    CHECK(out[0].src_ipv6 == ip6({0x20, 0x01, 0x0d, 0xb8}, 1));
    CHECK(out[0].dst_ipv6 == ip6({0x20, 0x01, 0x0d, 0xb8}, 2));
    CHECK(out[0].protocol == 17);
    CHECK(out[0].src_port == 1111);
    CHECK(out[0].dst_port == 2222);
    CHECK(out[0].ip_length == 56);
    CHECK(out[0].ttl == 50);
    CHECK(out[1].protocol == 58);
    CHECK(out[1].src_port == 0);
    CHECK(out[1].dst_port == 0);
    CHECK_FALSE(out[1].has_src_mac);  // bare IPv6 header: no MACs
}

TEST_CASE("sFlow: non-first IPv4 fragment keeps addresses, no ports") {
    SflowDecoder d;
    std::vector<FlowRecord> out;
    REQUIRE(d.feed(datagram({flow_sample(1, 1, 2, {raw_header_record(11, 64, ipv4_tcp(0x2010))})}), kNow, out));
    REQUIRE(out.size() == 1);
    CHECK(out[0].ip_fragmented);
    CHECK(out[0].src_port == 0);
    CHECK(out[0].src_ip == ip4(10, 0, 0, 1));
}

TEST_CASE("sFlow: counter samples are counted, not forwarded; ARP and header-less samples are skipped") {
    SflowDecoder d;
    std::vector<FlowRecord> out;
    auto arp = cat(eth({}, 0x0806), std::vector<uint8_t>(28, 0));
    REQUIRE(d.feed(datagram({counter_sample(), flow_sample(8, 1, 2, {raw_header_record(1, 64, arp)}),
                             flow_sample(8, 1, 2, {switch_record()}),
                             flow_sample(8, 1, 2, {raw_header_record(1, 78, cat(eth({}, 0x0800), ipv4_tcp()))})}),
                   kNow, out));
    CHECK(out.size() == 1);
    CHECK(d.counters().counter_samples == 1);
    CHECK(d.counters().flow_samples == 3);
    CHECK(d.counters().undecodable_headers == 1);
    CHECK(d.counters().no_header == 1);
    CHECK(d.counters().records == 1);
    CHECK(d.counters().malformed == 0);
}

TEST_CASE("sFlow: malformed datagrams are counted, decoded records before the fault are kept") {
    auto good = flow_sample(8, 1, 2, {raw_header_record(1, 78, cat(eth({}, 0x0800), ipv4_tcp()))});
    const auto whole = datagram({good, good});
    SECTION("every truncation") {
        SflowDecoder d;
        for (size_t n = 0; n < whole.size(); ++n) {
            std::vector<FlowRecord> out;
            CHECK_FALSE(d.feed(std::span<const uint8_t>(whole.data(), n), kNow, out));
            CHECK(out.size() <= 1);
        }
        CHECK(d.counters().malformed == whole.size());
    }
    SECTION("bad version") {
        SflowDecoder d;
        auto v4 = whole;
        v4[3] = 4;
        std::vector<FlowRecord> out;
        CHECK_FALSE(d.feed(v4, kNow, out));
        CHECK(d.counters().bad_version == 1);
        CHECK(d.counters().malformed == 1);
        CHECK(d.counters().datagrams == 0);
    }
    SECTION("sample count beyond the datagram, trailing bytes, unknown agent address type") {
        SflowDecoder d;
        std::vector<FlowRecord> out;
        auto many = whole;
        many[27] = 0xff;
        CHECK_FALSE(d.feed(many, kNow, out));
        auto trailing = whole;
        trailing.push_back(0);
        CHECK_FALSE(d.feed(trailing, kNow, out));
        auto agent = whole;
        agent[7] = 9;
        CHECK_FALSE(d.feed(agent, kNow, out));
        CHECK(d.counters().malformed == 3);
        CHECK(out.size() == 2);  // the trailing-byte datagram's records came before the fault
    }
    SECTION("a record length larger than its sample") {
        SflowDecoder d;
        std::vector<FlowRecord> out;
        auto bad = whole;
        // first sample: format(4) len(4) then 8 u32 fields, record format, record length
        bad[28 + 8 + 32 + 4 + 2] = 0x7f;
        CHECK_FALSE(d.feed(bad, kNow, out));
        CHECK(d.counters().malformed == 1);
    }
    SECTION("unknown sample formats are skipped") {
        SflowDecoder d;
        std::vector<FlowRecord> out;
        Bytes other;
        other.u32((4300u << 12) | 1);
        opaque(other, {1, 2, 3, 4, 5});
        CHECK(d.feed(datagram({other.get(), good}), kNow, out));
        CHECK(d.counters().unknown_samples == 1);
        CHECK(out.size() == 1);
    }
}

TEST_CASE("sFlow: fuzz entry survives mangled valid datagrams") {
    auto base = datagram({counter_sample(), flow_sample(8, 1, 2, {raw_header_record(1, 78, cat(eth({7}, 0x0800), ipv4_tcp()))})});
    uint32_t seed = 1;
    for (int round = 0; round < 20000; ++round) {
        auto m = base;
        for (int k = 0; k < 1 + round % 4; ++k) {
            seed = seed * 1103515245u + 12345u;
            m[(seed >> 8) % m.size()] = static_cast<uint8_t>(seed >> 24);
        }
        seed = seed * 1103515245u + 12345u;
        m.resize(m.size() - (seed >> 8) % 8);
        nf_sflow_fuzz_one(m.data(), m.size());
    }
    SUCCEED();
}
