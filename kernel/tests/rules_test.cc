// Aggregation and SNMP-index rules: parsing (what sysctl accepts and reads back) and
// their effect on flow keys and interface indexes.
#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include "pkt.h"

extern "C" {
#include "rules.h"
}

using namespace pkt;

static std::string canon(const ipnf_aggr &a) {
    char buf[1024];
    ipnf_format_aggr(&a, buf, sizeof(buf));
    return buf;
}

TEST_CASE("aggregation rules: parse, read back canonical") {
    ipnf_aggr a;
    const char *err = nullptr;
    CHECK(ipnf_parse_aggr("", &a, &err) == 0);
    CHECK(canon(a).empty());
    CHECK(ipnf_parse_aggr(" 192.0.0.0/8=16, 10.1.2.3/16=24,80-89=80 ,3128=80", &a, &err) == 4);
    CHECK(a.nnet == 2);
    CHECK(a.nport == 2);
    CHECK(canon(a) == "192.0.0.0/8=16,10.1.0.0/16=24,80-89=80,3128=80");  // host bits dropped
    for (const char *bad : {"192.0.0.0/33=16", "192.0.0.0/8", "300.0.0.0/8=16", "89-80=80",
                            "80-90=70000", "x=1", "1.2.3.4/8=", "=5", "fd00::/8=16"}) {
        CAPTURE(bad);
        err = nullptr;
        CHECK(ipnf_parse_aggr(bad, &a, &err) == -EINVAL);
        CHECK(err != nullptr);
    }
    std::string many;
    for (int i = 0; i <= IPNF_AGGR_MAX; i++)
        many += std::to_string(i) + "=1,";
    CHECK(ipnf_parse_aggr(many.c_str(), &a, &err) == -EINVAL);
}

TEST_CASE("aggregation: first matching netmask and port rule, both directions") {
    ipnf_aggr a;
    const char *err;
    REQUIRE(ipnf_parse_aggr("10.0.0.0/8=16,10.0.0.0/24=32,5000-5009=5000,40000-49999=1", &a, &err) == 4);
    auto p = parse(ipv4(17, ports(40123, 5007, 8)));
    REQUIRE(p.rc == IPNF_PARSE_OK);
    CHECK(ipnf_aggr_apply(&a, &p.key));
    CHECK(ntohl(p.key.a.v4.src) == 0x0a000000);  // 10.0.0.1 -> /16 (first rule wins)
    CHECK(ntohl(p.key.a.v4.dst) == 0x0a000000);
    CHECK(p.key.sport == 1);
    CHECK(p.key.dport == 5000);
    CHECK_FALSE(ipnf_aggr_apply(&a, &p.key));  // idempotent
    // not matching: untouched
    auto q = parse(ipv4(17, ports(1000, 6000, 8)));
    ipnf_flow_key before = q.key;
    q.key.a.v4.src = htonl(0xc0a80001);
    q.key.a.v4.dst = htonl(0xc0a80002);
    before.a.v4.src = q.key.a.v4.src;
    before.a.v4.dst = q.key.a.v4.dst;
    CHECK_FALSE(ipnf_aggr_apply(&a, &q.key));
    CHECK(std::memcmp(&q.key, &before, sizeof(before)) == 0);
    // ICMP has no ports to aggregate (type/code live in dport)
    Bytes icmp(8, 0);
    icmp[0] = 8;
    auto i = parse(ipv4(1, icmp));
    ipnf_aggr only_ports;
    REQUIRE(ipnf_parse_aggr("0-65535=7", &only_ports, &err) == 1);
    CHECK_FALSE(ipnf_aggr_apply(&only_ports, &i.key));
    CHECK(i.key.dport == 8 << 8);
    // IPv6: ports yes, addresses no (netmask rules are IPv4)
    auto v6 = parse(ipv6(17, ports(5001, 53, 8)), true);
    CHECK(ipnf_aggr_apply(&a, &v6.key));
    CHECK(v6.key.sport == 5000);
    CHECK(v6.key.a.v6.src[15] == 1);
}

TEST_CASE("SNMP-index rules") {
    ipnf_snmp_rules r;
    const char *err = nullptr;
    REQUIRE(ipnf_parse_snmp_rules("ppp:200, eth:100,veth:1000", &r, &err) == 3);
    char buf[256];
    ipnf_format_snmp_rules(&r, buf, sizeof(buf));
    CHECK(std::string(buf) == "ppp:200,eth:100,veth:1000");
    CHECK(ipnf_snmp_index(&r, "ppp11") == 211);
    CHECK(ipnf_snmp_index(&r, "eth0") == 100);
    CHECK(ipnf_snmp_index(&r, "veth3") == 1003);
    CHECK(ipnf_snmp_index(&r, "ppp") == -1);      // no number
    CHECK(ipnf_snmp_index(&r, "eth0.100") == -1); // not only a number
    CHECK(ipnf_snmp_index(&r, "wlan0") == -1);
    for (const char *bad : {"ppp", "ppp:", ":200", "ppp:x", "averyveryverylongname:1", "a:1,b"}) {
        CAPTURE(bad);
        CHECK(ipnf_parse_snmp_rules(bad, &r, &err) == -EINVAL);
    }
    CHECK(ipnf_parse_snmp_rules("", &r, &err) == 0);
}
