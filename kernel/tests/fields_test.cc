// The optional flow fields: option and extension-header bits, the IPv6 flow label, and the
// templates made for records that carry them (v9 and IPFIX), checked as a collector reads
// them.  Built with IPNF_ALL_FEATURES: MAC, VLAN, direction and physdev fields compiled in.
#include <catch2/catch.hpp>
#include <cstring>
#include <map>
#include <set>
#include <vector>
#include "pkt.h"

extern "C" {
#include "tmpl.h"
}

using namespace pkt;

static uint16_t g16(const uint8_t *p) { return uint16_t(p[0] << 8 | p[1]); }
static uint32_t g32(const uint8_t *p) {
    return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}
static uint64_t g64(const uint8_t *p) { return uint64_t(g32(p)) << 32 | g32(p + 4); }

// ---- parsing ---------------------------------------------------------------------------

TEST_CASE("IPv4 options: each option type sets its RFC 5102 bit") {
    // NOP, record route (7, len 7), timestamp (68, len 4), EOL, padding
    Bytes opts = {1, 7, 7, 4, 0, 0, 0, 0, 68, 4, 5, 0, 0, 0, 0, 0};
    Bytes l4 = ports(1, 2, 8);
    Bytes b = ipv4(17, l4, 0, 0, 4);
    std::copy(opts.begin(), opts.end(), b.begin() + 20);
    auto p = parse(b);
    REQUIRE(p.rc == IPNF_PARSE_OK);
    // rows: RR 0, TS 3, NOP 6, EOOL 7
    CHECK(p.pi.ip_opts == (1u << 0 | 1u << 3 | 1u << 6 | 1u << 7));
    CHECK(p.key.dport == 2);  // options do not move the transport header
    // no options: no bits
    CHECK(parse(ipv4(17, l4)).pi.ip_opts == 0);
    // router alert (148) then an option whose length runs past the header: RTRALT only
    Bytes ra = {148, 4, 0, 0, 130, 40, 0, 0};
    b = ipv4(17, l4, 0, 0, 2);
    std::copy(ra.begin(), ra.end(), b.begin() + 20);
    p = parse(b);
    REQUIRE(p.rc == IPNF_PARSE_OK);
    CHECK(p.pi.ip_opts == (1u << 20 | 1u << 5));  // SEC (130) seen, cut short: counted
    // a bogus length ends the walk (no endless loop); what came before counts
    CHECK(ipnf_ipv4_opts(std::vector<uint8_t>{7, 0, 7, 0}.data(), 4) == 0);
    CHECK(ipnf_ipv4_opts(std::vector<uint8_t>{1, 7, 1, 7, 0}.data(), 5) == 1u << 6);
    CHECK(ipnf_ipv4_opts(std::vector<uint8_t>{200, 2}.data(), 2) == 0);  // unassigned type
}

TEST_CASE("TCP options: option kind k sets bit k") {
    Bytes l4 = tcp(40000, 80, IPNF_TCP_SYN);
    l4[12] = 10 << 4;  // 40-byte header: 20 bytes of options
    Bytes o = {2, 4, 5, 0xb4,  // MSS
               4, 2,           // SACK permitted
               8, 10, 0, 0, 0, 1, 0, 0, 0, 0,  // timestamps
               1,              // NOP
               3, 3, 7};       // window scale
    l4.resize(20);
    l4.insert(l4.end(), o.begin(), o.end());
    auto p = parse(ipv4(6, l4));
    REQUIRE(p.rc == IPNF_PARSE_OK);
    CHECK(p.pi.tcp_opts == (1ull << 2 | 1ull << 4 | 1ull << 8 | 1ull << 1 | 1ull << 3));
    CHECK(p.pi.l4_end == 20 + 40);
    // fast open (34) goes above bit 31; kinds >= 64 have no bit
    CHECK(ipnf_tcp_opts(std::vector<uint8_t>{34, 2, 200, 2, 0}.data(), 5) == (1ull << 34 | 1ull));
    // a header whose options are cut off by the packet end: no options, still parsed
    Bytes cut = ipv4(6, l4);
    auto q = parse(cut, false, unsigned(cut.size() - 10));
    REQUIRE(q.rc == IPNF_PARSE_OK);
    CHECK(q.pi.tcp_opts == 0);
    // plain 20-byte header: nothing
    CHECK(parse(ipv4(6, tcp(1, 2, IPNF_TCP_ACK))).pi.tcp_opts == 0);
}

