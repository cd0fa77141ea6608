// IpfixEncoder: round trip through NetflowDecoder, MTU, sequence numbers and
// template refresh.
#include "ipfix_encoder.h"

#include <stdexcept>

#include <catch2/catch.hpp>

#include "netflow_decoder.h"
#include "test_util.h"
#include "wire.h"

using namespace nfr;
using namespace nfr::test;
using std::chrono::seconds;

namespace {

FlowRecord sample(uint32_t i, bool v6) {
    FlowRecord r;
    r.source = RecordSource::FastNetMonFlow;
    r.sample_ratio = 1 + i % 5000;
    r.ip_version = v6 ? 6 : 4;
    if (v6) {
        r.src_ipv6 = ip6({0x20, 0x01, 0x0d, 0xb8, static_cast<uint8_t>(i >> 8)}, static_cast<uint8_t>(i));
        r.dst_ipv6 = ip6({0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0xaa}, static_cast<uint8_t>(i + 1));
    } else {
        r.src_ip = ip4(10, static_cast<uint8_t>(i >> 16), static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i));
        r.dst_ip = ip4(198, 51, 100, static_cast<uint8_t>(i * 7));
    }
    r.src_asn = 4200000000u + i;
    r.dst_asn = i * 3;
    r.input_interface = 100000 + i;
    r.output_interface = i % 7;
    r.ttl = static_cast<uint8_t>(i * 13);
    r.src_port = static_cast<uint16_t>(1024 + i);
    r.dst_port = static_cast<uint16_t>(65535 - i);
    r.protocol = i % 3 == 0 ? 6 : i % 3 == 1 ? 17 : 1;
    r.length = r.ip_length = (uint64_t{1} << 40) + i;
    r.packets = (uint64_t{1} << 33) + i * 11;
    r.tcp_flags = static_cast<uint8_t>(i);
    r.ts_sec = 1700000000 + i;
    r.ts_usec = (i % 1000) * 1000;  // whole milliseconds: what IPFIX carries here
    r.direction = static_cast<uint8_t>(i % 2);
    r.agent_ip = ip4(203, 0, 113, 5);
    return r;
}

// What the decoder can give back: the encoded fields; the rest is what the
// decoder sets itself.
FlowRecord as_decoded(FlowRecord r, const ExporterAddress &from) {
    r.source = RecordSource::Netflow;
    r.agent_ip = from.ipv4_network_order();
    r.ip_length = r.length;
    return r;
}

size_t templates_in(const std::vector<uint8_t> &m) {
    size_t n = 0;
    for (size_t off = 16; off + 4 <= m.size(); off += wire::get16(&m[off + 2]))
        if (wire::get16(&m[off]) == 2) ++n;
    return n;
}

}  // namespace

TEST_CASE("Encoder output decodes back to every encoded field, IPv4 and IPv6 mixed") {
    std::vector<FlowRecord> in;
    for (uint32_t i = 0; i < 500; ++i) in.push_back(sample(i, i % 3 == 1 || (i / 50) % 2 == 1));
    IpfixEncoderOptions opt;
    opt.observation_domain = 77;
    IpfixEncoder enc(opt);
    std::vector<std::vector<uint8_t>> msgs;
    enc.encode(in, kNow, msgs);
    REQUIRE(msgs.size() > 1);

    NetflowDecoder d;
    std::vector<FlowRecord> out;
    for (const auto &m : msgs) REQUIRE(d.feed(m, kExporter, kNow, out));
    REQUIRE(out.size() == in.size());
    for (size_t i = 0; i < in.size(); ++i) {
        INFO("record " << i);
        CHECK(out[i] == as_decoded(in[i], kExporter));
    }
    CHECK(d.counters().missing_template == 0);
    CHECK(enc.records_sent() == 500);
    CHECK(enc.messages_sent() == msgs.size());
}

