// NetFlow v9 / IPFIX templates and PDUs, byte for byte, and the template /
// data record consistency a collector relies on.
#include <catch2/catch.hpp>
#include <cstring>
#include <map>
#include <vector>

extern "C" {
#include "tmpl.h"
}
#include "pkt.h"

static uint32_t g32(const uint8_t *p) {
    return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}
static uint16_t g16(const uint8_t *p) { return uint16_t(p[0] << 8 | p[1]); }

static ipnf_exp_rec v4_tcp() {
    ipnf_exp_rec r{};
    r.key.family = IPNF_FAM_V4;
    uint8_t src[4] = {10, 0, 0, 1}, dst[4] = {10, 0, 0, 2};
    std::memcpy(&r.key.a.v4.src, src, 4);
    std::memcpy(&r.key.a.v4.dst, dst, 4);
    r.key.sport = 40003;
    r.key.dport = 5003;
    r.key.proto = 6;
    r.key.tos = 0x10;
    r.key.iif = 2;
    r.oif = 0;
    r.packets = 7;
    r.bytes = 0x100000000ULL + 5;  // needs 64 bits
    r.first_ms = 1000;
    r.last_ms = 2500;
    r.start_abs_ms = 1700000000123ULL;
    r.end_abs_ms = 1700000001623ULL;
    r.tcp_flags = 0x1b;
    r.end_reason = IPNF_END_EOF;
    return r;
}

static ipnf_exp_rec v6_udp() {
    ipnf_exp_rec r{};
    r.key.family = IPNF_FAM_V6;
    for (int i = 0; i < 16; i++) {
        r.key.a.v6.src[i] = uint8_t(0xa0 + i);
        r.key.a.v6.dst[i] = uint8_t(0xb0 + i);
    }
    r.key.sport = 40004;
    r.key.dport = 5004;
    r.key.proto = 17;
    r.key.iif = 3;
    r.oif = 4;
    r.packets = 2;
    r.bytes = 196;
    r.first_ms = 10;
    r.last_ms = 20;
    r.start_abs_ms = 5;
    r.end_abs_ms = 6;
    r.end_reason = IPNF_END_IDLE;
    return r;
}

TEST_CASE("template shapes") {
    ipnf_exp_rec r = v4_tcp();
    CHECK(ipnf_tmpl_shape(&r) == IPNF_T_V4_PORTS);
    r.key.proto = 1;
    CHECK(ipnf_tmpl_shape(&r) == IPNF_T_V4_ICMP);
    r.key.proto = 58;  // ICMPv6 number in an IPv4 packet: no ports, not ICMP
    CHECK(ipnf_tmpl_shape(&r) == IPNF_T_V4_PLAIN);
    r.key.proto = 47;
    CHECK(ipnf_tmpl_shape(&r) == IPNF_T_V4_PLAIN);
    r = v6_udp();
    CHECK(ipnf_tmpl_shape(&r) == IPNF_T_V6_PORTS);
    r.key.proto = 58;
    CHECK(ipnf_tmpl_shape(&r) == IPNF_T_V6_ICMP);
    r.key.proto = 1;
    CHECK(ipnf_tmpl_shape(&r) == IPNF_T_V6_PLAIN);
    r.key.proto = 132;
    CHECK(ipnf_tmpl_shape(&r) == IPNF_T_V6_PORTS);
}

TEST_CASE("IPFIX data record of an IPv4 TCP flow, byte for byte") {
    uint8_t buf[IPNF_PDU_MAX];
    ipnf_pdu p;
    ipnf_pdu_begin(&p, 10, buf, sizeof(buf));
    ipnf_exp_rec r = v4_tcp();
    REQUIRE(ipnf_pdu_add_flow(&p, &r) == 0);
    ipnf_pdu_hdr h{};
    h.unix_secs = 1700000002;
    h.sequence = 77;
    h.domain = 3;
    unsigned int len = ipnf_pdu_finish(&p, &h);
    const std::vector<uint8_t> want = {
        0, 10, 0, 77,            // version, length 16 + 4 + 57
        0x65, 0x53, 0xf1, 0x02,  // export time
        0, 0, 0, 77,             // sequence
        0, 0, 0, 3,              // observation domain
        1, 16, 0, 61,            // set 272 (IPFIX ids: v9 + 16), 4 + 57
        10, 0, 0, 1, 10, 0, 0, 2,  // addresses
        0x9c, 0x43, 0x13, 0x8b,    // 40003, 5003
        6, 0x10, 0x1b,             // proto, tos, flags
        0, 0, 0, 2, 0, 0, 0, 0,    // iif, oif
        0, 0, 0, 1, 0, 0, 0, 5,    // octets
        0, 0, 0, 0, 0, 0, 0, 7,    // packets
        0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x7b,  // start ms
        0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x6e, 0x57,  // end ms
        3, 4,                      // end reason, ip version
    };
    REQUIRE(len == want.size());
    CHECK(std::vector<uint8_t>(buf, buf + len) == want);
    CHECK(p.data_records == 1);
    CHECK(p.flows == 1);
    CHECK(p.pkts == 7);
}