TEST_CASE("IPv6: flow label and extension header bits") {
    Bytes b = ipv6(17, ports(1000, 53, 8));
    b[1] |= 0x0a;  // label 0xabcde
    b[2] = 0xbc;
    b[3] = 0xde;
    auto p = parse(b, true);
    REQUIRE(p.rc == IPNF_PARSE_OK);
    CHECK(p.pi.label == 0xabcde);
    CHECK(p.pi.ip_opts == 0);

    // hop-by-hop, routing, destination options, then UDP
    Bytes chain = cat(cat(cat(ext(43), ext(60)), ext(17)), ports(1, 2, 8));
    p = parse(ipv6(0, chain), true);
    REQUIRE(p.rc == IPNF_PARSE_OK);
    CHECK(p.key.proto == 17);
    CHECK(p.pi.ip_opts == (IPNF_X6_HOP | IPNF_X6_RH | IPNF_X6_DST));

    // first fragment, AH, then an upper layer not known here
    Bytes frag0 = {51, 0, 0, 0, 0, 0, 0, 1};  // next AH, offset 0, M
    Bytes ah = {99, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};  // (1 + 2) * 4 bytes
    p = parse(ipv6(44, cat(cat(frag0, ah), Bytes(8, 0))), true);
    REQUIRE(p.rc == IPNF_PARSE_OK);
    CHECK(p.pi.ip_opts == (IPNF_X6_FRA0 | IPNF_X6_AH | IPNF_X6_UNK));

    // later fragment; ESP
    Bytes frag1 = {17, 0, 0x01, 0x00, 0, 0, 0, 1};
    CHECK(parse(ipv6(44, cat(frag1, Bytes(16, 0))), true).pi.ip_opts == IPNF_X6_FRA1);
    CHECK(parse(ipv6(50, Bytes(16, 0)), true).pi.ip_opts == IPNF_X6_ESP);
    CHECK(parse(ipv6(135, Bytes(16, 0)), true).pi.ip_opts == IPNF_X6_MOB);
    CHECK(parse(ipv6(59, Bytes()), true).pi.ip_opts == 0);  // no next header
}

// ---- templates with optional blocks ------------------------------------------------------

static ipnf_exp_rec base_v4() {
    ipnf_exp_rec r{};
    r.key.family = IPNF_FAM_V4;
    uint8_t src[4] = {10, 0, 0, 1}, dst[4] = {10, 0, 0, 2};
    std::memcpy(&r.key.a.v4.src, src, 4);
    std::memcpy(&r.key.a.v4.dst, dst, 4);
    r.key.sport = 40000;
    r.key.dport = 80;
    r.key.proto = 6;
    r.key.iif = 5;
    r.packets = 3;
    r.bytes = 180;
    r.end_reason = IPNF_END_IDLE;
    return r;
}

static ipnf_exp_rec full_v4() {
    ipnf_exp_rec r = base_v4();
    r.ip_opts = 1u << 0;
    r.tcp_opts = 1ull << 2 | 1ull << 34;
    const uint8_t sm[6] = {2, 0, 0, 0, 0, 1}, dm[6] = {2, 0, 0, 0, 0, 2};
    std::memcpy(r.key.smac, sm, 6);
    std::memcpy(r.key.dmac, dm, 6);
    r.key.vlan[0] = uint16_t(5 << 13 | 100);  // PCP 5, VID 100
    r.key.vlan[1] = 200;
    r.key.dir = IPNF_DIR_OUT;
    r.physin = 7;
    r.physout = 8;
    r.vrf_in = 10;
    r.vrf_out = 0;  // out of the VRF: 0
    return r;
}

// Template fields as a collector learns them, and the records it then reads.
struct Collector {
    std::map<unsigned, std::vector<std::pair<unsigned, unsigned>>> tmpl;  // id -> (ie, len)
    std::vector<std::map<unsigned, std::vector<uint8_t>>> recs;          // data records
    std::vector<unsigned> rec_tmpl;
    bool ok = true;

