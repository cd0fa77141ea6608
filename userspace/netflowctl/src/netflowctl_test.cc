// netflowctl without a kernel: messages as the module builds them (made here
// with libnl's own attribute writers), decoded, and rendered as JSON, text
// and Prometheus metrics.
#define CATCH_CONFIG_MAIN
#include <arpa/inet.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <catch2/catch.hpp>

#include "format.h"
#include "netflow_genl.h"
#include "parse.h"
#include "prom_stats.h"

using namespace nfctl;

namespace {

struct Msg {
  nl_msg *m = nlmsg_alloc();
  Msg() { genlmsg_put(m, 0, 0, 0x20, 0, 0, NETFLOW_CMD_GET_STATS, NETFLOW_GENL_VERSION); }
  ~Msg() { nlmsg_free(m); }
  genlmsghdr *hdr() { return genlmsg_hdr(nlmsg_hdr(m)); }
  const nlattr *attrs() { return genlmsg_attrdata(hdr(), 0); }
  int len() { return genlmsg_attrlen(hdr(), 0); }
};

void PutU64(nl_msg *m, int id, uint64_t v) { REQUIRE(nla_put_u64(m, id, v) == 0); }

void BuildStats(nl_msg *m) {
  nla_put_u32(m, NETFLOW_A_API_VERSION, NETFLOW_GENL_VERSION);
  nla_put_string(m, NETFLOW_A_MOD_VERSION, "3.0");
  nlattr *n = nla_nest_start(m, NETFLOW_A_TOTALS);
  PutU64(m, NETFLOW_S_PKTS, 1000);
  PutU64(m, NETFLOW_S_BYTES, 150000);
  PutU64(m, NETFLOW_S_NEW_FLOWS, 10);
  nla_nest_end(m, n);
  n = nla_nest_start(m, NETFLOW_A_HASH);
  PutU64(m, NETFLOW_S_FLOWS_ACTIVE, 7);
  PutU64(m, NETFLOW_S_HASH_SIZE, 1024);
  nla_nest_end(m, n);
  n = nla_nest_start(m, NETFLOW_A_EXPORT);
  PutU64(m, NETFLOW_S_EXP_PDUS, 3);
  PutU64(m, 250, 9);  // an id from a newer module: kept, named stat_250
  nla_nest_end(m, n);
  n = nla_nest_start(m, NETFLOW_A_HOOKS);
  PutU64(m, NETFLOW_S_HOOKS_POINTS, 2);
  PutU64(m, NETFLOW_S_HOOKS_SEEN, 40);
  nla_nest_end(m, n);
  for (int cpu = 0; cpu < 2; ++cpu) {
    n = nla_nest_start(m, NETFLOW_A_CPU);
    PutU64(m, NETFLOW_S_CPU, static_cast<uint64_t>(cpu));
    PutU64(m, NETFLOW_S_PKTS, 400 + 200 * static_cast<uint64_t>(cpu));
    nla_nest_end(m, n);
  }
  n = nla_nest_start(m, NETFLOW_A_SOCK);
  PutU64(m, NETFLOW_S_SOCK_INDEX, 0);
  nla_put_string(m, NETFLOW_A_SOCK_NAME, "127.0.0.1:2055");
  PutU64(m, NETFLOW_S_SOCK_PKTS, 3);
  PutU64(m, NETFLOW_S_SOCK_ERR_OTHER, 1);
  nla_nest_end(m, n);
  nla_put_u32(m, 200, 1);  // an unknown top-level attribute: skipped
}

Flow V4Flow() {
  Flow f;
  f.family = 4;
  f.proto = 17;
  inet_pton(AF_INET, "10.0.0.1", f.src.data());
  inet_pton(AF_INET, "10.0.0.2", f.dst.data());
  f.sport = 1000;
  f.dport = 2055;
  f.iif = 2;
  f.packets = 5;
  f.bytes = 500;
  f.age_ms = 10;
  f.idle_ms = 1;
  return f;
}

}  // namespace