TEST_CASE("v9 data record of an IPv4 TCP flow, byte for byte") {
    uint8_t buf[IPNF_PDU_MAX];
    ipnf_pdu p;
    ipnf_pdu_begin(&p, 9, buf, sizeof(buf));
    ipnf_exp_rec r = v4_tcp();
    REQUIRE(ipnf_pdu_add_flow(&p, &r) == 0);
    ipnf_pdu_hdr h{};
    h.uptime_ms = 3000;
    h.unix_secs = 1700000002;
    h.sequence = 5;
    h.domain = 3;
    unsigned int len = ipnf_pdu_finish(&p, &h);
    const std::vector<uint8_t> want = {
        0, 9, 0, 1,              // version, count
        0, 0, 0x0b, 0xb8,        // sysUptime
        0x65, 0x53, 0xf1, 0x02,  // unix secs
        0, 0, 0, 5,              // sequence (PDUs)
        0, 0, 0, 3,              // source id
        1, 0, 0, 52,             // flowset 256: 4 + 48, aligned already
        10, 0, 0, 1, 10, 0, 0, 2,
        0x9c, 0x43, 0x13, 0x8b,
        6, 0x10, 0x1b,
        0, 0, 0, 2, 0, 0, 0, 0,
        0, 0, 0, 1, 0, 0, 0, 5,
        0, 0, 0, 0, 0, 0, 0, 7,
        0, 0, 0x03, 0xe8, 0, 0, 0x09, 0xc4,  // first, last switched
        4,                                   // ip version
    };
    REQUIRE(len == want.size());
    CHECK(std::vector<uint8_t>(buf, buf + len) == want);
}

TEST_CASE("v9 flowsets are padded to 4 bytes") {
    uint8_t buf[IPNF_PDU_MAX];
    ipnf_pdu p;
    ipnf_pdu_begin(&p, 9, buf, sizeof(buf));
    ipnf_exp_rec r = v4_tcp();
    r.key.proto = 1;
    r.key.dport = 0x0800;
    REQUIRE(ipnf_pdu_add_flow(&p, &r) == 0);  // 45-byte record
    ipnf_pdu_hdr h{};
    unsigned len = ipnf_pdu_finish(&p, &h);
    CHECK(len == 20 + 52);
    CHECK(g16(buf + 20) == IPNF_T_V4_ICMP);
    CHECK(g16(buf + 22) == 52);
    CHECK(g16(buf + 24 + 8) == 0x0800);  // icmpTypeCodeIPv4
    CHECK(buf[24 + 44] == 4);            // ip version, last field
    CHECK(buf[24 + 45] == 0);
    CHECK(buf[24 + 46] == 0);
    CHECK(buf[24 + 47] == 0);
}

TEST_CASE("IPFIX IPv6 UDP record") {
    uint8_t buf[IPNF_PDU_MAX];
    ipnf_pdu p;
    ipnf_pdu_begin(&p, 10, buf, sizeof(buf));
    ipnf_exp_rec r = v6_udp();
    REQUIRE(ipnf_pdu_add_flow(&p, &r) == 0);
    ipnf_pdu_hdr h{};
    unsigned int len = ipnf_pdu_finish(&p, &h);
    REQUIRE(len == 16 + 4 + 81);
    const uint8_t *d = buf + 20;
    CHECK(g16(buf + 16) == IPNF_T_V6_PORTS + IPNF_T_IPFIX_SHIFT);
    CHECK(std::memcmp(d, r.key.a.v6.src, 16) == 0);
    CHECK(std::memcmp(d + 16, r.key.a.v6.dst, 16) == 0);
    CHECK(g16(d + 32) == 40004);
    CHECK(g16(d + 34) == 5004);
    CHECK(d[36] == 17);
    CHECK(d[37] == 0);
    CHECK(d[38] == 0);
    CHECK(g32(d + 39) == 3);
    CHECK(g32(d + 43) == 4);
    CHECK(g32(d + 51) == 196);
    CHECK(g32(d + 59) == 2);
    CHECK(g32(d + 67) == 5);
    CHECK(g32(d + 75) == 6);
    CHECK(d[79] == IPNF_END_IDLE);
    CHECK(d[80] == 6);
}