    void feed(const uint8_t *b, unsigned len) {
        int v = g16(b);
        unsigned off = v == 9 ? 20 : 16;
        while (off + 4 <= len) {
            unsigned id = g16(b + off), sl = g16(b + off + 2);
            if (sl < 4 || off + sl > len) {
                ok = false;
                return;
            }
            unsigned o = off + 4, end = off + sl;
            if (id == (v == 9 ? 0u : 2u)) {
                while (o + 4 <= end) {
                    unsigned tid = g16(b + o), n = g16(b + o + 2);
                    o += 4;
                    auto &f = tmpl[tid];
                    f.clear();
                    for (unsigned i = 0; i < n; i++, o += 4)
                        f.emplace_back(g16(b + o), g16(b + o + 2));
                }
            } else if (id >= 256 && tmpl.count(id)) {
                unsigned rl = 0;
                for (auto &f : tmpl[id])
                    rl += f.second;
                while (o + rl <= end) {
                    std::map<unsigned, std::vector<uint8_t>> r;
                    for (auto &f : tmpl[id]) {
                        r[f.first].assign(b + o, b + o + f.second);
                        o += f.second;
                    }
                    recs.push_back(r);
                    rec_tmpl.push_back(id);
                }
                if (end - o >= (v == 9 ? 4u : 1u))
                    ok = false;
            } else if (id >= 256) {
                ok = false;  // data before its template
            }
            off += sl;
        }
        if (off != len)
            ok = false;
    }
};

TEST_CASE("blocks a record carries") {
    ipnf_exp_rec r = base_v4();
    CHECK(ipnf_tmpl_mask(&r) == 0);
    r = full_v4();
    CHECK(ipnf_tmpl_mask(&r) ==
          (1u << IPNF_B_IPOPT | 1u << IPNF_B_TCPOPT | 1u << IPNF_B_MAC | 1u << IPNF_B_VLAN |
           1u << IPNF_B_QINQ | 1u << IPNF_B_ETH | 1u << IPNF_B_DIR | 1u << IPNF_B_PHYS |
           1u << IPNF_B_VRF));
    r = base_v4();
    r.vrf_out = 20;  // only out through a VRF: the block too
    CHECK(ipnf_tmpl_mask(&r) == 1u << IPNF_B_VRF);
    r = base_v4();
    r.key.dir = IPNF_DIR_FWD;  // forwarded: direction undefined (255), as ipt_NETFLOW sends it
    r.key.proto = 17;
    r.tcp_opts = 1;  // only meaningful for TCP
    CHECK(ipnf_tmpl_mask(&r) == 1u << IPNF_B_DIR);
    r.key.dir = IPNF_DIR_NONE;
    CHECK(ipnf_tmpl_mask(&r) == 0);
    ipnf_exp_rec v6{};
    v6.key.family = IPNF_FAM_V6;
    v6.key.proto = 17;
    v6.label = 0x12345;
    v6.ip_opts = IPNF_X6_HOP;
    CHECK(ipnf_tmpl_mask(&v6) == (1u << IPNF_B_LABEL | 1u << IPNF_B_EXTHDR));
}

