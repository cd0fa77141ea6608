// Hand-built NetFlow v5, v9 and IPFIX datagrams decode to exact records.
#include "netflow_decoder.h"

#include <netinet/in.h>

#include <catch2/catch.hpp>

#include "test_util.h"

using namespace nfr;
using namespace nfr::test;
using std::chrono::seconds;

namespace {

std::vector<FlowRecord> feed(NetflowDecoder &d, const Bytes &b, const ExporterAddress &from = kExporter,
                             std::chrono::system_clock::time_point now = kNow, bool expect_ok = true) {
    std::vector<FlowRecord> out;
    CHECK(d.feed(b.get(), from, now, out) == expect_ok);
    return out;
}

FlowRecord base_record() {
    FlowRecord r;
    r.source = RecordSource::Netflow;
    r.agent_ip = ip4(192, 0, 2, 1);
    return r;
}

// v5 header + two records, sampling mode 1 interval 64.
Bytes v5_datagram() {
    Bytes b;
    b.u16(5).u16(2).u32(100000).u32(1700000000).u32(500000000).u32(7).u8(0).u8(0).u16(0x4000 | 64);
    // srcaddr dstaddr nexthop input output dPkts dOctets First Last sport dport
    // pad tcp_flags prot tos src_as dst_as src_mask dst_mask pad
    b.ip4(10, 0, 0, 1).ip4(10, 0, 0, 2).ip4(0, 0, 0, 0).u16(3).u16(4).u32(10).u32(1500);
    b.u32(90000).u32(99000).u16(1234).u16(80).u8(0).u8(0x1b).u8(6).u8(0).u16(65001).u16(65002);
    b.u8(24).u8(24).u16(0);
    b.ip4(172, 16, 0, 9).ip4(8, 8, 8, 8).ip4(0, 0, 0, 0).u16(1).u16(2).u32(1).u32(76);
    b.u32(100500).u32(100500).u16(5353).u16(53).u8(0).u8(0).u8(17).u8(0).u16(0).u16(15169);
    b.u8(0).u8(0).u16(0);
    return b;
}

}  // namespace

TEST_CASE("NetFlow v5 datagram decodes to exact records") {
    NetflowDecoder d;
    auto out = feed(d, v5_datagram());
    REQUIRE(out.size() == 2);

    FlowRecord a = base_record();
    a.sample_ratio = 64;
    a.src_ip = ip4(10, 0, 0, 1);
    a.dst_ip = ip4(10, 0, 0, 2);
    a.input_interface = 3;
    a.output_interface = 4;
    a.packets = 10;
    a.length = a.ip_length = 1500;
    // Export time 1700000000.5 s, sysUptime 100000 ms, Last 99000 ms: ended 1 s earlier.
    a.ts_sec = 1699999999;
    a.ts_usec = 500000;
    a.src_port = 1234;
    a.dst_port = 80;
    a.tcp_flags = 0x1b;
    a.protocol = 6;
    a.src_asn = 65001;
    a.dst_asn = 65002;
    CHECK(out[0] == a);

    FlowRecord b = base_record();
    b.sample_ratio = 64;
    b.src_ip = ip4(172, 16, 0, 9);
    b.dst_ip = ip4(8, 8, 8, 8);
    b.input_interface = 1;
    b.output_interface = 2;
    b.packets = 1;
    b.length = b.ip_length = 76;
    // Last (100500) is 500 ms past sysUptime (100000): a clock skew the sign survives.
    b.ts_sec = 1700000001;
    b.ts_usec = 0;
    b.src_port = 5353;
    b.dst_port = 53;
    b.protocol = 17;
    b.dst_asn = 15169;
    CHECK(out[1] == b);

    CHECK(d.counters().packets_v5 == 1);
    CHECK(d.counters().records == 2);
    CHECK(d.counters().malformed == 0);
}

TEST_CASE("NetFlow v5 count over 30 or past the datagram is malformed") {
    NetflowDecoder d;
    Bytes many;
    many.u16(5).u16(31).u32(0).u32(0).u32(0).u32(0).u32(0);
    for (int i = 0; i < 31; ++i)
        for (int j = 0; j < 12; ++j) many.u32(0);
    CHECK(feed(d, many, kExporter, kNow, false).empty());

    std::vector<uint8_t> v = v5_datagram().get();
    v[3] = 3;  // claims three records, carries two
    std::vector<FlowRecord> out;
    CHECK_FALSE(d.feed(v, kExporter, kNow, out));
    CHECK(out.empty());
    CHECK(d.counters().malformed == 2);
    CHECK(d.counters().packets_v5 == 0);
}

