#include "kafka_output.h"

#include <arpa/inet.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "codec.h"
#include "jsonl.h"

namespace nfr {
namespace {

FlowRecord Record(uint32_t i) {
  FlowRecord r;
  r.ip_version = 4;
  inet_pton(AF_INET, "10.0.0.1", &r.src_ip);
  r.dst_ip = htonl(0xc0000200 + (i % 8));  // 192.0.2.0-7
  r.src_port = static_cast<uint16_t>(1000 + i);
  r.dst_port = 80;
  r.protocol = 6;
  r.length = 100 + i;
  r.packets = 1;
  return r;
}

TEST_CASE("kafka: key is the destination address, value the capnp message or the json object", "[kafka]") {
  FlowRecord r = Record(3);
  CHECK(KafkaKey(r) == "192.0.2.3");
  for (const char *a : {"0.0.0.0", "255.255.255.255", "10.100.9.200", "1.20.199.99"}) {
    inet_pton(AF_INET, a, &r.dst_ip);
    CHECK(KafkaKey(r) == a);
  }
  r.ip_version = 6;
  inet_pton(AF_INET6, "2001:db8::7", r.dst_ipv6.data());
  CHECK(KafkaKey(r) == "2001:db8::7");
  std::string v, want;
  KafkaValue(r, false, &v);
  EncodeMessage(r, &want);
  CHECK(v == want);
  KafkaValue(r, true, &v);
  want.clear();
  AppendJson(r, &want);
  want.pop_back();
  CHECK(v == want);
  CHECK(v.front() == '{');
}

TEST_CASE("kafka: a bad librdkafka property is an error naming it", "[kafka]") {
  Counters c;
  std::unique_ptr<RecordOutput> out;
  Url u;
  REQUIRE(ParseUrl("kafka://127.0.0.1:1/t?compression.codec=zip", &u).ok());
  Status s = MakeKafkaOutput(u, 1000, &c, &out);
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(s.message(), Catch::Contains("compression.codec=zip"));
  REQUIRE(ParseUrl("kafka://127.0.0.1:1/t?no.such.thing=1", &u).ok());
  CHECK_THAT(MakeKafkaOutput(u, 1000, &c, &out).message(), Catch::Contains("no.such.thing"));
  REQUIRE(ParseUrl("kafka://127.0.0.1:1/t?bootstrap.servers=x", &u).ok());
  CHECK_THAT(MakeKafkaOutput(u, 1000, &c, &out).message(), Catch::Contains("brokers before the topic"));
}

// librdkafka's mock cluster: every record is delivered, one broker going
// down for a while loses nothing, what does not fit the queue is counted.
TEST_CASE("kafka: delivery reports against librdkafka's mock cluster", "[kafka]") {
  char err[256];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_t *host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  REQUIRE(host);
  rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(host, 3);
  REQUIRE(mc);
  REQUIRE(rd_kafka_mock_topic_create(mc, "flows", 6, 1) == RD_KAFKA_RESP_ERR_NO_ERROR);
  std::string url = std::string("kafka://") + rd_kafka_mock_cluster_bootstraps(mc) + "/flows?linger.ms=1";
  Url u;
  REQUIRE(ParseUrl(url, &u).ok());
  Counters c;
  std::vector<FlowRecord> batch;
  for (uint32_t i = 0; i < 500; ++i) batch.push_back(Record(i));
  auto wait_for = [&](const char *name, uint64_t v) {
    for (int i = 0; i < 300 && c.Value(name) < v; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return c.Value(name);
  };
  {
    std::unique_ptr<RecordOutput> out;
    REQUIRE(MakeKafkaOutput(u, 100000, &c, &out).ok());
    out->Push(batch);
    CHECK(wait_for("kafka_delivered", 500) == 500);
    rd_kafka_mock_broker_set_down(mc, 2);
    out->Push(batch);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    rd_kafka_mock_broker_set_up(mc, 2);
    CHECK(wait_for("kafka_delivered", 1000) == 1000);
    out->Stop(std::chrono::milliseconds(5000));
  }
  CHECK(c.Value("kafka_produced") == 1000);
  CHECK(c.Value("kafka_delivery_failed") == 0);
  CHECK(c.Value("kafka_queue_full") == 0);
  {
    // A queue of 100 while every broker is down: 400 counted as not fitting.
    for (int b = 1; b <= 3; ++b) rd_kafka_mock_broker_set_down(mc, b);
    std::unique_ptr<RecordOutput> out;
    REQUIRE(MakeKafkaOutput(u, 100, &c, &out).ok());
    out->Push(batch);
    CHECK(c.Value("kafka_queue_full") == 400);
    for (int b = 1; b <= 3; ++b) rd_kafka_mock_broker_set_up(mc, b);
    CHECK(wait_for("kafka_delivered", 1100) == 1100);
    out->Stop(std::chrono::milliseconds(5000));
  }
  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(host);
}

}  // namespace
}  // namespace nfr
