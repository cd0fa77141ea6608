#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "prom.h"

using nfprom::Exposition;
using nfprom::Type;

TEST_CASE("families get one HELP and TYPE line, samples keep their order") {
  Exposition e;
  e.Add("x_packets_total", Type::kCounter, "Packets.", {{"cpu", "0"}}, uint64_t{5});
  e.Add("x_active", Type::kGauge, "Active flows.", {}, uint64_t{7});
  e.Add("x_packets_total", Type::kCounter, "Packets.", {{"cpu", "1"}}, uint64_t{18446744073709551615ull});
  CHECK(e.Text() ==
        "# HELP x_packets_total Packets.\n"
        "# TYPE x_packets_total counter\n"
        "x_packets_total{cpu=\"0\"} 5\n"
        "x_packets_total{cpu=\"1\"} 18446744073709551615\n"
        "# HELP x_active Active flows.\n"
        "# TYPE x_active gauge\n"
        "x_active 7\n");
  CHECK(e.families() == 2);
}

TEST_CASE("label values and help are escaped") {
  Exposition e;
  e.Add("m", Type::kGauge, "a\\b\nc", {{"d", "q\"x\\y\nz"}}, 1.5);
  CHECK(e.Text() == "# HELP m a\\\\b\\nc\n# TYPE m gauge\nm{d=\"q\\\"x\\\\y\\nz\"} 1.5\n");
}

TEST_CASE("bad names are refused") {
  Exposition e;
  CHECK_THROWS(e.Add("1abc", Type::kGauge, "h", {}, uint64_t{1}));
  CHECK_THROWS(e.Add("a-b", Type::kGauge, "h", {}, uint64_t{1}));
  CHECK_THROWS(e.Add("ok", Type::kGauge, "h", {{"__x", "1"}}, uint64_t{1}));
  CHECK_THROWS(e.Add("ok", Type::kGauge, "h", {{"a:b", "1"}}, uint64_t{1}));
  e.Add("ok", Type::kGauge, "h", {}, uint64_t{1});
  CHECK_THROWS(e.Add("ok", Type::kCounter, "h", {}, uint64_t{1}));
  CHECK(nfprom::SanitizeName("9fastnetmon.flow-x") == "_9fastnetmon_flow_x");
  CHECK(nfprom::ValidMetricName("a:b_c9"));
}

TEST_CASE("doubles: special values") {
  Exposition e;
  e.Add("n", Type::kGauge, "h", {}, 0.0 / 0.0);
  e.Add("n", Type::kGauge, "h", {{"a", "b"}}, 1.0 / 0.0);
  CHECK(e.Text() == "# HELP n h\n# TYPE n gauge\nn NaN\nn{a=\"b\"} +Inf\n");
}

TEST_CASE("HTTP answers") {
  auto body = [] { return std::string("m 1\n"); };
  std::string ok = nfprom::Respond("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", "/metrics", body);
  CHECK(ok.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(ok.find("Content-Type: text/plain; version=0.0.4") != std::string::npos);
  CHECK(ok.find("Content-Length: 4\r\n") != std::string::npos);
  CHECK(ok.substr(ok.size() - 8) == "\r\n\r\nm 1\n");
  std::string head = nfprom::Respond("HEAD /metrics?x=1 HTTP/1.0\r\n\r\n", "/metrics", body);
  CHECK(head.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(head.substr(head.size() - 4) == "\r\n\r\n");
  CHECK(nfprom::Respond("GET / HTTP/1.1\r\n\r\n", "/metrics", body).rfind("HTTP/1.1 404", 0) == 0);
  CHECK(nfprom::Respond("POST /metrics HTTP/1.1\r\n\r\n", "/metrics", body).rfind("HTTP/1.1 405", 0) == 0);
  CHECK(nfprom::Respond("hello\r\n\r\n", "/metrics", body).rfind("HTTP/1.1 400", 0) == 0);
  CHECK(nfprom::RequestComplete("GET / HTTP/1.1\r\n\r\n"));
  CHECK_FALSE(nfprom::RequestComplete("GET / HTTP/1.1\r\n"));
}

TEST_CASE("metrics URLs") {
  nfprom::HttpUrl u;
  CHECK(nfprom::ParseHttpUrl("http://127.0.0.1:9105/metrics", &u).empty());
  CHECK(u.host == "127.0.0.1");
  CHECK(u.port == 9105);
  CHECK(u.path == "/metrics");
  CHECK(nfprom::ParseHttpUrl("[::1]:9106", &u).empty());
  CHECK(u.host == "::1");
  CHECK(u.path == "/metrics");
  CHECK(nfprom::ParseHttpUrl("http://h:1/x/y", &u).empty());
  CHECK(u.path == "/x/y");
  CHECK_FALSE(nfprom::ParseHttpUrl("https://h:1/", &u).empty());
  CHECK_FALSE(nfprom::ParseHttpUrl("h", &u).empty());
  CHECK_FALSE(nfprom::ParseHttpUrl("h:0", &u).empty());
  CHECK_FALSE(nfprom::ParseHttpUrl("h:65536", &u).empty());
  CHECK_FALSE(nfprom::ParseHttpUrl(":80", &u).empty());
}