namespace {

// v9 template 300 with the common fields; LAST_SWITCHED 199000 in a header with
// sysUptime 200000 and unix_secs 1700000000.
Bytes v9_template_set() {
    Bytes b;
    b.set(0).u16(300).u16(18);
    const uint16_t f[][2] = {{8, 4},  {12, 4}, {7, 2},  {11, 2}, {4, 1},  {6, 1},
                             {1, 4},  {2, 4},  {10, 2}, {14, 2}, {21, 4}, {22, 4},
                             {16, 2}, {17, 2}, {61, 1}, {192, 1}, {56, 6}, {80, 6}};
    for (auto &x : f) b.u16(x[0]).u16(x[1]);
    return b.end_set();
}

Bytes &v9_data_record(Bytes &b) {
    b.ip4(192, 168, 1, 10).ip4(192, 168, 2, 20).u16(40000).u16(443).u8(6).u8(0x12);
    b.u32(123456).u32(100).u16(7).u16(8).u32(199000).u32(150000).u16(64512).u16(64513);
    b.u8(1).u8(63).raw({0, 1, 2, 3, 4, 5}).raw({0xa, 0xb, 0xc, 0xd, 0xe, 0xf});
    return b;
}

FlowRecord v9_expected() {
    FlowRecord r = base_record();
    r.src_ip = ip4(192, 168, 1, 10);
    r.dst_ip = ip4(192, 168, 2, 20);
    r.src_port = 40000;
    r.dst_port = 443;
    r.protocol = 6;
    r.tcp_flags = 0x12;
    r.length = r.ip_length = 123456;
    r.packets = 100;
    r.input_interface = 7;
    r.output_interface = 8;
    r.ts_sec = 1699999999;  // ended 1000 ms before the header's time
    r.src_asn = 64512;
    r.dst_asn = 64513;
    r.direction = 1;
    r.ttl = 63;
    r.has_src_mac = r.has_dst_mac = true;
    r.src_mac = {0, 1, 2, 3, 4, 5};
    r.dst_mac = {0xa, 0xb, 0xc, 0xd, 0xe, 0xf};
    return r;
}

Bytes v9_data_set() {
    Bytes b;
    b.set(300);
    v9_data_record(b).u32(0);  // four bytes of padding
    return b.end_set();
}

}  // namespace

TEST_CASE("NetFlow v9 template then data decodes to exact records") {
    NetflowDecoder d;
    Bytes b = v9_header(2, 200000, 1700000000, 1, 42);
    b.raw(v9_template_set().get()).raw(v9_data_set().get());
    auto out = feed(d, b);
    REQUIRE(out.size() == 1);
    CHECK(out[0] == v9_expected());
    CHECK(d.counters().packets_v9 == 1);
    CHECK(d.counters().templates == 1);
    CHECK(d.counters().missing_template == 0);
}

TEST_CASE("NetFlow v9 data before its template is counted and dropped, state is per exporter and source id") {
    NetflowDecoder d;
    Bytes data = v9_header(1, 200000, 1700000000, 2, 42);
    data.raw(v9_data_set().get());
    CHECK(feed(d, data).empty());
    CHECK(d.counters().missing_template == 1);

    Bytes tmpl = v9_header(1, 200000, 1700000000, 1, 42);
    tmpl.raw(v9_template_set().get());
    CHECK(feed(d, tmpl).empty());
    CHECK(feed(d, data).size() == 1);

    // Same source id from another exporter, and another source id: no template.
    ExporterAddress other = ExporterAddress::ipv4(ip4(192, 0, 2, 2), 40000);
    CHECK(feed(d, data, other).empty());
    Bytes data43 = v9_header(1, 200000, 1700000000, 2, 43);
    data43.raw(v9_data_set().get());
    CHECK(feed(d, data43).empty());
    CHECK(d.counters().missing_template == 3);
    CHECK(d.counters().malformed == 0);
}

TEST_CASE("NetFlow v9 options template announces the sampling rate of the exporter") {
    NetflowDecoder d;
    Bytes b = v9_header(3, 200000, 1700000000, 1, 42);
    // Options template 310: scope System (1) 4 bytes; options FLOW_SAMPLER_ID (48) 1,
    // FLOW_SAMPLER_MODE (49) 1, FLOW_SAMPLER_RANDOM_INTERVAL (50) 4.
    b.set(1).u16(310).u16(4).u16(12).u16(1).u16(4).u16(48).u16(1).u16(49).u16(1).u16(50).u16(4).u16(0);
    b.end_set();
    b.set(310).u32(0).u8(1).u8(2).u32(1000).raw({0, 0}).end_set();
    b.raw(v9_template_set().get()).raw(v9_data_set().get());
    auto out = feed(d, b);
    REQUIRE(out.size() == 1);
    FlowRecord want = v9_expected();
    want.sample_ratio = 1000;
    CHECK(out[0] == want);
    CHECK(d.counters().options_templates == 1);
    CHECK(d.counters().options_records == 1);
}