TEST_CASE("a template is made per shape and block set, announced, then used") {
    for (int v : {9, 10}) {
        CAPTURE(v);
        ipnf_tmpl_cache tc;
        ipnf_tmpl_cache_init(&tc, v);
        uint8_t buf[IPNF_PDU_MAX];
        ipnf_pdu p;
        ipnf_pdu_begin(&p, v, buf, sizeof(buf));
        p.tc = &tc;
        ipnf_exp_rec plain = base_v4(), full = full_v4();
        REQUIRE(ipnf_pdu_add_flow(&p, &plain) == 0);
        CHECK(tc.n == 0);
        CHECK_FALSE(ipnf_tmpl_cache_new(&tc));
        REQUIRE(ipnf_pdu_add_flow(&p, &full) == 0);
        REQUIRE(ipnf_pdu_add_flow(&p, &full) == 0);  // same blocks: same template
        CHECK(tc.n == 1);
        CHECK(ipnf_tmpl_cache_new(&tc));
        ipnf_pdu_hdr h{};
        unsigned dlen = ipnf_pdu_finish(&p, &h);

        // the exporter sends the templates first, then the data
        uint8_t tbuf[IPNF_PDU_MAX];
        ipnf_pdu t;
        ipnf_pdu_begin(&t, v, tbuf, sizeof(tbuf));
        t.tc = &tc;
        unsigned next = 0;
        REQUIRE(ipnf_pdu_add_tmpls(&t, &next) == 0);
        CHECK(next == IPNF_T_COUNT + 1);
        unsigned tlen = ipnf_pdu_finish(&t, &h);

        Collector c;
        c.feed(tbuf, tlen);
        c.feed(buf, dlen);
        REQUIRE(c.ok);
        REQUIRE(c.recs.size() == 3);
        unsigned dyn_id = (v == 9 ? IPNF_T_DYN_V9 : IPNF_T_DYN_IPFIX);
        CHECK(c.rec_tmpl[0] == IPNF_T_V4_PORTS + (v == 10 ? IPNF_T_IPFIX_SHIFT : 0));
        CHECK(c.rec_tmpl[1] == dyn_id);
        auto &r = c.recs[1];
        CHECK(g32(r[IPNF_IE_IPV4_OPTS].data()) == 1u);
        CHECK(g64(r[IPNF_IE_TCP_OPTS].data()) == (1ull << 2 | 1ull << 34));
        CHECK(r[IPNF_IE_SRC_MAC] == std::vector<uint8_t>{2, 0, 0, 0, 0, 1});
        CHECK(r[IPNF_IE_DST_MAC] == std::vector<uint8_t>{2, 0, 0, 0, 0, 2});
        CHECK(g16(r[IPNF_IE_VLAN].data()) == 100);
        CHECK(g16(r[IPNF_IE_VLAN_ID].data()) == 100);
        CHECK(r[IPNF_IE_VLAN_PRIO][0] == 5);
        CHECK(g16(r[IPNF_IE_CVLAN].data()) == 200);
        CHECK(r[IPNF_IE_CVLAN_PRIO][0] == 0);
        CHECK(g16(r[IPNF_IE_ETH_TYPE].data()) == 0x0800);
        CHECK(r[IPNF_IE_DIRECTION][0] == 1);
        CHECK(g32(r[IPNF_IE_PHYS_IN].data()) == 7);
        CHECK(g32(r[IPNF_IE_PHYS_OUT].data()) == 8);
        CHECK(g32(r[IPNF_IE_VRF_IN].data()) == 10);
        CHECK(g32(r[IPNF_IE_VRF_OUT].data()) == 0);
        // the base fields are still right
        CHECK(g16(r[IPNF_IE_SPORT].data()) == 40000);
        CHECK(g32(r[IPNF_IE_IIF].data()) == 5);
        CHECK(g64(r[IPNF_IE_PACKETS].data()) == 3);
        CHECK(c.recs[0].count(IPNF_IE_TCP_OPTS) == 0);
    }
}

// Encode one record through a fresh template cache; the collector's view of it.
static Collector encode_one(int v, const ipnf_exp_rec &rec, unsigned *tid) {
    ipnf_tmpl_cache tc;
    ipnf_tmpl_cache_init(&tc, v);
    uint8_t buf[IPNF_PDU_MAX], tbuf[IPNF_PDU_MAX];
    ipnf_pdu p, t;
    ipnf_pdu_hdr h{};
    ipnf_pdu_begin(&p, v, buf, sizeof(buf));
    p.tc = &tc;
    REQUIRE(ipnf_pdu_add_flow(&p, &rec) == 0);
    unsigned dlen = ipnf_pdu_finish(&p, &h), next = 0;
    ipnf_pdu_begin(&t, v, tbuf, sizeof(tbuf));
    t.tc = &tc;
    REQUIRE(ipnf_pdu_add_tmpls(&t, &next) == 0);
    unsigned tlen = ipnf_pdu_finish(&t, &h);
    Collector c;
    c.feed(tbuf, tlen);
    c.feed(buf, dlen);
    REQUIRE(c.ok);
    REQUIRE(c.recs.size() == 1);
    *tid = c.rec_tmpl[0];
    return c;
}

