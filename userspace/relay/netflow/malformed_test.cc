// Malformed input: every rejection is counted, nothing is read out of bounds
// (run under -DNF_SANITIZE=ON to have ASan check the latter), nothing crashes.
#include <algorithm>
#include <random>

#include <catch2/catch.hpp>

#include "ipfix_encoder.h"
#include "netflow_decoder.h"
#include "test_util.h"
#include "wire.h"

extern "C" int nf_netflow_fuzz_one(const uint8_t *data, size_t size);

using namespace nfr;
using namespace nfr::test;

namespace {

std::vector<uint8_t> valid_v5() {
    Bytes b;
    b.u16(5).u16(2).u32(100000).u32(1700000000).u32(0).u32(1).u8(0).u8(0).u16(0);
    for (int i = 0; i < 2; ++i) {
        b.ip4(10, 0, 0, 1).ip4(10, 0, 0, 2).ip4(0, 0, 0, 0).u16(1).u16(2).u32(3).u32(400);
        b.u32(99000).u32(99500).u16(1000).u16(80).u8(0).u8(2).u8(6).u8(0).u16(1).u16(2);
        b.u8(0).u8(0).u16(0);
    }
    return b.get();
}

// Template flowset, options template + record, data flowset with two records.
std::vector<uint8_t> valid_v9() {
    Bytes b = v9_header(5, 200000, 1700000000, 1, 3);
    b.set(0).u16(300).u16(5).u16(8).u16(4).u16(12).u16(4).u16(1).u16(4).u16(2).u16(4).u16(21).u16(4).end_set();
    b.set(1).u16(301).u16(4).u16(4).u16(1).u16(4).u16(34).u16(4).end_set();
    b.set(301).u32(0).u32(10).end_set();
    b.set(300);
    for (uint8_t i = 1; i <= 2; ++i) b.ip4(10, 0, 0, i).ip4(10, 0, 1, i).u32(100).u32(2).u32(199000);
    return b.end_set().get();
}

// Template with an enterprise field and a variable-length field, options
// template and record, data set with three records.
std::vector<uint8_t> valid_ipfix_template_set() {
    Bytes b;
    b.set(2).u16(400).u16(6).u16(8).u16(4).u16(12).u16(4).u16(0x8000 | 5).u16(2).u32(1234);
    b.u16(82).u16(65535).u16(1).u16(8).u16(153).u16(8).end_set();
    b.set(3).u16(401).u16(2).u16(1).u16(149).u16(4).u16(305).u16(4).u16(0).end_set();
    return b.get();
}

std::vector<uint8_t> valid_ipfix_data_set() {
    Bytes b;
    b.set(400);
    for (uint8_t i = 1; i <= 3; ++i) {
        b.ip4(10, 0, 0, i).ip4(10, 0, 1, i).u16(0xbeef).u8(i);
        for (uint8_t k = 0; k < i; ++k) b.u8('a');
        b.u64(1000 * i).u64(1700000000000ull + i);
    }
    return b.end_set().get();
}

std::vector<uint8_t> valid_ipfix() {
    Bytes b = ipfix_header(1700000000, 0, 1);
    b.raw(valid_ipfix_template_set()).set(401).u32(1).u32(100).end_set();
    return b.raw(valid_ipfix_data_set()).end_ipfix().get();
}

// Feeds `bytes` as an exactly sized heap buffer, so ASan sees any overread.
bool feed_exact(NetflowDecoder &d, const std::vector<uint8_t> &bytes, size_t n,
                std::vector<FlowRecord> &out) {
    std::vector<uint8_t> copy(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    copy.shrink_to_fit();
    return d.feed(copy, kExporter, kNow, out);
}

void require_rejected(const Bytes &b) {
    NetflowDecoder d;
    std::vector<FlowRecord> out;
    CHECK_FALSE(d.feed(b.get(), kExporter, kNow, out));
    CHECK(out.empty());
    CHECK(d.counters().malformed == 1);
}

}  // namespace

TEST_CASE("The sample datagrams of this file are valid") {
    NetflowDecoder d;
    std::vector<FlowRecord> out;
    REQUIRE(d.feed(valid_v5(), kExporter, kNow, out));
    REQUIRE(d.feed(valid_v9(), kExporter, kNow, out));
    REQUIRE(d.feed(valid_ipfix(), kExporter, kNow, out));
    REQUIRE(out.size() == 2 + 2 + 3);
    CHECK(out[2].sample_ratio == 10);
    CHECK(out[4].sample_ratio == 100);
    CHECK(d.counters().malformed == 0);
}

TEST_CASE("Short headers and unknown versions are rejected and counted") {
    auto prefix = [](const std::vector<uint8_t> &v, size_t n) {
        Bytes b;
        return b.raw(std::vector<uint8_t>(v.begin(), v.begin() + static_cast<long>(n)));
    };
    for (size_t n : {0, 1, 2, 23}) require_rejected(prefix(valid_v5(), n));
    require_rejected(prefix(valid_v9(), 19));
    require_rejected(prefix(valid_ipfix(), 15));

    NetflowDecoder d;
    std::vector<FlowRecord> out;
    for (uint16_t version : {0, 1, 7, 8, 11, 0xffff}) {
        std::vector<uint8_t> v = valid_ipfix();
        v[0] = static_cast<uint8_t>(version >> 8);
        v[1] = static_cast<uint8_t>(version);
        CHECK_FALSE(d.feed(v, kExporter, kNow, out));
    }
    CHECK(d.counters().bad_version == 6);
    CHECK(d.counters().malformed == 6);
}

TEST_CASE("Structural faults are rejected and counted") {
    SECTION("IPFIX length field disagrees with the datagram") {
        std::vector<uint8_t> v = valid_ipfix();
        v[3] = static_cast<uint8_t>(v[3] + 1);
        Bytes b;
        require_rejected(b.raw(v));
    }
    SECTION("set length past the end") {
        Bytes b = ipfix_header(1, 0, 1);
        b.u16(400).u16(100).u32(0).end_ipfix();
        require_rejected(b);
        Bytes c = v9_header(1, 0, 0, 0, 0);
        c.u16(300).u16(9).u32(0);
        require_rejected(c);
    }
    SECTION("set length below the set header") {
        Bytes b = ipfix_header(1, 0, 1);
        b.u16(400).u16(3).u32(0).end_ipfix();
        require_rejected(b);
    }
    SECTION("v9 template with zero fields") {
        Bytes b = v9_header(1, 0, 0, 0, 0);
        b.set(0).u16(300).u16(0).end_set().u16(0x1234);  // not padding: trailing garbage
        require_rejected(b);
        Bytes c = v9_header(1, 0, 0, 0, 0);
        c.set(0).u16(300).u16(0).u16(8).u16(4).end_set();
        require_rejected(c);
    }
    SECTION("template id below 256") {
        Bytes b = ipfix_header(1, 0, 1);
        b.set(2).u16(255).u16(1).u16(8).u16(4).end_set().end_ipfix();
        require_rejected(b);
    }
    SECTION("template of absurd record length") {
        Bytes b = ipfix_header(1, 0, 1);
        b.set(2).u16(400).u16(2).u16(84).u16(40000).u16(84).u16(40000).end_set().end_ipfix();
        require_rejected(b);
    }
    SECTION("field length zero") {
        Bytes b = ipfix_header(1, 0, 1);
        b.set(2).u16(400).u16(2).u16(8).u16(4).u16(12).u16(0).end_set().end_ipfix();
        require_rejected(b);
    }
    SECTION("variable length in NetFlow v9") {
        Bytes b = v9_header(1, 0, 0, 0, 0);
        b.set(0).u16(300).u16(1).u16(82).u16(65535).end_set();
        require_rejected(b);
    }
    SECTION("template field list runs past its set") {
        Bytes b = ipfix_header(1, 0, 1);
        b.set(2).u16(400).u16(3).u16(8).u16(4).u16(12).u16(4).end_set().end_ipfix();
        require_rejected(b);
    }
    SECTION("enterprise number cut off") {
        Bytes b = ipfix_header(1, 0, 1);
        b.set(2).u16(400).u16(1).u16(0x8001).u16(4).u16(0).end_set().end_ipfix();
        require_rejected(b);
    }
    SECTION("options template with no or too many scope fields") {
        Bytes b = ipfix_header(1, 0, 1);
        b.set(3).u16(401).u16(1).u16(0).u16(149).u16(4).end_set().end_ipfix();
        require_rejected(b);
        Bytes c = ipfix_header(1, 0, 1);
        c.set(3).u16(401).u16(1).u16(2).u16(149).u16(4).end_set().end_ipfix();
        require_rejected(c);
    }
    SECTION("v9 options template lengths not multiples of four") {
        Bytes b = v9_header(1, 0, 0, 0, 0);
        b.set(1).u16(301).u16(3).u16(4).u16(1).u16(4).u16(34).u16(4).end_set();
        require_rejected(b);
    }
    SECTION("withdrawal of a reserved template id") {
        Bytes b = ipfix_header(1, 0, 1);
        b.set(2).u16(5).u16(0).end_set().end_ipfix();
        require_rejected(b);
    }
    SECTION("variable-length value runs past its record") {
        NetflowDecoder d;
        std::vector<FlowRecord> out;
        Bytes t = ipfix_header(1, 0, 1);
        t.raw(valid_ipfix_template_set()).end_ipfix();
        REQUIRE(d.feed(t.get(), kExporter, kNow, out));
        Bytes b = ipfix_header(1, 0, 1);
        b.set(400).ip4(1, 2, 3, 4).ip4(5, 6, 7, 8).u16(0).u8(200);  // 200 bytes claimed
        for (int i = 0; i < 20; ++i) b.u8(0);
        b.end_set().end_ipfix();
        CHECK_FALSE(d.feed(b.get(), kExporter, kNow, out));
        Bytes c = ipfix_header(1, 0, 1);
        c.set(400).ip4(1, 2, 3, 4).ip4(5, 6, 7, 8).u16(0).u8(255).u16(1000);
        for (int i = 0; i < 20; ++i) c.u8(0);
        c.end_set().end_ipfix();
        CHECK_FALSE(d.feed(c.get(), kExporter, kNow, out));
        CHECK(out.empty());
        CHECK(d.counters().malformed == 2);
    }
}

TEST_CASE("Every truncation of a valid datagram is rejected and counted, never overread") {
    for (const auto &[name, v] : {std::pair{"v5", valid_v5()}, std::pair{"ipfix", valid_ipfix()}}) {
        INFO(name);
        NetflowDecoder d;
        for (size_t n = 0; n < v.size(); ++n) {
            std::vector<FlowRecord> out;
            INFO("length " << n);
            CHECK_FALSE(feed_exact(d, v, n, out));
            CHECK(out.empty());
        }
        CHECK(d.counters().malformed == v.size());
    }

    // v9 has no total length: a cut on a flowset boundary is a shorter valid datagram.
    std::vector<uint8_t> v = valid_v9();
    std::vector<size_t> boundaries;
    for (size_t off = 20; off < v.size(); off += wire::get16(&v[off + 2])) boundaries.push_back(off);
    NetflowDecoder d;
    uint64_t rejected = 0;
    for (size_t n = 0; n < v.size(); ++n) {
        std::vector<FlowRecord> out;
        bool at_boundary = std::find(boundaries.begin(), boundaries.end(), n) != boundaries.end();
        INFO("length " << n);
        CHECK(feed_exact(d, v, n, out) == at_boundary);
        if (!at_boundary) ++rejected;
        CHECK(out.empty());  // the data flowset is last: no prefix holds a record
    }
    CHECK(d.counters().malformed == rejected);
}

TEST_CASE("Cutting an IPFIX data set at every offset yields a prefix of its records or a rejection") {
    NetflowDecoder full;
    std::vector<FlowRecord> all;
    REQUIRE(full.feed(valid_ipfix(), kExporter, kNow, all));
    REQUIRE(all.size() == 3);

    std::vector<uint8_t> set = valid_ipfix_data_set();
    NetflowDecoder d;
    std::vector<FlowRecord> scratch;
    Bytes t = ipfix_header(1, 0, 1);
    t.raw(valid_ipfix_template_set()).set(401).u32(1).u32(100).end_set().end_ipfix();
    REQUIRE(d.feed(t.get(), kExporter, kNow, scratch));
    size_t accepted = 0;
    for (size_t n = 4; n < set.size(); ++n) {
        Bytes b = ipfix_header(1700000000, 0, 1);
        b.raw(std::vector<uint8_t>(set.begin(), set.begin() + static_cast<long>(n)));
        std::vector<uint8_t> msg = b.get();
        wire::set16(msg, 16 + 2, static_cast<uint16_t>(n));  // set length
        wire::set16(msg, 2, static_cast<uint16_t>(msg.size()));
        std::vector<FlowRecord> out;
        INFO("set length " << n);
        bool ok = feed_exact(d, msg, msg.size(), out);
        REQUIRE(out.size() <= all.size());
        for (size_t i = 0; i < out.size(); ++i) CHECK(out[i] == all[i]);
        if (ok) ++accepted;
    }
    // Cuts that end exactly after record 1 or 2, or leave less than a minimum
    // record (27 bytes) after them, are valid; everything else is rejected.
    CHECK(accepted > 0);
    CHECK(d.counters().malformed == set.size() - 4 - accepted);
}

TEST_CASE("Random mutations never crash and every rejection is counted") {
    std::vector<std::vector<uint8_t>> seeds = {valid_v5(), valid_v9(), valid_ipfix()};
    {
        IpfixEncoder enc;
        std::vector<FlowRecord> recs(5);
        recs[3].ip_version = 6;
        enc.encode(recs, kNow, seeds);
    }
    std::mt19937 rng(20261122);
    NetflowDecoderOptions opt;
    opt.max_sessions = 16;
    opt.max_templates_per_session = 16;
    NetflowDecoder d(opt);
    // Prime the decoder with the templates of the seeds so data paths run.
    std::vector<FlowRecord> out;
    for (const auto &s : seeds) REQUIRE(d.feed(s, kExporter, kNow, out));

    for (int iter = 0; iter < 30000; ++iter) {
        std::vector<uint8_t> v = seeds[rng() % seeds.size()];
        int edits = 1 + static_cast<int>(rng() % 8);
        for (int e = 0; e < edits; ++e) {
            switch (rng() % 4) {
            case 0: v[rng() % v.size()] = static_cast<uint8_t>(rng()); break;
            case 1: v[rng() % v.size()] ^= static_cast<uint8_t>(1u << (rng() % 8)); break;
            case 2: v.resize(rng() % (v.size() + 1)); break;
            case 3: v.insert(v.begin() + static_cast<long>(rng() % (v.size() + 1)), static_cast<uint8_t>(rng())); break;
            }
            if (v.empty()) v.push_back(static_cast<uint8_t>(rng()));
        }
        v.shrink_to_fit();
        NetflowDecoderCounters before = d.counters();
        std::vector<FlowRecord> got;
        bool ok = d.feed(v, kExporter, kNow + std::chrono::seconds(iter / 100), got);
        const NetflowDecoderCounters &after = d.counters();
        INFO("iteration " << iter);
        REQUIRE(after.malformed - before.malformed == (ok ? 0u : 1u));
        REQUIRE(after.records - before.records == got.size());
        REQUIRE(after.packets_v5 + after.packets_v9 + after.packets_ipfix + after.malformed -
                    (before.packets_v5 + before.packets_v9 + before.packets_ipfix + before.malformed) >=
                1);
        nf_netflow_fuzz_one(v.data(), v.size());
    }
    CHECK(d.session_count() <= 16);
    // Both paths were exercised: plenty rejected, plenty decoded.
    CHECK(d.counters().malformed > 3000);
    CHECK(d.counters().records > 3000);
    CHECK(d.counters().missing_template > 0);
}