namespace {

constexpr uint32_t kPen = 9;  // an enterprise number the decoder must step over

Bytes ipfix_template(uint16_t id) {
    Bytes b;
    b.set(2).u16(id).u16(14);
    b.u16(27).u16(16).u16(28).u16(16).u16(7).u16(2).u16(11).u16(2).u16(4).u16(1);
    b.u16(0x8000 | 100).u16(4).u32(kPen);  // enterprise-specific, 4 bytes
    b.u16(82).u16(65535);                  // interfaceName, variable length
    b.u16(1).u16(8).u16(2).u16(4).u16(153).u16(8).u16(60).u16(1).u16(6).u16(2);
    b.u16(197).u16(1).u16(10).u16(4);
    return b.end_set();
}

Bytes &ipfix_record(Bytes &b, const std::vector<uint8_t> &ifname, uint8_t last) {
    b.raw({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last});
    b.raw({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0x01});
    b.u16(5000).u16(6000).u8(17).u32(0xdeadbeef);
    if (ifname.size() < 255)
        b.u8(static_cast<uint8_t>(ifname.size()));
    else
        b.u8(255).u16(static_cast<uint16_t>(ifname.size()));
    b.raw(ifname);
    b.u64(9000000000ull).u32(7000000).u64(1700000000123ull).u8(6).u16(0x0010).u8(0x40).u32(99);
    return b;
}

FlowRecord ipfix_expected(uint8_t last) {
    FlowRecord r = base_record();
    r.ip_version = 6;
    r.src_ipv6 = ip6({0x20, 0x01, 0x0d, 0xb8}, last);
    r.dst_ipv6 = ip6({0x20, 0x01, 0x0d, 0xb8}, 0x01);
    r.dst_ipv6[14] = 0xff;
    r.src_port = 5000;
    r.dst_port = 6000;
    r.protocol = 17;
    r.length = r.ip_length = 9000000000ull;
    r.packets = 7000000;
    r.ts_sec = 1700000000;
    r.ts_usec = 123000;
    r.tcp_flags = 0x10;
    r.ip_dont_fragment = true;
    r.input_interface = 99;
    return r;
}

}  // namespace

TEST_CASE("IPFIX with enterprise and variable-length fields decodes to exact records") {
    NetflowDecoder d;
    Bytes b = ipfix_header(1700000005, 0, 7);
    b.raw(ipfix_template(400).get());
    b.set(400);
    ipfix_record(b, {'e', 't', 'h', '0'}, 1);
    ipfix_record(b, std::vector<uint8_t>(300, 'x'), 2);  // three-byte length form
    ipfix_record(b, {}, 3);                               // empty variable-length value
    b.raw({0, 0, 0}).end_set().end_ipfix();              // padding shorter than any record
    auto out = feed(d, b);
    REQUIRE(out.size() == 3);
    CHECK(out[0] == ipfix_expected(1));
    CHECK(out[1] == ipfix_expected(2));
    CHECK(out[2] == ipfix_expected(3));
    CHECK(d.counters().packets_ipfix == 1);
    CHECK(d.counters().templates == 1);
    CHECK(d.counters().records == 3);

    // Another observation domain of the same exporter has no templates.
    Bytes other = ipfix_header(1700000005, 3, 8);
    other.set(400);
    ipfix_record(other, {}, 1).end_set().end_ipfix();
    CHECK(feed(d, other).empty());
    CHECK(d.counters().missing_template == 1);
}

