#include "jsonl.h"

#include <catch2/catch.hpp>

#include "counters.h"

namespace nfr {
namespace {

TEST_CASE("jsonl: IPv4 record renders every key", "[jsonl]") {
  FlowRecord r;
  r.source = RecordSource::Mirror;
  r.src_ip = 0x0100000a;  // 10.0.0.1 in network order on little-endian
  r.dst_ip = 0xfeffffc0;
  r.has_dst_mac = true;
  r.dst_mac = {0xaa, 0xbb, 0xcc, 0x0d, 0xee, 0xff};
  r.src_port = 53;
  r.ts_sec = -1;
  r.ip_fragmented = true;
  r.agent_ip = 0x0101a8c0;
  std::string s;
  AppendJson(r, &s);
  CHECK(s ==
        "{\"source\":1,\"sampleRatio\":1,\"srcIp\":\"10.0.0.1\",\"dstIp\":\"192.255.255.254\","
        "\"srcIpv6\":null,\"dstIpv6\":null,\"srcMac\":null,\"dstMac\":\"aa:bb:cc:0d:ee:ff\",\"srcAsn\":0,"
        "\"dstAsn\":0,\"inputInterface\":0,\"outputInterface\":0,\"ipProtocolVersion\":4,\"ttl\":0,"
        "\"sourcePort\":53,\"destinationPort\":0,\"protocol\":0,\"length\":0,\"ipLength\":0,"
        "\"numberOfPackets\":0,\"flags\":0,\"ipFragmented\":true,\"ipDontFragment\":false,\"tsSec\":-1,"
        "\"tsMsec\":0,\"packetPayloadLength\":0,\"packetPayloadFullLength\":0,\"packetDirection\":0,"
        "\"agentIpAddress\":\"192.168.1.1\"}\n");
}

TEST_CASE("jsonl: IPv6 addresses as text", "[jsonl]") {
  FlowRecord r;
  r.ip_version = 6;
  r.src_ipv6 = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  r.dst_ipv6[15] = 1;
  std::string s;
  AppendJson(r, &s);
  CHECK_THAT(s, Catch::Contains("\"srcIpv6\":\"2001:db8::1\",\"dstIpv6\":\"::1\""));
}

TEST_CASE("counters: registry keeps order and values", "[counters]") {
  Counters c;
  c.Get("b")->Add(3);
  c.Get("a")->Add();
  c.Get("b")->Add();
  CHECK(c.Value("b") == 4);
  CHECK(c.Value("missing") == 0);
  CHECK(c.Format() == "b 4\na 1\n");
}

}  // namespace
}  // namespace nfr
