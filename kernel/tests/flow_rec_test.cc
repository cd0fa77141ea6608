// What export makes of a flow (flow_rec.h): NetFlow v5's fast path
// (ipnf_v5_of_flow, straight from the flow) must write the very bytes the general
// path writes (ipnf_flow_fill_rec, then ipnf_v5_of_rec), on random IPv4 flows; so
// must the v9/IPFIX one (tmpl.c ipnf_pdu_add_flows4 against ipnf_pdu_add_flow), whole
// PDUs compared; and the general record carries every field of the flow.
#include <catch2/catch.hpp>
#include <cstring>

#include "pkt.h"

extern "C" {
#include "flow_rec.h"
#include "tmpl.h"
}

namespace {

// A flow as the table holds it, every field random; IPv6 flows get their
// label after the key, as flowtable.c allocates them.
struct FlowBuf {
    alignas(8) uint8_t bytes[sizeof(ipnf_flow) + 8];
    ipnf_flow *f() { return reinterpret_cast<ipnf_flow *>(bytes); }
};

void RandomFlow(pkt::XorShift &rnd, int family, FlowBuf *fb, ipnf_export_clock *c) {
    std::memset(fb->bytes, 0, sizeof(fb->bytes));
    ipnf_flow *f = fb->f();
    f->key.family = uint8_t(family);
    for (auto &w : f->key.a.words) w = uint32_t(rnd());
    if (family == IPNF_FAM_V4)
        std::memset(&f->key.a.words[2], 0, sizeof(f->key.a) - 8);  // as parsed: v4 words only
    f->key.sport = uint16_t(rnd());
    f->key.dport = uint16_t(rnd());
    const uint8_t protos[] = {6, 17, 1, 47, 132};
    f->key.proto = protos[rnd() % 5];
    f->key.tos = uint8_t(rnd());
    f->key.iif = uint32_t(rnd() % 3 ? rnd() % 70000 : rnd());  // past 0xffff too: v5 clamps
    f->oif = uint32_t(rnd() % 3 ? rnd() % 70000 : rnd());
    f->packets.counter = int(rnd());
    f->bytes.counter = int64_t(rnd() >> 1);
    f->state.counter = int(rnd());
    f->ip_opts.counter = int(rnd());
    f->tcp_opts.counter = int(rnd());
    f->physin = uint32_t(rnd());
    f->physout = uint32_t(rnd());
    c->now = uint32_t(rnd());
    c->uptime = uint32_t(rnd());
    c->real_ms = rnd() >> 8;
    // ages from 0 to ~50 days, also across the jiffies wrap
    f->ts_first = c->now - uint32_t(rnd() % (1u << 30));
    f->ts_last = c->now - uint32_t(rnd() % (c->now - f->ts_first + 1u));
    if (family == IPNF_FAM_V6) *ipnf_flow_label(f) = uint32_t(rnd()) & 0xfffff;
}

}  // namespace

TEST_CASE("v5 fast path writes what the general record writes, on random flows") {
    pkt::XorShift rnd{0x2545f4914f6cdd1dULL};
    for (int i = 0; i < 20000; i++) {
        FlowBuf fb;
        ipnf_export_clock c;
        RandomFlow(rnd, IPNF_FAM_V4, &fb, &c);
        const ipnf_flow *f = fb.f();
        // what expiry.c hands the fast path: the 32-bit counters
        uint32_t pkts = uint32_t(atomic_read(&f->packets));
        uint32_t bytes = uint32_t(atomic64_read(&f->bytes));

        ipnf_exp_rec r;
        std::memset(&r, 0xa5, sizeof(r));  // every field must be set by the fill
        ipnf_flow_fill_rec(&r, f, &c);
        ipnf_v5_rec general;
        std::memset(&general, 0x5a, sizeof(general));
        ipnf_v5_of_rec(&general, &r, pkts, bytes);
        const ipnf_v5_rec fast = ipnf_v5_of_flow(f, &c, ipnf_uptime_base(&c), pkts, bytes);

        uint8_t a[IPNF_V5_REC_LEN], b[IPNF_V5_REC_LEN];
        ipnf_v5_write(a, &general);
        ipnf_v5_write(b, &fast);
        INFO("flow " << i);
        REQUIRE(std::memcmp(a, b, IPNF_V5_REC_LEN) == 0);
    }
}