TEST_CASE("statistics message decodes into groups") {
  Msg msg;
  BuildStats(msg.m);
  Stats s;
  std::string err;
  REQUIRE(ParseStats(msg.attrs(), msg.len(), &s, &err));
  CHECK(s.api_version == NETFLOW_GENL_VERSION);
  CHECK(s.module_version == "3.0");
  CHECK(s.totals.Get(NETFLOW_S_PKTS) == 1000);
  CHECK(s.hash.Get(NETFLOW_S_FLOWS_ACTIVE) == 7);
  REQUIRE(s.cpus.size() == 2);
  CHECK(s.cpus[1].Get(NETFLOW_S_PKTS) == 600);
  REQUIRE(s.sockets.size() == 1);
  CHECK(s.sockets[0].name == "127.0.0.1:2055");
  CHECK(s.exporter.Get(250) == 9);
}

TEST_CASE("statistics JSON and text") {
  Msg msg;
  BuildStats(msg.m);
  Stats s;
  std::string err;
  REQUIRE(ParseStats(msg.attrs(), msg.len(), &s, &err));
  CHECK(StatsJson(s) ==
        "{\"api_version\":1,\"module_version\":\"3.0\","
        "\"totals\":{\"packets\":1000,\"bytes\":150000,\"new_flows\":10},"
        "\"hash\":{\"flows\":7,\"size\":1024},\"rates\":{},\"export\":{\"pdus\":3,\"stat_250\":9},"
        "\"sampler\":{},\"worker\":{},\"nat\":{},\"aggregation\":{},\"hooks\":{\"points\":2,\"metered_packets\":40},\"flowtable\":{},\"natflows\":{},"
        "\"cpu\":[{\"cpu\":0,\"packets\":400},{\"cpu\":1,\"packets\":600}],"
        "\"sockets\":[{\"name\":\"127.0.0.1:2055\",\"index\":0,\"packets\":3,\"err_other\":1}]}\n");
  std::string t = StatsText(s);
  CHECK(t.find("totals.packets 1000\n") != std::string::npos);
  CHECK(t.find("cpu1.packets 600\n") != std::string::npos);
  CHECK(t.find("sock0.name 127.0.0.1:2055\n") != std::string::npos);
}

TEST_CASE("malformed statistics are refused") {
  Msg msg;
  nla_put_u32(msg.m, NETFLOW_A_API_VERSION, 1);
  nlattr *n = nla_nest_start(msg.m, NETFLOW_A_TOTALS);
  nla_put_u32(msg.m, NETFLOW_S_PKTS, 5);  // not a u64
  nla_nest_end(msg.m, n);
  Stats s;
  std::string err;
  CHECK_FALSE(ParseStats(msg.attrs(), msg.len(), &s, &err));
  CHECK(err.find("not a u64") != std::string::npos);
  Msg none;
  CHECK_FALSE(ParseStats(none.attrs(), none.len(), &s, &err));
  CHECK(err.find("API version") != std::string::npos);
}

