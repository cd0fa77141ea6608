// destination / destination_mode / sampler parsing, as modprobe and sysctl see it.
#include <catch2/catch.hpp>
#include <string>

extern "C" {
#include "options.h"
#include "flow_key.h"
}

static int dests(const char *s, ipnf_dest *d, const char **err) {
    return ipnf_parse_destinations(s, d, IPNF_MAX_DESTS, err);
}

static std::string fmt(const ipnf_dest &d) {
    char b[80];
    ipnf_format_dest(&d, b, sizeof(b));
    return b;
}

TEST_CASE("destination lists") {
    ipnf_dest d[IPNF_MAX_DESTS];
    const char *err = nullptr;
    REQUIRE(dests("127.0.0.1:2055", d, &err) == 1);
    CHECK(d[0].family == IPNF_FAM_V4);
    CHECK(d[0].port == 2055);
    CHECK(fmt(d[0]) == "127.0.0.1:2055");

    REQUIRE(dests("10.0.0.2", d, &err) == 1);
    CHECK(d[0].port == IPNF_DEFAULT_PORT);

    REQUIRE(dests(" 10.0.0.1:9995 , [2001:db8::1]:2056,2001:db8::2p4739,2001:db8::3#4740 ", d, &err) == 4);
    CHECK(d[0].port == 9995);
    CHECK(d[1].family == IPNF_FAM_V6);
    CHECK(d[1].port == 2056);
    CHECK(fmt(d[1]) == "[2001:db8::1]:2056");
    CHECK(d[2].port == 4739);
    CHECK(fmt(d[2]) == "[2001:db8::2]:4739");
    CHECK(d[3].port == 4740);

    REQUIRE(dests("[::1]", d, &err) == 1);
    CHECK(d[0].port == 2055);
    REQUIRE(dests("2001:db8::5", d, &err) == 1);
    CHECK(d[0].family == IPNF_FAM_V6);
    CHECK(d[0].port == 2055);

    REQUIRE(dests("127.0.0.1:2055@127.0.0.2%eth0", d, &err) == 1);
    CHECK(d[0].bind_family == IPNF_FAM_V4);
    CHECK(d[0].bind_addr[3] == 2);
    CHECK(std::string(d[0].ifname) == "eth0");
    REQUIRE(dests("127.0.0.1%lo@127.0.0.3", d, &err) == 1);
    CHECK(std::string(d[0].ifname) == "lo");
    CHECK(d[0].bind_addr[3] == 3);
    CHECK(d[0].port == 2055);

    CHECK(dests("", d, &err) == 0);
    CHECK(dests("  ", d, &err) == 0);
}

TEST_CASE("bad destinations are refused with a reason") {
    ipnf_dest d[IPNF_MAX_DESTS];
    const char *bad[] = {"300.1.1.1", "1.2.3.4:0", "1.2.3.4:65536", "1.2.3.4:x",
                         "[::1", "[::1]x", "host.example:2055", "1.2.3.4,,5.6.7.8",
                         "1.2.3.4@", "1.2.3.4%", "1.2.3.4%averyveryverylongname",
                         "1.2.3.4:2055@1.2.3", "[zz::1]:5"};
    for (const char *s : bad) {
        const char *err = nullptr;
        INFO(s);
        CHECK(dests(s, d, &err) == -EINVAL);
        CHECK(err != nullptr);
    }
    std::string many;
    for (int i = 0; i <= IPNF_MAX_DESTS; i++) many += "10.0.0.1:" + std::to_string(1000 + i) + ",";
    const char *err = nullptr;
    CHECK(dests(many.c_str(), d, &err) == -EINVAL);
}

TEST_CASE("destination_mode") {
    int m = -1;
    const char *err = nullptr;
    CHECK(ipnf_parse_dest_mode("mirror", &m, &err) == 0);
    CHECK(m == IPNF_DEST_MIRROR);
    CHECK(ipnf_parse_dest_mode("balance\n", &m, &err) == 0);
    CHECK(m == IPNF_DEST_BALANCE);
    CHECK(ipnf_parse_dest_mode("roundrobin", &m, &err) == -EINVAL);
    CHECK(err != nullptr);
}

TEST_CASE("sampler") {
    int kind = -1;
    unsigned n = 0;
    const char *err = nullptr;
    CHECK(ipnf_parse_sampler("", &kind, &n, &err) == 0);
    CHECK(kind == IPNF_SAMPLER_OFF);
    CHECK(ipnf_parse_sampler("0", &kind, &n, &err) == 0);
    CHECK(kind == IPNF_SAMPLER_OFF);
    CHECK(ipnf_parse_sampler("deterministic:10", &kind, &n, &err) == 0);
    CHECK(kind == IPNF_SAMPLER_DETERMINISTIC);
    CHECK(n == 10);
    CHECK(ipnf_parse_sampler("random:2", &kind, &n, &err) == 0);
    CHECK(kind == IPNF_SAMPLER_RANDOM);
    CHECK(ipnf_parse_sampler("hash:16383\n", &kind, &n, &err) == 0);
    CHECK(kind == IPNF_SAMPLER_HASH);
    CHECK(n == 16383);
    for (const char *s : {"hash:1", "hash:16384", "hash:", "hash", "mod:5", "random:-3", "deterministic:10x"}) {
        INFO(s);
        CHECK(ipnf_parse_sampler(s, &kind, &n, &err) == -EINVAL);
    }
}