TEST_CASE("natflows: post-NAT addresses and ports of translated flows only") {
    for (int v : {9, 10}) {
        CAPTURE(v);
        unsigned tid;
        ipnf_exp_rec r = base_v4();
        CHECK(ipnf_tmpl_mask(&r) == 0);
        r.nat = 1;  // masqueraded: 10.0.0.1:40000 -> 192.0.2.1:61000
        const uint8_t ps[4] = {192, 0, 2, 1}, pd[4] = {10, 0, 0, 2};
        std::memcpy(r.post.src, ps, 4);
        std::memcpy(r.post.dst, pd, 4);
        r.post.sport = 61000;
        r.post.dport = 80;
        CHECK(ipnf_tmpl_mask(&r) == 1u << IPNF_B_NAT);
        Collector c = encode_one(v, r, &tid);
        auto &f = c.recs[0];
        CHECK(f[IPNF_IE_POST_SRC4] == std::vector<uint8_t>{192, 0, 2, 1});
        CHECK(f[IPNF_IE_POST_DST4] == std::vector<uint8_t>{10, 0, 0, 2});
        CHECK(g16(f[IPNF_IE_POST_SPORT].data()) == 61000);
        CHECK(g16(f[IPNF_IE_POST_DPORT].data()) == 80);
        CHECK(f.count(IPNF_IE_POST_SRC6) == 0);
        CHECK(g16(f[IPNF_IE_SPORT].data()) == 40000);  // the key as metered

        ipnf_exp_rec r6{};
        r6.key.family = IPNF_FAM_V6;
        r6.key.proto = 17;
        r6.key.sport = 5353;
        r6.key.dport = 53;
        r6.nat = 1;
        for (int i = 0; i < 16; i++) {
            r6.post.src[i] = uint8_t(0x20 + i);
            r6.post.dst[i] = uint8_t(0x40 + i);
        }
        r6.post.sport = 1024;
        r6.post.dport = 5300;
        CHECK(ipnf_tmpl_mask(&r6) == 1u << IPNF_B_NAT);
        Collector c6 = encode_one(v, r6, &tid);
        auto &g = c6.recs[0];
        REQUIRE(g[IPNF_IE_POST_SRC6].size() == 16);
        CHECK(g[IPNF_IE_POST_SRC6][0] == 0x20);
        CHECK(g[IPNF_IE_POST_SRC6][15] == 0x2f);
        CHECK(g[IPNF_IE_POST_DST6][15] == 0x4f);
        CHECK(g16(g[IPNF_IE_POST_SPORT].data()) == 1024);
        CHECK(g16(g[IPNF_IE_POST_DPORT].data()) == 5300);
        CHECK(g.count(IPNF_IE_POST_SRC4) == 0);
    }
}

TEST_CASE("MPLS label stack of promisc frames") {
    for (int v : {9, 10}) {
        ipnf_exp_rec r = base_v4();
        r.key.proto = 17;
        r.key.mpls[0] = (1000u << 12 | 5u << 9);                 // label 1000, TC 5
        r.key.mpls[1] = (2000u << 12 | 1u << 8);                 // label 2000, bottom
        CHECK(ipnf_tmpl_mask(&r) == 1u << IPNF_B_MPLS);
        unsigned tid;
        Collector c = encode_one(v, r, &tid);
        auto &d = c.recs[0];
        // 3 bytes each: label << 4 | TC << 1 | bottom-of-stack
        CHECK(d[IPNF_IE_MPLS_TOP] == std::vector<uint8_t>{0x00, 0x3e, 0x8a});
        CHECK(d[IPNF_IE_MPLS_TOP + 1] == std::vector<uint8_t>{0x00, 0x7d, 0x01});
        CHECK(d[IPNF_IE_MPLS_TOP + 2] == std::vector<uint8_t>{0, 0, 0});
        CHECK(d.count(IPNF_IE_MPLS_TOP + 3) == 0);
    }
}

TEST_CASE("IPv6 record with label and extension headers") {
    ipnf_tmpl_cache tc;
    ipnf_tmpl_cache_init(&tc, 10);
    ipnf_exp_rec r{};
    r.key.family = IPNF_FAM_V6;
    r.key.proto = 17;
    r.key.sport = 1;
    r.key.dport = 2;
    r.key.dir = IPNF_DIR_IN;
    r.label = 0xfedcb;
    r.ip_opts = IPNF_X6_DST | IPNF_X6_FRA0;
    r.packets = 1;
    const ipnf_tmpl *t = ipnf_tmpl_for(&tc, 10, &r);
    REQUIRE(t);
    CHECK(t->id == IPNF_T_DYN_IPFIX);
    uint8_t buf[IPNF_PDU_MAX];
    ipnf_pdu p;
    ipnf_pdu_begin(&p, 10, buf, sizeof(buf));
    p.tc = &tc;
    unsigned next = 0;
    REQUIRE(ipnf_pdu_add_tmpls(&p, &next) == 0);
    REQUIRE(ipnf_pdu_add_flow(&p, &r) == 0);
    ipnf_pdu_hdr h{};
    Collector c;
    c.feed(buf, ipnf_pdu_finish(&p, &h));
    REQUIRE(c.ok);
    REQUIRE(c.recs.size() == 1);
    CHECK(g32(c.recs[0][IPNF_IE_LABEL6].data()) == 0xfedcb);
    CHECK(g32(c.recs[0][IPNF_IE_EXTHDRS6].data()) == (IPNF_X6_DST | IPNF_X6_FRA0));
    CHECK(c.recs[0][IPNF_IE_DIRECTION][0] == 0);  // ingress
    CHECK(c.recs[0].count(IPNF_IE_ETH_TYPE) == 0);  // no MAC, no VLAN
}