TEST_CASE("flow message decodes; text matches /proc's line; JSON") {
  Msg msg;
  nlattr *n = nla_nest_start(msg.m, NETFLOW_A_FLOW);
  Flow want = V4Flow();
  nla_put_u8(msg.m, NETFLOW_F_FAMILY, 4);
  nla_put_u8(msg.m, NETFLOW_F_PROTO, 17);
  nla_put_u8(msg.m, NETFLOW_F_TOS, 0);
  nla_put(msg.m, NETFLOW_F_SRC, 4, want.src.data());
  nla_put(msg.m, NETFLOW_F_DST, 4, want.dst.data());
  nla_put_u16(msg.m, NETFLOW_F_SPORT, 1000);
  nla_put_u16(msg.m, NETFLOW_F_DPORT, 2055);
  nla_put_u32(msg.m, NETFLOW_F_IIF, 2);
  nla_put_u32(msg.m, NETFLOW_F_OIF, 0);
  nla_put_u64(msg.m, NETFLOW_F_PACKETS, 5);
  nla_put_u64(msg.m, NETFLOW_F_BYTES, 500);
  nla_put_u8(msg.m, NETFLOW_F_TCP_FLAGS, 0);
  nla_put_u32(msg.m, NETFLOW_F_AGE_MS, 10);
  nla_put_u32(msg.m, NETFLOW_F_IDLE_MS, 1);
  nla_nest_end(msg.m, n);
  Flow f;
  std::string err;
  REQUIRE(ParseFlow(msg.attrs(), msg.len(), &f, &err));
  CHECK(FlowText(f) == "4 17 0 10.0.0.1 1000 10.0.0.2 2055 2 0 5 500 0x00 10 1");
  CHECK(FlowJson(f) ==
        "{\"family\":4,\"proto\":17,\"tos\":0,\"src\":\"10.0.0.1\",\"sport\":1000,\"dst\":\"10.0.0.2\","
        "\"dport\":2055,\"iif\":2,\"oif\":0,\"packets\":5,\"bytes\":500,\"tcp_flags\":0,\"age_ms\":10,"
        "\"idle_ms\":1}");
}

TEST_CASE("bad flow attributes are refused") {
  Msg msg;
  nlattr *n = nla_nest_start(msg.m, NETFLOW_A_FLOW);
  nla_put_u8(msg.m, NETFLOW_F_FAMILY, 4);
  nla_put(msg.m, NETFLOW_F_SRC, 5, "abcde");
  nla_nest_end(msg.m, n);
  Flow f;
  std::string err;
  CHECK_FALSE(ParseFlow(msg.attrs(), msg.len(), &f, &err));
  Msg fam;
  n = nla_nest_start(fam.m, NETFLOW_A_FLOW);
  nla_put_u8(fam.m, NETFLOW_F_FAMILY, 9);
  nla_nest_end(fam.m, n);
  CHECK_FALSE(ParseFlow(fam.attrs(), fam.len(), &f, &err));
  Msg wide;
  n = nla_nest_start(wide.m, NETFLOW_A_FLOW);
  nla_put_u32(wide.m, NETFLOW_F_SPORT, 1);
  nla_nest_end(wide.m, n);
  CHECK_FALSE(ParseFlow(wide.attrs(), wide.len(), &f, &err));
}

TEST_CASE("IPv6 flow text") {
  Flow f = V4Flow();
  f.family = 6;
  inet_pton(AF_INET6, "fd00::1", f.src.data());
  inet_pton(AF_INET6, "fd00::2", f.dst.data());
  CHECK(FlowText(f) == "6 17 0 fd00::1 1000 fd00::2 2055 2 0 5 500 0x00 10 1");
}

TEST_CASE("parameter requests and replies") {
  Msg req;
  std::string v = "30";
  REQUIRE(PutParam(req.m, "inactive_timeout", &v));
  nlattr *tb[NETFLOW_A_MAX + 1];
  REQUIRE(nla_parse(tb, NETFLOW_A_MAX, const_cast<nlattr *>(req.attrs()), req.len(), nullptr) == 0);
  CHECK(std::string(nla_get_string(tb[NETFLOW_A_PARAM_NAME])) == "inactive_timeout");
  CHECK(std::string(nla_get_string(tb[NETFLOW_A_PARAM_VALUE])) == "30");

  Msg rep;
  for (auto [n, val] : {std::pair{"protocol", "5"}, std::pair{"destination", "127.0.0.1:2055"}}) {
    nlattr *nest = nla_nest_start(rep.m, NETFLOW_A_PARAM);
    nla_put_string(rep.m, NETFLOW_A_PARAM_NAME, n);
    nla_put_string(rep.m, NETFLOW_A_PARAM_VALUE, val);
    nla_nest_end(rep.m, nest);
  }
  std::vector<Param> ps;
  std::string err;
  REQUIRE(ParseParams(rep.attrs(), rep.len(), &ps, &err));
  REQUIRE(ps.size() == 2);
  CHECK(ps[1].name == "destination");
  CHECK(ps[1].value == "127.0.0.1:2055");
}