// Parses a PDU as a collector would: templates first, then data sets whose
// record length must be the sum of the template's field lengths.
struct Parsed {
    std::map<unsigned, unsigned> tmpl_len;  // id -> record length
    std::map<unsigned, unsigned> scope_fields;
    unsigned templates = 0, records = 0;
    bool ok = true;
};

static Parsed parse(const uint8_t *b, unsigned len, Parsed ps = {}) {
    int v = g16(b);
    unsigned off = v == 9 ? 20 : 16;
    if (v == 10 && g16(b + 2) != len)
        ps.ok = false;
    while (off + 4 <= len) {
        unsigned id = g16(b + off), sl = g16(b + off + 2);
        if (sl < 4 || off + sl > len) {
            ps.ok = false;
            break;
        }
        if (v == 9 && (sl & 3))
            ps.ok = false;
        unsigned o = off + 4, end = off + sl;
        if (id == (v == 9 ? 0u : 2u)) {
            while (o + 4 <= end) {
                unsigned tid = g16(b + o), n = g16(b + o + 2), sum = 0;
                o += 4;
                for (unsigned i = 0; i < n; i++, o += 4)
                    sum += g16(b + o + 2);
                ps.tmpl_len[tid] = sum;
                ps.templates++;
            }
        } else if (id == (v == 9 ? 1u : 3u)) {
            while (o + 6 <= end) {
                unsigned tid = g16(b + o), nf, ns;
                if (v == 9) {
                    ns = g16(b + o + 2) / 4;
                    nf = ns + g16(b + o + 4) / 4;
                } else {
                    nf = g16(b + o + 2);
                    ns = g16(b + o + 4);
                }
                if (nf == 0)
                    break;  // v9 padding
                o += 6;
                unsigned sum = 0;
                for (unsigned i = 0; i < nf; i++, o += 4)
                    sum += g16(b + o + 2);
                ps.tmpl_len[tid] = sum;
                ps.scope_fields[tid] = ns;
                ps.templates++;
            }
        } else if (id >= 256) {
            if (!ps.tmpl_len.count(id)) {
                ps.ok = false;
            } else {
                unsigned rl = ps.tmpl_len[id], n = (sl - 4) / rl;
                if (sl - 4 - n * rl >= (v == 9 ? 4u : 1u))
                    ps.ok = false;  // leftover beyond padding
                ps.records += n;
            }
        }
        off += sl;
    }
    if (off != len)
        ps.ok = false;
    return ps;
}

TEST_CASE("template/data consistency, every shape, both versions") {
    for (int v : {9, 10}) {
        CAPTURE(v);
        uint8_t buf[IPNF_PDU_MAX];
        ipnf_pdu p;
        ipnf_pdu_begin(&p, v, buf, sizeof(buf));
        REQUIRE(ipnf_pdu_add_templates(&p) == 0);
        ipnf_opt_stats st{};
        st.domain = 9;
        st.exp_msgs = 3;
        REQUIRE(ipnf_pdu_add_opt_stats(&p, &st) == 0);
        ipnf_opt_sampler sa{9, 100, 1};
        REQUIRE(ipnf_pdu_add_opt_sampler(&p, &sa) == 0);
        ipnf_opt_iface ifc{2, "veth0", "uplink"};
        REQUIRE(ipnf_pdu_add_opt_iface(&p, 9, &ifc) == 0);
        unsigned protos[] = {6, 1, 47};
        for (int fam : {4, 6})
            for (unsigned pr : protos) {
                ipnf_exp_rec r = fam == 4 ? v4_tcp() : v6_udp();
                r.key.proto = uint8_t(fam == 6 && pr == 1 ? 58 : pr);
                REQUIRE(ipnf_pdu_add_flow(&p, &r) == 0);
            }
        ipnf_pdu_hdr h{};
        unsigned len = ipnf_pdu_finish(&p, &h);
        Parsed ps = parse(buf, len);
        CHECK(ps.ok);
        CHECK(ps.templates == IPNF_T_COUNT);
        CHECK(ps.records == 3 + 6);
        CHECK(p.data_records == 9);
        CHECK(p.flows == 6);
        if (v == 9)
            CHECK(g16(buf + 2) == IPNF_T_COUNT + 9);  // v9 count: templates too
        for (unsigned id = IPNF_T_FIRST; id < IPNF_T_END; id++) {
            const ipnf_tmpl *t = ipnf_tmpl_get(v, id);
            REQUIRE(t);
            CHECK(t->id == id + (v == 10 ? IPNF_T_IPFIX_SHIFT : 0));
            CHECK(ps.tmpl_len[t->id] == ipnf_tmpl_rec_len(t));
        }
        unsigned sh = v == 10 ? IPNF_T_IPFIX_SHIFT : 0;
        CHECK(ps.scope_fields[IPNF_T_OPT_STATS + sh] == 1);
        CHECK(ps.scope_fields[IPNF_T_OPT_IFACE + sh] == (v == 9 ? 1u : 2u));
    }
}