TEST_CASE("IPFIX template withdrawal, withdraw-all and expiry") {
    NetflowDecoderOptions opt;
    opt.template_lifetime = seconds(100);
    NetflowDecoder d(opt);
    auto data = [] {
        Bytes b = ipfix_header(1700000005, 0, 7);
        b.set(400);
        ipfix_record(b, {}, 1);
        return b.end_set().end_ipfix();
    };
    auto tmpl = [] {
        Bytes b = ipfix_header(1700000005, 0, 7);
        return b.raw(ipfix_template(400).get()).raw(ipfix_template(401).get()).end_ipfix();
    };
    feed(d, tmpl());
    CHECK(feed(d, data()).size() == 1);

    Bytes withdraw = ipfix_header(1700000006, 1, 7);
    withdraw.set(2).u16(400).u16(0).end_set().end_ipfix();
    feed(d, withdraw);
    CHECK(feed(d, data()).empty());
    CHECK(d.counters().template_withdrawals == 1);
    CHECK(d.counters().missing_template == 1);

    // Withdraw all (template id 2 in a template set) removes 401 as well.
    feed(d, tmpl());
    Bytes all = ipfix_header(1700000006, 1, 7);
    all.set(2).u16(2).u16(0).end_set().end_ipfix();
    feed(d, all);
    CHECK(d.counters().template_withdrawals == 2);
    Bytes data401 = ipfix_header(1700000005, 0, 7);
    data401.set(401);
    ipfix_record(data401, {}, 1).end_set().end_ipfix();
    CHECK(feed(d, data401).empty());
    CHECK(d.counters().missing_template == 2);

    // Expiry: fine at the lifetime, gone after it.
    feed(d, tmpl());
    CHECK(feed(d, data(), kExporter, kNow + seconds(100)).size() == 1);
    CHECK(feed(d, data(), kExporter, kNow + seconds(101)).empty());
    CHECK(d.counters().templates_expired == 1);
    CHECK(d.counters().missing_template == 3);

    // expire() sweeps the remaining template (401) and the idle session.
    d.expire(kNow + seconds(1000));
    CHECK(d.counters().templates_expired == 2);
    CHECK(d.session_count() == 0);
}

TEST_CASE("IPFIX options records set the sampling of later records of that exporter") {
    NetflowDecoder d;
    Bytes b = ipfix_header(1700000005, 0, 7);
    // Options template 500: scope selectorId (302) 8; samplingPacketInterval (305) 4,
    // samplingPacketSpace (306) 4 -- one of every 100 packets.
    b.set(3).u16(500).u16(3).u16(1).u16(302).u16(8).u16(305).u16(4).u16(306).u16(4).u16(0).end_set();
    b.set(500).u64(5).u32(1).u32(99).end_set();
    b.raw(ipfix_template(400).get());
    b.set(400);
    ipfix_record(b, {}, 1).end_set().end_ipfix();
    auto out = feed(d, b);
    REQUIRE(out.size() == 1);
    FlowRecord want = ipfix_expected(1);
    want.sample_ratio = 100;
    CHECK(out[0] == want);
    CHECK(d.counters().options_templates == 1);
    CHECK(d.counters().options_records == 1);

    // samplingInterval (34) in a later options record replaces the rate.
    Bytes c = ipfix_header(1700000006, 1, 7);
    c.set(3).u16(501).u16(2).u16(1).u16(149).u16(4).u16(34).u16(4).u16(0).end_set();
    c.set(501).u32(7).u32(512).end_set();
    c.set(400);
    ipfix_record(c, {}, 1).end_set().end_ipfix();
    out = feed(d, c);
    REQUIRE(out.size() == 1);
    CHECK(out[0].sample_ratio == 512);

    // Another exporter is not sampled.
    Bytes t = ipfix_header(1700000005, 0, 7);
    t.raw(ipfix_template(400).get()).set(400);
    ipfix_record(t, {}, 1).end_set().end_ipfix();
    out = feed(d, t, ExporterAddress::ipv4(ip4(192, 0, 2, 9), 1));
    REQUIRE(out.size() == 1);
    CHECK(out[0].sample_ratio == 1);
    CHECK(out[0].agent_ip == ip4(192, 0, 2, 9));
}

TEST_CASE("IPFIX timestamps: seconds, milliseconds, NTP microseconds, sysUpTime with init time") {
    NetflowDecoder d;
    Bytes b = ipfix_header(1700000100, 0, 1);
    b.set(2);
    b.u16(600).u16(2).u16(8).u16(4).u16(151).u16(4);
    b.u16(601).u16(2).u16(8).u16(4).u16(152).u16(8);  // start only
    b.u16(602).u16(2).u16(8).u16(4).u16(155).u16(8);
    b.u16(603).u16(3).u16(8).u16(4).u16(160).u16(8).u16(21).u16(4);
    b.u16(604).u16(1).u16(8).u16(4);  // no time at all: export time
    b.end_set();
    b.set(600).ip4(1, 1, 1, 1).u32(1700000050).end_set();
    b.set(601).ip4(1, 1, 1, 2).u64(1700000060250ull).end_set();
    // NTP: 1700000070 s + 2208988800, fraction 0.75
    b.set(602).ip4(1, 1, 1, 3).u32(1700000070u + 2208988800u).u32(0xc0000000u).end_set();
    b.set(603).ip4(1, 1, 1, 4).u64(1690000000000ull).u32(10000500).end_set();
    b.set(604).ip4(1, 1, 1, 5).end_set().end_ipfix();
    auto out = feed(d, b);
    REQUIRE(out.size() == 5);
    CHECK((out[0].ts_sec == 1700000050 && out[0].ts_usec == 0));
    CHECK((out[1].ts_sec == 1700000060 && out[1].ts_usec == 250000));
    CHECK((out[2].ts_sec == 1700000070 && out[2].ts_usec == 750000));
    CHECK((out[3].ts_sec == 1690010000 && out[3].ts_usec == 500000));
    CHECK((out[4].ts_sec == 1700000100 && out[4].ts_usec == 0));
    CHECK(out[4].src_ip == ip4(1, 1, 1, 5));
}