TEST_CASE("flow filters") {
  Flow f = V4Flow();
  FlowFilter flt;
  CHECK(flt.Parse({"proto=udp", "dport=2055", "src=10.0.0.1"}).empty());
  CHECK(flt.Match(f));
  CHECK(flt.Parse({"host=10.0.0.2", "port=1000", "family=4", "iif=2"}).empty());
  CHECK(flt.Match(f));
  CHECK(flt.Parse({"proto=tcp"}).empty());
  CHECK_FALSE(flt.Match(f));
  CHECK(flt.Parse({"dst=fd00::2"}).empty());
  CHECK_FALSE(flt.Match(f));
  CHECK(flt.Parse({"bogus=1"}) == "unknown filter key 'bogus' in 'bogus=1'");
  CHECK(flt.Parse({"dport=70000"}) == "bad value in filter term 'dport=70000'");
  CHECK(flt.Parse({"src"}) == "filter term 'src' is not KEY=VALUE");
  CHECK(flt.Parse({"family=5"}) == "bad value in filter term 'family=5'");
}

TEST_CASE("Prometheus metrics of the statistics") {
  Msg msg;
  BuildStats(msg.m);
  Stats s;
  std::string err;
  REQUIRE(ParseStats(msg.attrs(), msg.len(), &s, &err));
  std::string t = MetricsText(&s);
  CHECK(t.find("# TYPE ipt_netflow_packets_total counter\nipt_netflow_packets_total 1000\n") != std::string::npos);
  CHECK(t.find("ipt_netflow_cpu_packets_total{cpu=\"1\"} 600\n") != std::string::npos);
  CHECK(t.find("# TYPE ipt_netflow_flows_active gauge\nipt_netflow_flows_active 7\n") != std::string::npos);
  CHECK(t.find("ipt_netflow_socket_sent_pdus_total{socket=\"0\",destination=\"127.0.0.1:2055\"} 3\n") !=
        std::string::npos);
  CHECK(t.find("ipt_netflow_socket_errors_total{socket=\"0\",destination=\"127.0.0.1:2055\",error=\"other\"} 1\n") !=
        std::string::npos);
  CHECK(t.find("# TYPE ipt_netflow_hook_points gauge\nipt_netflow_hook_points 2\n") != std::string::npos);
  CHECK(t.find("ipt_netflow_hook_packets_total{result=\"metered\"} 40\n") != std::string::npos);
  CHECK(t.find("ipt_netflow_hook_packets_total{result=\"rule_left\"} 0\n") != std::string::npos);
  CHECK(t.find("ipt_netflow_up 1\n") != std::string::npos);
  CHECK(MetricsText(nullptr) == "# HELP ipt_netflow_up 1 if the ipt_NETFLOW module answered.\n"
                                "# TYPE ipt_netflow_up gauge\nipt_netflow_up 0\n");
}

TEST_CASE("watch screen shows rates") {
  Stats a, b;
  a.totals.Set(NETFLOW_S_PKTS, 100);
  b.totals.Set(NETFLOW_S_PKTS, 300);
  b.totals.Set(NETFLOW_S_BYTES, 1000);
  std::string w = WatchScreen(a, b, 2.0);
  CHECK(w.find("total           100        4000") != std::string::npos);
}

TEST_CASE("JSON strings are escaped") {
  CHECK(JsonString("a\"b\\c\n\x01") == "\"a\\\"b\\\\c\\n\\u0001\"");
}
