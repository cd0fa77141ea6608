// NetFlow v5 encoding, byte for byte.
#include <catch2/catch.hpp>
#include <cstring>
#include <vector>

extern "C" {
#include "pdu_v5.h"
}

static uint32_t get32(const uint8_t *p) {
    return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}
static uint16_t get16(const uint8_t *p) { return uint16_t(p[0] << 8 | p[1]); }

TEST_CASE("v5 header layout") {
    ipnf_v5_hdr h{};
    h.count = 30;
    h.uptime_ms = 123456;
    h.unix_secs = 1700000000;
    h.unix_nsecs = 999;
    h.sequence = 4242;
    h.engine_type = 0;
    h.engine_id = 7;
    h.sampling = 2 << 14 | 100;
    uint8_t b[IPNF_V5_HDR_LEN];
    ipnf_v5_put_header(b, &h);
    CHECK(get16(b) == 5);
    CHECK(get16(b + 2) == 30);
    CHECK(get32(b + 4) == 123456);
    CHECK(get32(b + 8) == 1700000000);
    CHECK(get32(b + 12) == 999);
    CHECK(get32(b + 16) == 4242);
    CHECK(b[21] == 7);
    CHECK(get16(b + 22) == (2 << 14 | 100));
    CHECK(IPNF_V5_MAX_PDU == 24 + 30 * 48);
}

TEST_CASE("v5 record layout") {
    ipnf_exp_rec r{};
    r.key.family = IPNF_FAM_V4;
    uint8_t src[4] = {192, 0, 2, 1}, dst[4] = {198, 51, 100, 7};
    std::memcpy(&r.key.a.v4.src, src, 4);
    std::memcpy(&r.key.a.v4.dst, dst, 4);
    r.key.sport = 12345;
    r.key.dport = 443;
    r.key.proto = 6;
    r.key.tos = 0x10;
    r.key.iif = 3;
    r.oif = 70000;  // does not fit 16 bits: saturates
    r.first_ms = 1000;
    r.last_ms = 2000;
    r.tcp_flags = 0x1b;
    uint8_t b[IPNF_V5_REC_LEN];
    std::memset(b, 0xee, sizeof(b));
    ipnf_v5_put_record(b, &r, 10, 5000);
    CHECK(std::memcmp(b, src, 4) == 0);
    CHECK(std::memcmp(b + 4, dst, 4) == 0);
    CHECK(get32(b + 8) == 0);
    CHECK(get16(b + 12) == 3);
    CHECK(get16(b + 14) == 0xffff);
    CHECK(get32(b + 16) == 10);
    CHECK(get32(b + 20) == 5000);
    CHECK(get32(b + 24) == 1000);
    CHECK(get32(b + 28) == 2000);
    CHECK(get16(b + 32) == 12345);
    CHECK(get16(b + 34) == 443);
    CHECK(b[36] == 0);
    CHECK(b[37] == 0x1b);
    CHECK(b[38] == 6);
    CHECK(b[39] == 0x10);
    for (int i = 40; i < 48; i++) CHECK(b[i] == 0);
}

TEST_CASE("v5 splits flows whose counters exceed 32 bits, exactly") {
    ipnf_exp_rec r{};
    r.bytes = 10'000'000'000ULL;
    r.packets = 7'000'000;
    unsigned n = ipnf_v5_records_needed(&r);
    CHECK(n == 3);
    uint64_t sb = 0, sp = 0;
    for (unsigned i = 0; i < n; i++) {
        uint32_t p, b;
        ipnf_v5_split(&r, i, n, &p, &b);
        sb += b;
        sp += p;
    }
    CHECK(sb == r.bytes);
    CHECK(sp == r.packets);
    r.bytes = 0xffffffffULL;
    r.packets = 1;
    CHECK(ipnf_v5_records_needed(&r) == 1);
    r.bytes = 0;
    r.packets = 0;
    CHECK(ipnf_v5_records_needed(&r) == 1);
}