TEST_CASE("Messages respect the MTU, carry sequence numbers and the observation domain") {
    for (size_t mtu : {size_t{1400}, size_t{270}, size_t{512}, size_t{9000}}) {
        INFO("mtu " << mtu);
        IpfixEncoderOptions opt;
        opt.mtu_payload = mtu;
        opt.observation_domain = 0x01020304;
        opt.template_refresh_messages = 0;
        opt.template_refresh_interval = seconds(0);
        IpfixEncoder enc(opt);
        std::vector<FlowRecord> in;
        for (uint32_t i = 0; i < 300; ++i) in.push_back(sample(i, i % 4 == 0));
        std::vector<std::vector<uint8_t>> msgs;
        enc.encode(in, kNow, msgs);
        enc.encode(in, kNow, msgs);  // a second batch continues the sequence

        uint32_t expected_seq = 0;
        NetflowDecoder d;
        for (size_t k = 0; k < msgs.size(); ++k) {
            const auto &m = msgs[k];
            CHECK(m.size() <= mtu);
            CHECK(wire::get16(&m[0]) == 10);
            CHECK(wire::get16(&m[2]) == m.size());
            CHECK(wire::get32(&m[4]) == 1700000000u);
            CHECK(wire::get32(&m[8]) == expected_seq);
            CHECK(wire::get32(&m[12]) == 0x01020304u);
            CHECK(templates_in(m) == (k == 0 ? 1u : 0u));
            std::vector<FlowRecord> out;
            REQUIRE(d.feed(m, kExporter, kNow, out));
            REQUIRE_FALSE(out.empty());
            expected_seq += static_cast<uint32_t>(out.size());
        }
        CHECK(expected_seq == 600);
        CHECK(enc.sequence() == 600);
        // The first message holds the templates and one record only.
        if (mtu == 270) CHECK(wire::get16(&msgs[0][2]) == 16 + 156 + 4 + IpfixEncoder::record_length(6));
    }
}

TEST_CASE("Templates are re-sent every N messages and every T seconds") {
    IpfixEncoderOptions opt;
    opt.mtu_payload = 300;
    opt.template_refresh_messages = 3;
    opt.template_refresh_interval = seconds(60);
    IpfixEncoder enc(opt);
    std::vector<FlowRecord> one = {sample(1, false)};
    std::vector<std::vector<uint8_t>> msgs;
    for (int i = 0; i < 7; ++i) enc.encode(one, kNow + seconds(i), msgs);
    REQUIRE(msgs.size() == 7);
    for (size_t k = 0; k < msgs.size(); ++k) {
        INFO("message " << k);
        CHECK(templates_in(msgs[k]) == (k % 3 == 0 ? 1u : 0u));
    }

    IpfixEncoderOptions timed = opt;
    timed.template_refresh_messages = 0;
    IpfixEncoder t(timed);
    msgs.clear();
    t.encode(one, kNow, msgs);
    t.encode(one, kNow + seconds(59), msgs);
    t.encode(one, kNow + seconds(60), msgs);
    t.encode(one, kNow + seconds(61), msgs);
    t.resend_templates();
    t.encode(one, kNow + seconds(62), msgs);
    REQUIRE(msgs.size() == 5);
    CHECK(templates_in(msgs[0]) == 1);
    CHECK(templates_in(msgs[1]) == 0);
    CHECK(templates_in(msgs[2]) == 1);
    CHECK(templates_in(msgs[3]) == 0);
    CHECK(templates_in(msgs[4]) == 1);
}

TEST_CASE("Encoder refuses MTUs that cannot carry templates and a record") {
    IpfixEncoderOptions opt;
    opt.mtu_payload = 269;
    CHECK_THROWS_AS(IpfixEncoder(opt), std::invalid_argument);
    opt.mtu_payload = 65536;
    CHECK_THROWS_AS(IpfixEncoder(opt), std::invalid_argument);
    opt.mtu_payload = 270;
    CHECK_NOTHROW(IpfixEncoder(opt));
    CHECK(IpfixEncoder::record_length(4) == 70);
    CHECK(IpfixEncoder::record_length(6) == 94);
}

TEST_CASE("Empty input produces no message") {
    IpfixEncoder enc;
    std::vector<std::vector<uint8_t>> msgs;
    enc.encode({}, kNow, msgs);
    CHECK(msgs.empty());
    CHECK(enc.messages_sent() == 0);
}
