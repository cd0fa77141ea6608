#include "url.h"

#include <catch2/catch.hpp>

namespace nfr {
namespace {

TEST_CASE("url: accepted forms", "[url]") {
  Url u;
  REQUIRE(ParseUrl("udp://0.0.0.0:8104", &u).ok());
  CHECK(u.scheme == Scheme::kUdp);
  CHECK(u.host == "0.0.0.0");
  CHECK(u.port == 8104);
  CHECK(u.ip_literal);
  REQUIRE(ParseUrl("tcp://[::0]:9000", &u).ok());
  CHECK(u.host == "::0");
  CHECK(u.port == 9000);
  CHECK(u.HostPort() == "[::0]:9000");
  REQUIRE(ParseUrl("tls://collector.example.net:8104", &u).ok());
  CHECK(u.scheme == Scheme::kTls);
  CHECK_FALSE(u.ip_literal);
  REQUIRE(ParseUrl("tls://localhost", &u).ok());
  CHECK(u.port == 8104);
  REQUIRE(ParseUrl("netflow://127.0.0.1", &u).ok());
  CHECK(u.port == 2055);
  REQUIRE(ParseUrl("ipfix://[::1]:4739", &u).ok());
  CHECK(u.scheme == Scheme::kIpfix);
  REQUIRE(ParseUrl("sflow://0.0.0.0", &u).ok());
  CHECK(u.scheme == Scheme::kSflow);
  CHECK(u.port == 6343);
}

TEST_CASE("url: kafka://BROKER[,BROKER...]/TOPIC?format=...&property=...", "[url]") {
  Url u;
  REQUIRE(ParseUrl("kafka://k1.example.net,10.0.0.2:9093,[::1]/flows", &u).ok());
  CHECK(u.scheme == Scheme::kKafka);
  CHECK(u.brokers == "k1.example.net:9092,10.0.0.2:9093,[::1]:9092");
  CHECK(u.host == "k1.example.net");
  CHECK(u.topic == "flows");
  CHECK_FALSE(u.json);
  CHECK(u.properties.empty());
  REQUIRE(ParseUrl("kafka://127.0.0.1:9092/fnm.flows_1?format=json&compression.codec=lz4&linger.ms=20", &u).ok());
  CHECK(u.json);
  REQUIRE(u.properties.size() == 2);
  CHECK(u.properties[0] == std::make_pair(std::string("compression.codec"), std::string("lz4")));
  CHECK(u.properties[1] == std::make_pair(std::string("linger.ms"), std::string("20")));
  auto msg = [&](const char *t) {
    Status s = ParseUrl(t, &u);
    REQUIRE_FALSE(s.ok());
    return s.message();
  };
  CHECK_THAT(msg("kafka://127.0.0.1:9092"), Catch::Contains("BROKER[,BROKER...]/TOPIC"));
  CHECK_THAT(msg("kafka:///t"), Catch::Contains("no broker"));
  CHECK_THAT(msg("kafka://a,,b/t"), Catch::Contains("empty broker"));
  CHECK_THAT(msg("kafka://a:0/t"), Catch::Contains("broker 'a:0': port 0 out of range"));
  CHECK_THAT(msg("kafka://a/"), Catch::Contains("missing topic"));
  CHECK_THAT(msg("kafka://a/t t"), Catch::Contains("not a valid Kafka topic"));
  CHECK_THAT(msg("kafka://a/t?format=xml"), Catch::Contains("format 'xml' is not capnp or json"));
  CHECK_THAT(msg("kafka://a/t?linger.ms"), Catch::Contains("expected KEY=VALUE"));
}

TEST_CASE("url: rejected forms name the problem", "[url]") {
  Url u;
  auto msg = [&](const char *t) {
    Status s = ParseUrl(t, &u);
    REQUIRE_FALSE(s.ok());
    return s.message();
  };
  CHECK_THAT(msg("http://a:1"), Catch::Contains("unknown scheme"));
  CHECK_THAT(msg("127.0.0.1:8104"), Catch::Contains("SCHEME://"));
  CHECK_THAT(msg("udp://1.2.3.4:0"), Catch::Contains("out of range"));
  CHECK_THAT(msg("udp://1.2.3.4:65536"), Catch::Contains("out of range"));
  CHECK_THAT(msg("udp://1.2.3.4:x1"), Catch::Contains("not a number"));
  CHECK_THAT(msg("udp://1.2.3.4:"), Catch::Contains("empty port"));
  CHECK_THAT(msg("udp://::1:8104"), Catch::Contains("brackets"));
  CHECK_THAT(msg("udp://[::1:8104"), Catch::Contains("']'"));
  CHECK_THAT(msg("udp://[zz]:8104"), Catch::Contains("not an IPv6"));
  CHECK_THAT(msg("udp://:8104"), Catch::Contains("missing host"));
  CHECK_THAT(msg("udp://300.1.1.1:8104"), Catch::Contains("not a valid IPv4"));
  CHECK_THAT(msg("udp://bad host:1"), Catch::Contains("not a valid host"));
  CHECK_THAT(msg("udp://a..b:1"), Catch::Contains("not a valid host"));
  // found by nfr_fuzz_url: a NUL ended the address for inet_pton()
  Status s = ParseUrl(std::string("udp://127.0.0.1\0\x14" "104", 20), &u);
  REQUIRE_FALSE(s.ok());
  CHECK(s.message() == "bad URL 'udp://127.0.0.1??104': control character in URL");
  CHECK_FALSE(ParseUrl("tcp://[::1]:8104\n", &u).ok());
}

}  // namespace
}  // namespace nfr
