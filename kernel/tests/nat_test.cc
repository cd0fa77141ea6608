// NAT events: the NEL record (v9 and IPFIX) and the classic v5 pseudo-record.
#include <catch2/catch.hpp>
#include <arpa/inet.h>
#include <cstring>

extern "C" {
#include "pdu_v5.h"
#include "tmpl.h"
}

static uint16_t g16(const uint8_t *p) { return uint16_t(p[0] << 8 | p[1]); }

static ipnf_nat_rec snat_udp(uint8_t event) {
    ipnf_nat_rec n{};
    n.event = event;
    n.proto = 17;
    n.snat = 1;
    n.src = htonl(0x0a000001);       // 10.0.0.1:41000
    n.dst = htonl(0x0a050002);       // 10.5.0.2:5000
    n.post_src = htonl(0x0a050001);  // 10.5.0.1:20001
    n.post_dst = n.dst;
    n.sport = 41000;
    n.dport = 5000;
    n.post_sport = 20001;
    n.post_dport = 5000;
    n.time_ms = 1700000000123ULL;
    n.uptime_ms = 4000;
    return n;
}

TEST_CASE("NEL record: every field where the template says, both versions") {
    for (int v : {9, 10}) {
        CAPTURE(v);
        uint8_t buf[IPNF_PDU_MAX];
        ipnf_pdu p;
        ipnf_pdu_begin(&p, v, buf, sizeof(buf));
        ipnf_nat_rec n = snat_udp(IPNF_NAT_CREATE);
        REQUIRE(ipnf_pdu_add_nat(&p, &n) == 0);
        CHECK(p.flows == 0);  // an event, not a flow
        CHECK(p.data_records == 1);
        ipnf_pdu_hdr h{};
        unsigned len = ipnf_pdu_finish(&p, &h);
        const uint8_t *s = buf + (v == 9 ? 20 : 16);
        const ipnf_tmpl *t = ipnf_tmpl_get(v, IPNF_T_NAT4);
        REQUIRE(t);
        CHECK(g16(s) == t->id);
        CHECK(ipnf_tmpl_rec_len(t) == 34);
        const uint8_t *d = s + 4;
        CHECK(d[0] == 0);  // observationTimeMilliseconds (8 bytes, big-endian)
        CHECK(std::memcmp(d + 8, "\x0a\x00\x00\x01\x0a\x05\x00\x02", 8) == 0);
        CHECK(g16(d + 16) == 41000);
        CHECK(g16(d + 18) == 5000);
        CHECK(std::memcmp(d + 20, "\x0a\x05\x00\x01\x0a\x05\x00\x02", 8) == 0);
        CHECK(g16(d + 28) == 20001);
        CHECK(g16(d + 30) == 5000);
        CHECK(d[32] == 17);
        CHECK(d[33] == IPNF_NAT_CREATE);
        CHECK(len == (v == 9 ? 20u + 4 + 36 : 16u + 4 + 34));  // v9 pads the set
    }
}

TEST_CASE("v5 pseudo-records of NAT events, as ipt_NETFLOW defines them") {
    ipnf_exp_rec r;
    ipnf_nat_rec n = snat_udp(IPNF_NAT_CREATE);
    ipnf_v5_nat_rec(&n, &r);
    uint8_t rec[IPNF_V5_REC_LEN];
    ipnf_v5_put_record(rec, &r, uint32_t(r.packets), uint32_t(r.bytes));
    CHECK(std::memcmp(rec, "\x0a\x00\x00\x01", 4) == 0);      // pre-NAT source
    CHECK(std::memcmp(rec + 4, "\x0a\x05\x00\x02", 4) == 0);  // post-NAT destination
    CHECK(std::memcmp(rec + 8, "\x0a\x05\x00\x01", 4) == 0);  // nexthop: post-NAT source
    CHECK(g16(rec + 32) == 41000);
    CHECK(g16(rec + 34) == 5000);
    CHECK(g16(rec + 40) == 20001);  // src AS: post-NAT source port
    CHECK(g16(rec + 42) == 0);
    CHECK(rec[37] == (IPNF_TCP_SYN | IPNF_TCP_ACK));
    CHECK(std::memcmp(rec + 16, "\0\0\0\0\0\0\0\0", 8) == 0);  // no packets, no bytes
    // DNAT, end of the connection
    ipnf_nat_rec d{};
    d.event = IPNF_NAT_DELETE;
    d.proto = 6;
    d.dnat = 1;
    d.src = htonl(0x0a000001);
    d.dst = htonl(0x0a000002);       // 10.0.0.2:8080 before
    d.post_src = d.src;
    d.post_dst = htonl(0x0a050002);  // 10.5.0.2:80 after
    d.sport = d.post_sport = 42000;
    d.dport = 8080;
    d.post_dport = 80;
    ipnf_v5_nat_rec(&d, &r);
    ipnf_v5_put_record(rec, &r, 0, 0);
    CHECK(std::memcmp(rec + 4, "\x0a\x05\x00\x02", 4) == 0);
    CHECK(g16(rec + 34) == 80);
    CHECK(std::memcmp(rec + 8, "\x0a\x00\x00\x02", 4) == 0);  // nexthop: pre-NAT destination
    CHECK(g16(rec + 40) == 0);
    CHECK(g16(rec + 42) == 8080);  // dst AS: pre-NAT destination port
    CHECK(rec[37] == (IPNF_TCP_RST | IPNF_TCP_FIN));
    CHECK(rec[38] == 6);
}