TEST_CASE("many templates: paged over PDUs; past the limit records fall back, counted") {
    for (int v : {9, 10}) {
        CAPTURE(v);
        ipnf_tmpl_cache tc;
        ipnf_tmpl_cache_init(&tc, v);
        std::set<unsigned> ids;
        // distinct block sets: every combination of 7 blocks on IPv4 TCP = 127 sets
        unsigned made = 0, fell_back = 0;
        std::vector<ipnf_exp_rec> recs;
        for (unsigned m = 1; m < 128; m++) {
            ipnf_exp_rec r = base_v4();
            if (m & 1) r.ip_opts = 1;
            if (m & 2) r.tcp_opts = 4;
            if (m & 4) r.key.smac[5] = 1;
            if (m & 8) r.key.vlan[0] = 10;
            if (m & 16) r.key.vlan[1] = 20;
            if (m & 32) r.key.dir = IPNF_DIR_FWD;
            if (m & 64) r.physin = 3;
            const ipnf_tmpl *t = ipnf_tmpl_for(&tc, v, &r);
            if (t == ipnf_tmpl_get(v, IPNF_T_V4_PORTS))
                fell_back++;
            else
                made++, ids.insert(t->id);
            recs.push_back(r);
        }
        CHECK(made == IPNF_TD_MAX);
        CHECK(ids.size() == IPNF_TD_MAX);
        CHECK(fell_back == 127 - IPNF_TD_MAX);
        CHECK(tc.overflow == fell_back);

        // all templates over as many PDUs as they need, each PDU within the limit
        Collector c;
        unsigned next = 0, pdus = 0;
        for (;;) {
            uint8_t buf[IPNF_PDU_MAX];
            ipnf_pdu p;
            ipnf_pdu_begin(&p, v, buf, sizeof(buf));
            p.tc = &tc;
            int err = ipnf_pdu_add_tmpls(&p, &next);
            REQUIRE_FALSE(ipnf_pdu_empty(&p));
            ipnf_pdu_hdr h{};
            unsigned len = ipnf_pdu_finish(&p, &h);
            CHECK(len <= IPNF_PDU_MAX);
            c.feed(buf, len);
            pdus++;
            if (!err)
                break;
            REQUIRE(pdus < 20);
        }
        CHECK(pdus > 1);
        CHECK(c.tmpl.size() == IPNF_T_DATA_COUNT + IPNF_TD_MAX);  // data templates
        // then every record decodes with the template it was written with
        uint8_t buf[IPNF_PDU_MAX];
        ipnf_pdu p;
        ipnf_pdu_begin(&p, v, buf, sizeof(buf));
        p.tc = &tc;
        unsigned n = 0;
        for (auto &r : recs) {
            if (ipnf_pdu_add_flow(&p, &r))
                break;
            n++;
        }
        ipnf_pdu_hdr h{};
        c.feed(buf, ipnf_pdu_finish(&p, &h));
        CHECK(c.ok);
        CHECK(c.recs.size() == n);
        CHECK(n > 10);
        // a version switch starts over
        ipnf_tmpl_cache_init(&tc, v == 9 ? 10 : 9);
        CHECK(tc.n == 0);
    }
}

TEST_CASE("every block at once fits a data template of every shape") {
    for (int v : {9, 10}) {
        for (unsigned shape = IPNF_T_V4_PORTS; shape <= IPNF_T_V6_PLAIN; shape++) {
            CAPTURE(v, shape);
            ipnf_tmpl_cache tc;
            ipnf_tmpl_cache_init(&tc, v);
            const ipnf_tmpl *t = ipnf_tmpl_pick(&tc, v, shape, (1u << IPNF_B_COUNT) - 1);
            REQUIRE(t != nullptr);
            CHECK(t->nfields <= IPNF_TF_MAX);
            // the blocks' 17 fields (and the MPLS stack's when promisc MPLS is compiled in)
            CHECK(t->nfields >= ipnf_tmpl_get(v, shape)->nfields + 17);
        }
    }
}