TEST_CASE("the general record carries the flow") {
    pkt::XorShift rnd{0x9e3779b97f4a7c15ULL};
    for (int family : {IPNF_FAM_V4, IPNF_FAM_V6}) {
        for (int i = 0; i < 2000; i++) {
            FlowBuf fb;
            ipnf_export_clock c;
            RandomFlow(rnd, family, &fb, &c);
            const ipnf_flow *f = fb.f();
            ipnf_exp_rec r;
            std::memset(&r, 0xa5, sizeof(r));
            ipnf_flow_fill_rec(&r, f, &c);
            INFO("family " << family << " flow " << i);
            REQUIRE(std::memcmp(&r.key, &f->key, family == IPNF_FAM_V6 ? IPNF_KEY_V6_LEN : IPNF_KEY_V4_LEN) == 0);
            if (family == IPNF_FAM_V4) {
                const uint32_t zero[sizeof(r.key.a) / 4 - 2] = {};
                REQUIRE(std::memcmp(&r.key.a.words[2], zero, sizeof(zero)) == 0);
            }
            CHECK(r.label == (family == IPNF_FAM_V6 ? *ipnf_flow_label(fb.f()) : 0u));
            CHECK(r.packets == uint32_t(f->packets.counter));
            CHECK(r.bytes == uint64_t(f->bytes.counter));
            uint32_t first_age = (c.now - f->ts_first) * 4, last_age = (c.now - f->ts_last) * 4;  // HZ 250
            CHECK(r.first_ms == c.uptime - first_age);
            CHECK(r.last_ms == c.uptime - last_age);
            CHECK(r.start_abs_ms == c.real_ms - first_age);
            CHECK(r.end_abs_ms == c.real_ms - last_age);
            CHECK(r.oif == f->oif);
            CHECK(r.ip_opts == uint32_t(f->ip_opts.counter));
            uint32_t st = uint32_t(f->state.counter);
            CHECK(r.tcp_opts == (uint32_t(f->tcp_opts.counter) | uint64_t(st >> 24) << 32));
            CHECK(r.physin == f->physin);
            CHECK(r.physout == f->physout);
            CHECK(r.tcp_flags == (st & 0xff));
            const unsigned reason = (st >> 16) & 0xff;
            // none set: a flush's flow, EOF once it saw FIN or RST, else forced
            const unsigned flushed = st & IPNF_FLOW_ENDED ? IPNF_END_EOF : IPNF_END_FORCED;
            CHECK(r.end_reason == (reason ? reason : flushed));
            const uint8_t nh[4] = {};
            CHECK(std::memcmp(r.nexthop, nh, 4) == 0);
            CHECK(r.src_as == 0);
            CHECK(r.dst_as == 0);
        }
    }
}

// PDUs filled in step from random flows: A through the straight path (the
// general record where it declines, as expiry.c does), B always through the
// general record.  Every PDU must come out byte for byte the same, and the
// straight path must decline exactly the flows whose record has a block.
TEST_CASE("v9/IPFIX fast path writes the PDUs the general record writes, on random flows") {
    pkt::XorShift rnd{0x5851f42d4c957f2dULL};
    const uint8_t protos[] = {6, 17, 1, 58, 47, 132, 33, 136, 0};
    for (int version : {9, 10}) {
        int straight = 0, declined = 0, pdus = 0;
        uint8_t ba[IPNF_PDU_MAX], bb[IPNF_PDU_MAX];
        ipnf_pdu pa, pb;
        std::memset(ba, 0x33, sizeof(ba));
        std::memset(bb, 0x33, sizeof(bb));
        ipnf_pdu_begin(&pa, version, ba, sizeof(ba));
        ipnf_pdu_begin(&pb, version, bb, sizeof(bb));
        for (int i = 0; i < 20000; i++) {
            FlowBuf fb;
            ipnf_export_clock c;
            RandomFlow(rnd, i % 8 ? IPNF_FAM_V4 : IPNF_FAM_V6, &fb, &c);
            ipnf_flow *f = fb.f();
            f->key.proto = protos[rnd() % sizeof(protos)];
            if (rnd() % 4) {  // most flows have no options and no bridge ports
                f->ip_opts.counter = 0;
                f->physin = 0;
                f->physout = 0;
            }
            if (rnd() % 4) {
                f->tcp_opts.counter = 0;
                f->state.counter &= (1 << IPNF_FLOW_OPT_SHIFT) - 1;
            }
            if (rnd() % 8 == 0) f->key.dir = uint8_t(1 + rnd() % 2);
            // expiry.c's record when no interface has a VRF and natflows is off
            ipnf_exp_rec r;
            std::memset(&r, 0xa5, sizeof(r));
            ipnf_flow_fill_rec(&r, f, &c);
            r.vrf_in = r.vrf_out = 0;
            r.nat = 0;
            INFO("version " << version << " flow " << i);
            int ea;
            ipnf_flow *const one[] = {f};
            unsigned added = ipnf_pdu_add_flows4(&pa, one, 1, &c, &ea);
            REQUIRE(added == (ea ? 0u : 1u));
            if (ea == -EAGAIN) {
                REQUIRE((f->key.family == IPNF_FAM_V6 || ipnf_tmpl_mask(&r) != 0));
                ea = ipnf_pdu_add_flow(&pa, &r);
                declined++;
            } else {
                REQUIRE(f->key.family == IPNF_FAM_V4);
                REQUIRE(ipnf_tmpl_mask(&r) == 0);
                straight += ea == 0;
            }
            int eb = ipnf_pdu_add_flow(&pb, &r);
            REQUIRE(ea == eb);
            REQUIRE(pa.len == pb.len);
            if (ea == 0) continue;
            REQUIRE(ea == -ENOSPC);
            // full: both finished alike, compared whole, then the flow again
            ipnf_pdu_hdr h{};
            h.uptime_ms = uint32_t(rnd());
            h.unix_secs = uint32_t(rnd());
            h.sequence = uint32_t(pdus);
            h.domain = 7;
            unsigned la = ipnf_pdu_finish(&pa, &h), lb = ipnf_pdu_finish(&pb, &h);
            REQUIRE(la == lb);
            REQUIRE(std::memcmp(ba, bb, la) == 0);
            REQUIRE(pa.flows == pb.flows);
            REQUIRE(pa.records == pb.records);
            REQUIRE(pa.data_records == pb.data_records);
            REQUIRE(pa.pkts == pb.pkts);
            REQUIRE(pa.bytes == pb.bytes);
            REQUIRE(pa.fixed_used == pb.fixed_used);
            pdus++;
            ipnf_pdu_begin(&pa, version, ba, sizeof(ba));
            ipnf_pdu_begin(&pb, version, bb, sizeof(bb));
            i--;
        }
        CHECK(pdus > 200);
        CHECK(straight > 5000);
        CHECK(declined > 3000);
    }
}