TEST_CASE("options records, byte for byte (IPFIX sampler and interface)") {
    uint8_t buf[IPNF_PDU_MAX];
    ipnf_pdu p;
    ipnf_pdu_begin(&p, 10, buf, sizeof(buf));
    ipnf_opt_sampler sa{7, 100, 2};
    REQUIRE(ipnf_pdu_add_opt_sampler(&p, &sa) == 0);
    ipnf_opt_iface ifc{};
    ifc.ifindex = 2;
    std::strcpy(ifc.name, "veth0");
    std::strcpy(ifc.descr, "to the world");
    REQUIRE(ipnf_pdu_add_opt_iface(&p, 7, &ifc) == 0);
    ipnf_pdu_hdr h{};
    unsigned len = ipnf_pdu_finish(&p, &h);
    const uint8_t *s = buf + 16;
    CHECK(g16(s) == IPNF_T_OPT_SAMPLER + IPNF_T_IPFIX_SHIFT);
    CHECK(g16(s + 2) == 4 + 14);
    CHECK(g32(s + 4) == 7);
    CHECK(g32(s + 8) == 100);
    CHECK(s[12] == 2);
    CHECK(s[13] == 2);  // samplerMode: random
    CHECK(g32(s + 14) == 100);
    const uint8_t *i = s + 18;
    CHECK(g16(i) == IPNF_T_OPT_IFACE + IPNF_T_IPFIX_SHIFT);
    CHECK(g16(i + 2) == 4 + 56);
    CHECK(g32(i + 4) == 7);
    CHECK(g32(i + 8) == 2);
    CHECK(std::memcmp(i + 12, "veth0\0\0\0\0\0\0\0\0\0\0\0", 16) == 0);
    CHECK(std::memcmp(i + 28, "to the world", 13) == 0);
    CHECK(i[59] == 0);
    CHECK(len == 16 + 18 + 60);
}

TEST_CASE("v9 options template layout") {
    uint8_t buf[IPNF_PDU_MAX];
    ipnf_pdu p;
    ipnf_pdu_begin(&p, 9, buf, sizeof(buf));
    REQUIRE(ipnf_pdu_add_templates(&p) == 0);
    ipnf_pdu_hdr h{};
    unsigned len = ipnf_pdu_finish(&p, &h);
    // find the options flowset
    unsigned off = 20;
    while (off < len && g16(buf + off) != 1)
        off += g16(buf + off + 2);
    REQUIRE(off < len);
    const uint8_t *o = buf + off + 4;
    CHECK(g16(o) == IPNF_T_OPT_STATS);
    CHECK(g16(o + 2) == 4);        // one scope field
    CHECK(g16(o + 4) == 10 * 4);   // ten option fields
    CHECK(g16(o + 6) == IPNF_V9_SCOPE_SYSTEM);
    CHECK(g16(o + 8) == 4);
    CHECK(g16(o + 10) == IPNF_IE_EXP_OCTETS);
    CHECK(g16(buf + 2) == IPNF_T_COUNT);
}

TEST_CASE("PDUs stay within the size limit, and fill it") {
    for (int v : {9, 10}) {
        CAPTURE(v);
        uint8_t buf[IPNF_PDU_MAX + 64];
        std::memset(buf, 0xcc, sizeof(buf));
        ipnf_pdu p;
        ipnf_pdu_begin(&p, v, buf, IPNF_PDU_MAX);
        REQUIRE(ipnf_pdu_add_templates(&p) == 0);
        unsigned n = 0;
        for (;;) {
            ipnf_exp_rec r = (n % 3) ? v4_tcp() : v6_udp();  // alternate sets
            if (n % 5 == 0)
                r.key.proto = r.key.family == IPNF_FAM_V4 ? 1 : 58;
            if (ipnf_pdu_add_flow(&p, &r))
                break;
            n++;
        }
        ipnf_pdu_hdr h{};
        unsigned len = ipnf_pdu_finish(&p, &h);
        CHECK(len <= IPNF_PDU_MAX);
        CHECK(len > IPNF_PDU_MAX - 100);  // nothing smaller than a record left
        CHECK(buf[IPNF_PDU_MAX] == 0xcc);
        Parsed ps = parse(buf, len);
        CHECK(ps.ok);
        CHECK(ps.records == n);
    }
    // a record that cannot fit at all
    uint8_t small[40];
    ipnf_pdu p;
    ipnf_pdu_begin(&p, 10, small, sizeof(small));
    ipnf_exp_rec r = v4_tcp();
    CHECK(ipnf_pdu_add_flow(&p, &r) == -ENOSPC);
    CHECK(ipnf_pdu_empty(&p));
    CHECK(ipnf_pdu_add_templates(&p) == -ENOSPC);
}