TEST_CASE("IPv6 exporters have no agent_ip, IPv4 ones are reported in network order") {
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_port = htons(2055);
    in.sin_addr.s_addr = ip4(10, 1, 2, 3);
    ExporterAddress a = ExporterAddress::from_sockaddr(reinterpret_cast<sockaddr *>(&in));
    CHECK(a.is_ipv4());
    CHECK(a.port == 2055);
    CHECK(a.ipv4_network_order() == ip4(10, 1, 2, 3));

    sockaddr_in6 in6{};
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(4739);
    in6.sin6_addr.s6_addr[0] = 0x20;
    in6.sin6_addr.s6_addr[15] = 1;
    ExporterAddress b = ExporterAddress::from_sockaddr(reinterpret_cast<sockaddr *>(&in6));
    CHECK_FALSE(b.is_ipv4());
    CHECK(b.port == 4739);
    CHECK(b.ipv4_network_order() == 0);
    CHECK(a != b);

    NetflowDecoder d;
    auto out = feed(d, v5_datagram(), b);
    REQUIRE(out.size() == 2);
    CHECK(out[0].agent_ip == 0);
}

TEST_CASE("Session and template limits hold and are counted") {
    NetflowDecoderOptions opt;
    opt.max_sessions = 2;
    opt.max_templates_per_session = 1;
    NetflowDecoder d(opt);
    for (uint32_t domain = 0; domain < 5; ++domain) {
        Bytes b = ipfix_header(1700000005, 0, domain);
        b.raw(ipfix_template(400).get()).raw(ipfix_template(401).get()).end_ipfix();
        feed(d, b);
    }
    CHECK(d.session_count() == 2);
    CHECK(d.counters().sessions_evicted == 3);
    CHECK(d.counters().templates == 5);
    CHECK(d.counters().templates_refused == 5);
}

TEST_CASE("Sampling: per-selector rates from options, a rate in the record itself wins") {
    NetflowDecoder d;
    Bytes b = ipfix_header(1700000005, 0, 7);
    b.set(3).u16(510).u16(2).u16(1).u16(302).u16(4).u16(34).u16(4).u16(0).end_set();
    b.set(510).u32(1).u32(10).u32(2).u32(20).end_set();
    b.set(2).u16(610).u16(2).u16(8).u16(4).u16(302).u16(4);
    b.u16(611).u16(2).u16(8).u16(4).u16(34).u16(4).end_set();
    b.set(610).ip4(1, 0, 0, 1).u32(1).ip4(1, 0, 0, 2).u32(2).ip4(1, 0, 0, 3).u32(3).end_set();
    b.set(611).ip4(1, 0, 0, 4).u32(7).end_set().end_ipfix();
    auto out = feed(d, b);
    REQUIRE(out.size() == 4);
    CHECK(out[0].sample_ratio == 10);
    CHECK(out[1].sample_ratio == 20);
    CHECK(out[2].sample_ratio == 20);  // unknown selector: the exporter's latest rate
    CHECK(out[3].sample_ratio == 7);
    CHECK(d.counters().options_records == 2);
}

TEST_CASE("Counters are listed by name with their values") {
    NetflowDecoder d;
    feed(d, v5_datagram());
    std::vector<uint8_t> junk = {0, 7};
    std::vector<FlowRecord> out;
    d.feed(junk, kExporter, kNow, out);
    auto named = d.counters().named();
    CHECK(named.size() == sizeof(NetflowDecoderCounters) / sizeof(uint64_t));
    auto value = [&](std::string_view name) {
        for (auto &[n, v] : named)
            if (n == name) return v;
        FAIL("no counter " << name);
        return uint64_t{0};
    };
    CHECK(value("netflow_packets_v5") == 1);
    CHECK(value("netflow_records") == 2);
    CHECK(value("netflow_malformed") == 1);
    CHECK(value("netflow_bad_version") == 1);
    CHECK(value("netflow_missing_template") == 0);
}