// The one sampler → wire mapping both encoders use (v5's header mode, v9/IPFIX
// samplingAlgorithm): hash shows as random, as the classic module's does.
TEST_CASE("sampler algorithm on the wire") {
    CHECK(ipnf_sampler_algorithm(IPNF_SAMPLER_OFF) == 0);
    CHECK(ipnf_sampler_algorithm(IPNF_SAMPLER_DETERMINISTIC) == 1);
    CHECK(ipnf_sampler_algorithm(IPNF_SAMPLER_RANDOM) == 2);
    CHECK(ipnf_sampler_algorithm(IPNF_SAMPLER_HASH) == 2);
    CHECK(ipnf_sampler_algorithm(-1) == 0);
}

// hooks= and hook_mark= (hook mode): what modprobe, sysctl and netflowctl accept.
static int hooks(const char *s, ipnf_hook_set *set, const char **err) {
    return ipnf_parse_hooks(s, set, err);
}
static unsigned slot(int fam, int hook) { return fam * IPNF_HOOK_NUM + hook; }

TEST_CASE("hooks lists") {
    ipnf_hook_set set;
    const char *err = nullptr;
    REQUIRE(hooks("", &set, &err) == 0);
    CHECK(set.present == 0);
    REQUIRE(hooks("  ", &set, &err) == 0);
    CHECK(set.present == 0);

    REQUIRE(hooks("ipv4:forward", &set, &err) == 0);
    CHECK(set.present == 1u << slot(0, IPNF_HOOK_FWD));
    CHECK(set.prio[slot(0, IPNF_HOOK_FWD)] == IPNF_HOOK_DEFAULT_PRIORITY);

    REQUIRE(hooks(" inet:prerouting:-300 , ipv6:output:+5,ipv4:postrouting:0 ", &set, &err) == 0);
    CHECK(set.present == ((1u << slot(0, IPNF_HOOK_PRE)) | (1u << slot(1, IPNF_HOOK_PRE)) |
                          (1u << slot(1, IPNF_HOOK_OUT)) | (1u << slot(0, IPNF_HOOK_POST))));
    CHECK(set.prio[slot(0, IPNF_HOOK_PRE)] == -300);
    CHECK(set.prio[slot(1, IPNF_HOOK_PRE)] == -300);
    CHECK(set.prio[slot(1, IPNF_HOOK_OUT)] == 5);
    CHECK(set.prio[slot(0, IPNF_HOOK_POST)] == 0);

    REQUIRE(hooks("ipv4:input:-2147483646,ipv6:input:2147483646", &set, &err) == 0);
    CHECK(set.prio[slot(0, IPNF_HOOK_IN)] == -2147483646);
    CHECK(set.prio[slot(1, IPNF_HOOK_IN)] == 2147483646);

    // every hook name, both families
    REQUIRE(hooks("inet:prerouting,inet:input,inet:forward,inet:output,inet:postrouting", &set, &err) == 0);
    CHECK(set.present == (1u << IPNF_HOOK_SLOTS) - 1);
    CHECK(std::string(ipnf_hook_name(IPNF_HOOK_POST)) == "postrouting");
}

TEST_CASE("hooks errors name the problem") {
    ipnf_hook_set set;
    const char *err = nullptr;
    struct Bad { const char *in, *why; } bad[] = {
        {"ipv4", "FAMILY:HOOK"},
        {"ip4:forward", "family must be"},
        {"bridge:forward", "family must be"},
        {"ipv4:ingress", "hook must be"},
        {"ipv4:Forward", "hook must be"},
        {"ipv4:forward:", "priority"},
        {"ipv4:forward:x", "priority"},
        {"ipv4:forward:1:2", "priority"},
        {"ipv4:forward:2147483647", "priority"},
        {"ipv4:forward:-2147483647", "priority"},
        {"ipv4:forward:99999999999", "priority"},
        {"ipv4:forward,,ipv4:input", "empty entry"},
        {"ipv4:forward,", "empty entry"},
        {"ipv4:forward, ", "empty entry"},
        {",ipv4:forward", "empty entry"},
        {"ipv4:forward,ipv4:forward:5", "twice"},
        {"inet:input,ipv6:input", "twice"},
    };
    for (const auto &b : bad) {
        INFO(b.in);
        err = nullptr;
        CHECK(hooks(b.in, &set, &err) == -EINVAL);
        REQUIRE(err != nullptr);
        CHECK(std::string(err).find(b.why) != std::string::npos);
    }
}

TEST_CASE("hook_mark values") {
    u32 v = 1, m = 1;
    const char *err = nullptr;
    REQUIRE(ipnf_parse_mark("", &v, &m, &err) == 0);
    CHECK((v == 0 && m == 0));
    REQUIRE(ipnf_parse_mark("0x10/0x10", &v, &m, &err) == 0);
    CHECK((v == 0x10 && m == 0x10));
    REQUIRE(ipnf_parse_mark(" 7 ", &v, &m, &err) == 0);
    CHECK((v == 7 && m == 0xffffffffu));
    REQUIRE(ipnf_parse_mark("0/0x1", &v, &m, &err) == 0);
    CHECK((v == 0 && m == 1));
    REQUIRE(ipnf_parse_mark("0xFFFFFFFF", &v, &m, &err) == 0);
    CHECK(v == 0xffffffffu);
    REQUIRE(ipnf_parse_mark("4294967295/4294967295", &v, &m, &err) == 0);
    for (const char *bad : {"x", "0x", "0x100000000", "4294967296", "1/", "/1", "0x10/0x1", "1/0", "-1", "0x1g"}) {
        INFO(bad);
        err = nullptr;
        CHECK(ipnf_parse_mark(bad, &v, &m, &err) == -EINVAL);
        CHECK(err != nullptr);
    }
}