TEST_CASE("template refresh: first PDU, every N PDUs, every M minutes") {
    ipnf_tmpl_clock c{};
    ipnf_tmpl_reset(&c);
    CHECK(ipnf_tmpl_due(&c, 0, 20, 30));
    ipnf_tmpl_sent(&c, 1000);
    CHECK(!ipnf_tmpl_due(&c, 1000, 20, 30));
    c.pdus = 19;
    CHECK(!ipnf_tmpl_due(&c, 1000, 20, 30));
    c.pdus = 20;
    CHECK(ipnf_tmpl_due(&c, 1000, 20, 30));
    ipnf_tmpl_sent(&c, 5000);
    CHECK(c.pdus == 0);
    CHECK(!ipnf_tmpl_due(&c, 5000 + 30 * 60000 - 1, 20, 30));
    CHECK(ipnf_tmpl_due(&c, 5000 + 30 * 60000, 20, 30));
    ipnf_tmpl_reset(&c);  // destinations changed
    CHECK(ipnf_tmpl_due(&c, 5001, 20, 30));
}

// The reference: a shape's fields by walking its field table (what the template
// announces), one ipnf_put_flow_field each.
static uint8_t *ipnf_put_head_walk(uint8_t *b, const ipnf_exp_rec *r, int version, unsigned shape) {
    const ipnf_tmpl *t = ipnf_tmpl_get(version, shape);
    for (unsigned i = 0; i < t->nfields; b += t->f[i++].len) ipnf_put_flow_field(b, &t->f[i], r);
    return b;
}

// ipnf_put_head writes each shape's fields straight; it must equal the walk over the
// field tables (what the templates announce) for every version and shape, whatever
// the values: random records, every byte compared.
TEST_CASE("straight record heads equal the field-table walk, every shape and version") {
    pkt::XorShift rnd{0x9e3779b97f4a7c15ULL};
    const uint8_t protos[] = {6, 17, 1, 58, 47, 132, 0};
    int compared = 0;
    for (int version : {9, 10}) {
        for (int fam : {IPNF_FAM_V4, IPNF_FAM_V6}) {
            for (uint8_t proto : protos) {
                for (int i = 0; i < 50; i++) {
                    ipnf_exp_rec r{};
                    r.key.family = uint8_t(fam);
                    for (auto &w : r.key.a.words) w = uint32_t(rnd());
                    r.key.sport = uint16_t(rnd());
                    r.key.dport = uint16_t(rnd());
                    r.key.proto = proto;
                    r.key.tos = uint8_t(rnd());
                    r.key.iif = uint32_t(rnd());
                    r.oif = uint32_t(rnd());
                    r.packets = rnd();
                    r.bytes = rnd();
                    r.first_ms = uint32_t(rnd());
                    r.last_ms = uint32_t(rnd());
                    r.start_abs_ms = rnd();
                    r.end_abs_ms = rnd();
                    r.tcp_flags = uint8_t(rnd());
                    r.end_reason = uint8_t(rnd());
                    unsigned shape = ipnf_tmpl_shape(&r);
                    uint8_t a[128], b[128];
                    std::memset(a, 0xee, sizeof(a));
                    std::memset(b, 0xee, sizeof(b));
                    uint8_t *ea = ipnf_put_head(a, &r, version, shape);
                    uint8_t *eb = ipnf_put_head_walk(b, &r, version, shape);
                    REQUIRE(ea - a == eb - b);
                    REQUIRE(unsigned(ea - a) == ipnf_tmpl_rec_len(ipnf_tmpl_get(version, shape)));
                    REQUIRE(std::memcmp(a, b, sizeof(a)) == 0);
                    compared++;
                }
            }
        }
    }
    CHECK(compared == 2 * 2 * 7 * 50);
}
