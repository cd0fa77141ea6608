// libfnmflow through its C ABI only (linked against libfnmflow.so): sender ->
// receiver on loopback over UDP, TCP and TLS with every field compared,
// TLS refusals with their messages, reconnection after the peer restarts
// with what was dropped counted.  Certificates: tests/make_certs.sh, made
// by the ctest fixture into $FNMFLOW_CERTS.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "fnmflow.h"
#include "fnmflow.hpp"

namespace {

std::string Certs(const char *file) {
  const char *dir = std::getenv("FNMFLOW_CERTS");
  REQUIRE(dir != nullptr);
  return std::string(dir) + "/" + file;
}

// What the receiver's callback collected.
struct Inbox {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<fnmflow_record> recs;
  size_t calls = 0;

  static void OnBatch(void *ctx, const fnmflow_record *r, size_t n) {
    auto *in = static_cast<Inbox *>(ctx);
    std::lock_guard<std::mutex> l(in->mu);
    in->recs.insert(in->recs.end(), r, r + n);
    ++in->calls;
    in->cv.notify_all();
  }
  bool WaitFor(size_t n, int ms = 10000) {
    std::unique_lock<std::mutex> l(mu);
    return cv.wait_for(l, std::chrono::milliseconds(ms), [&] { return recs.size() >= n; });
  }
  size_t size() {
    std::lock_guard<std::mutex> l(mu);
    return recs.size();
  }
};

// A record with every field set from `rng`; src_asn = i identifies it.  As
// the wire carries it: IPv6 addresses only in version-6 records, MACs only
// when present.
fnmflow_record RandomRecord(std::mt19937_64 &rng, uint32_t i) {
  fnmflow_record r;
  fnmflow_record_init(&r);
  auto u = [&](uint64_t max) { return rng() % (max + 1); };
  r.source = static_cast<uint8_t>(u(4));
  r.ip_version = i % 3 == 0 ? 6 : 4;
  r.ttl = static_cast<uint8_t>(u(255));
  r.tcp_flags = static_cast<uint8_t>(u(255));
  r.ip_fragmented = static_cast<uint8_t>(u(1));
  r.ip_dont_fragment = static_cast<uint8_t>(u(1));
  r.direction = static_cast<uint8_t>(u(3));
  r.has_src_mac = i % 2;
  r.has_dst_mac = i % 5 != 0;
  for (int k = 0; k < 6; ++k) {
    if (r.has_src_mac) r.src_mac[k] = static_cast<uint8_t>(u(255));
    if (r.has_dst_mac) r.dst_mac[k] = static_cast<uint8_t>(u(255));
  }
  r.src_port = static_cast<uint16_t>(u(65535));
  r.dst_port = static_cast<uint16_t>(u(65535));
  r.sample_ratio = static_cast<uint32_t>(u(100000));
  r.src_ip = static_cast<uint32_t>(rng());
  r.dst_ip = static_cast<uint32_t>(rng());
  if (r.ip_version == 6)
    for (int k = 0; k < 16; ++k) {
      r.src_ipv6[k] = static_cast<uint8_t>(u(255));
      r.dst_ipv6[k] = static_cast<uint8_t>(u(255));
    }
  r.src_asn = i;
  r.dst_asn = static_cast<uint32_t>(rng());
  r.input_interface = static_cast<uint32_t>(rng());
  r.output_interface = static_cast<uint32_t>(rng());
  r.protocol = static_cast<uint32_t>(u(255));
  r.agent_ip = static_cast<uint32_t>(rng());
  r.length = rng();
  r.ip_length = rng();
  r.packets = rng();
  r.ts_sec = static_cast<int64_t>(rng() >> 1);
  r.ts_usec = static_cast<int64_t>(u(999999));
  r.payload_length = static_cast<int32_t>(rng());
  r.payload_full_length = static_cast<uint32_t>(rng());
  return r;
}

std::vector<fnmflow_record> RandomRecords(size_t n, uint32_t first = 0) {
  std::mt19937_64 rng(n * 7919 + first);
  std::vector<fnmflow_record> v;
  for (size_t i = 0; i < n; ++i) v.push_back(RandomRecord(rng, first + static_cast<uint32_t>(i)));
  return v;
}

bool Same(const fnmflow_record &a, const fnmflow_record &b) { return std::memcmp(&a, &b, sizeof a) == 0; }

fnmflow_receiver *OpenReceiver(const std::string &url, Inbox *in, const char *cert = "good",
                               const char *client_ca = nullptr) {
  fnmflow_receiver_options o = FNMFLOW_RECEIVER_OPTIONS_INIT;
  char err[512] = "";
  std::string c = Certs((std::string(cert) + ".pem").c_str()), k = Certs((std::string(cert) + ".key").c_str());
  std::string ca = client_ca ? Certs(client_ca) : "";
  o.tls_cert_file = c.c_str();
  o.tls_key_file = k.c_str();
  o.tls_client_ca_file = client_ca ? ca.c_str() : nullptr;
  o.errbuf = err;
  o.errbuf_size = sizeof err;
  fnmflow_receiver *r = nullptr;
  int rc = fnmflow_receiver_open(&r, url.c_str(), &o, &Inbox::OnBatch, in);
  INFO(err);
  REQUIRE(rc == FNMFLOW_OK);
  REQUIRE(fnmflow_receiver_port(r) > 0);
  return r;
}

struct OpenResult {
  int rc;
  std::string err;
  fnmflow_sender *s;
};

OpenResult OpenSender(const std::string &url, uint32_t flags = 0, size_t queue = 0, uint32_t sampling = 0,
                      const char *client_cert = nullptr) {
  fnmflow_sender_options o = FNMFLOW_SENDER_OPTIONS_INIT;
  char err[512] = "";
  std::string ca = Certs("ca.pem");
  std::string cert = client_cert ? Certs((std::string(client_cert) + ".pem").c_str()) : "";
  std::string key = client_cert ? Certs((std::string(client_cert) + ".key").c_str()) : "";
  o.tls_ca_file = ca.c_str();
  if (client_cert) {
    o.tls_cert_file = cert.c_str();
    o.tls_key_file = key.c_str();
  }
  o.flags = flags;
  o.queue_size = queue;
  o.sampling_rate = sampling;
  o.reconnect_interval_ms = 200;
  o.errbuf = err;
  o.errbuf_size = sizeof err;
  fnmflow_sender *s = nullptr;
  int rc = fnmflow_sender_open(&s, url.c_str(), &o);
  return {rc, err, s};
}

std::string SenderUrl(const std::string &scheme, int port) {
  return scheme + "://" + (scheme == "tls" ? "localhost" : "127.0.0.1") + ":" + std::to_string(port);
}

}  // namespace

TEST_CASE("version and error names") {
  CHECK(std::string(fnmflow_version()) == FNMFLOW_VERSION_STRING);
  CHECK(std::string(fnmflow_strerror(FNMFLOW_ETLS)) == "TLS failure");
  CHECK(std::string(fnmflow_strerror(12345)) == "unknown error");
}

TEST_CASE("records sent by a C sender arrive exact at a C receiver") {
  const std::string scheme = GENERATE(as<std::string>{}, "udp", "tcp", "tls");
  INFO(scheme);
  Inbox in;
  fnmflow_receiver *rcv = OpenReceiver(scheme + "://127.0.0.1:0", &in);
  OpenResult o = OpenSender(SenderUrl(scheme, fnmflow_receiver_port(rcv)), FNMFLOW_SENDER_CONNECT_NOW);
  INFO(o.err);
  REQUIRE(o.rc == FNMFLOW_OK);
  // One record, then a batch larger than a forwarder chunk.
  std::vector<fnmflow_record> sent = RandomRecords(6001);
  REQUIRE(fnmflow_sender_send(o.s, sent.data(), 1) == FNMFLOW_OK);
  // UDP: paced batches, so the 8 MiB receive buffer never overflows.
  for (size_t i = 1; i < sent.size(); i += 1000) {
    REQUIRE(fnmflow_sender_send(o.s, sent.data() + i, std::min<size_t>(1000, sent.size() - i)) == FNMFLOW_OK);
    REQUIRE(fnmflow_sender_flush(o.s, 5000) == FNMFLOW_OK);
  }
  REQUIRE(in.WaitFor(sent.size()));
  fnmflow_counters c;
  REQUIRE(fnmflow_sender_counters(o.s, &c) == FNMFLOW_OK);
  CHECK(c.sent == sent.size());
  CHECK(c.dropped == 0);
  CHECK(c.lost_in_flight == 0);
  CHECK(c.queued == 0);
  CHECK(c.connects == 1);
  CHECK(std::string(fnmflow_sender_last_error(o.s)).empty());
  fnmflow_sender_close(o.s, 1000);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // nothing more may come
  fnmflow_receiver_stats rc;
  REQUIRE(fnmflow_receiver_counters(rcv, &rc) == FNMFLOW_OK);
  fnmflow_receiver_close(rcv);
  CHECK(rc.records == sent.size());
  CHECK(rc.malformed == 0);
  CHECK(rc.connections == (scheme == "udp" ? 0u : 1u));
  REQUIRE(in.recs.size() == sent.size());
  size_t differ = 0;
  for (size_t i = 0; i < sent.size(); ++i) differ += !Same(in.recs[i], sent[i]);  // in order, every field
  CHECK(differ == 0);
}

TEST_CASE("sampling sends 1 in N with sampleRatio multiplied") {
  Inbox in;
  fnmflow_receiver *rcv = OpenReceiver("tcp://127.0.0.1:0", &in);
  OpenResult o = OpenSender(SenderUrl("tcp", fnmflow_receiver_port(rcv)), 0, 0, 10);
  REQUIRE(o.rc == FNMFLOW_OK);
  std::vector<fnmflow_record> sent = RandomRecords(1000);
  for (auto &r : sent) r.sample_ratio = 3;
  REQUIRE(fnmflow_sender_send(o.s, sent.data(), sent.size()) == FNMFLOW_OK);
  REQUIRE(fnmflow_sender_flush(o.s, 5000) == FNMFLOW_OK);
  REQUIRE(in.WaitFor(100));
  fnmflow_counters c;
  fnmflow_sender_counters(o.s, &c);
  fnmflow_sender_close(o.s, 1000);
  fnmflow_receiver_close(rcv);
  CHECK(c.sampler_seen == 1000);
  CHECK(c.sampler_selected == 100);
  REQUIRE(in.recs.size() == 100);
  for (size_t i = 0; i < 100; ++i) {
    CHECK(in.recs[i].src_asn == 10 * i + 9);  // the 10th, 20th, ...
    CHECK(in.recs[i].sample_ratio == 30);
  }
}

TEST_CASE("a TLS sender refuses a self-signed certificate and a wrong hostname and an IP literal") {
  Inbox in;
  SECTION("self-signed, at open") {
    fnmflow_receiver *rcv = OpenReceiver("tls://127.0.0.1:0", &in, "self");
    OpenResult o = OpenSender(SenderUrl("tls", fnmflow_receiver_port(rcv)), FNMFLOW_SENDER_CONNECT_NOW);
    fnmflow_receiver_close(rcv);
    CHECK(o.rc == FNMFLOW_ETLS);
    CHECK(o.s == nullptr);
    CHECK_THAT(o.err, Catch::Contains("certificate verify failed: self-signed certificate"));
  }
  SECTION("wrong hostname, at open") {
    fnmflow_receiver *rcv = OpenReceiver("tls://127.0.0.1:0", &in, "other");
    OpenResult o = OpenSender(SenderUrl("tls", fnmflow_receiver_port(rcv)), FNMFLOW_SENDER_CONNECT_NOW);
    fnmflow_receiver_close(rcv);
    CHECK(o.rc == FNMFLOW_ETLS);
    CHECK_THAT(o.err, Catch::Contains("certificate verify failed: hostname mismatch"));
  }
  SECTION("self-signed, found by the sending thread: nothing sent, the reason kept") {
    fnmflow_receiver *rcv = OpenReceiver("tls://127.0.0.1:0", &in, "self");
    OpenResult o = OpenSender(SenderUrl("tls", fnmflow_receiver_port(rcv)));
    REQUIRE(o.rc == FNMFLOW_OK);
    std::vector<fnmflow_record> recs = RandomRecords(10);
    REQUIRE(fnmflow_sender_send(o.s, recs.data(), recs.size()) == FNMFLOW_OK);
    CHECK(fnmflow_sender_flush(o.s, 500) == FNMFLOW_ETIMEDOUT);
    fnmflow_counters c;
    fnmflow_sender_counters(o.s, &c);
    CHECK(c.sent == 0);
    CHECK(c.errors >= 1);
    CHECK(c.queued == 10);
    CHECK_THAT(std::string(fnmflow_sender_last_error(o.s)), Catch::Contains("self-signed certificate"));
    fnmflow_sender_close(o.s, 0);
    fnmflow_receiver_stats rc;
    fnmflow_receiver_counters(rcv, &rc);
    fnmflow_receiver_close(rcv);
    CHECK(rc.records == 0);
    CHECK(in.size() == 0);
  }
  SECTION("IP literal") {
    OpenResult o = OpenSender("tls://127.0.0.1:8104");
    CHECK(o.rc == FNMFLOW_EINVAL);
    CHECK_THAT(o.err, Catch::Contains("must be a hostname"));
  }
}

TEST_CASE("mutual TLS: a receiver that asks for a client certificate takes only one its CA signed") {
  Inbox in;
  fnmflow_receiver *rcv = OpenReceiver("tls://127.0.0.1:0", &in, "good", "ca.pem");
  const std::string url = SenderUrl("tls", fnmflow_receiver_port(rcv));
  std::vector<fnmflow_record> sent = RandomRecords(500);
  SECTION("signed by the CA: records exact") {
    OpenResult o = OpenSender(url, FNMFLOW_SENDER_CONNECT_NOW, 0, 0, "client");
    INFO(o.err);
    REQUIRE(o.rc == FNMFLOW_OK);
    REQUIRE(fnmflow_sender_send(o.s, sent.data(), sent.size()) == FNMFLOW_OK);
    REQUIRE(fnmflow_sender_flush(o.s, 5000) == FNMFLOW_OK);
    REQUIRE(in.WaitFor(sent.size()));
    fnmflow_sender_close(o.s, 1000);
    fnmflow_receiver_stats rc;
    fnmflow_receiver_counters(rcv, &rc);
    fnmflow_receiver_close(rcv);
    CHECK(rc.tls_handshake_failures == 0);
    REQUIRE(in.recs.size() == sent.size());
    size_t differ = 0;
    for (size_t i = 0; i < sent.size(); ++i) differ += !Same(in.recs[i], sent[i]);
    CHECK(differ == 0);
  }
}

// In TLS 1.3 the client's handshake ends before the server has checked its
// certificate: the refusal reaches the sender on its first write or read.
TEST_CASE("mutual TLS: a sender without a certificate the CA signed gets nothing accepted, counted") {
  const std::string who = GENERATE(as<std::string>{}, "none", "rogue");
  INFO(who);
  Inbox in;
  fnmflow_receiver *rcv = OpenReceiver("tls://127.0.0.1:0", &in, "good", "ca.pem");
  const std::string url = SenderUrl("tls", fnmflow_receiver_port(rcv));
  std::vector<fnmflow_record> sent = RandomRecords(500);
  {
    OpenResult o = OpenSender(url, 0, 0, 0, who == "none" ? nullptr : who.c_str());
    REQUIRE(o.rc == FNMFLOW_OK);
    REQUIRE(fnmflow_sender_send(o.s, sent.data(), sent.size()) == FNMFLOW_OK);
    fnmflow_sender_flush(o.s, 1500);
    fnmflow_receiver_stats rc;
    for (int i = 0; i < 100; ++i) {  // the server counts the failed handshake
      fnmflow_receiver_counters(rcv, &rc);
      if (rc.tls_handshake_failures >= 1) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    fnmflow_counters c;
    fnmflow_sender_counters(o.s, &c);
    const std::string why = fnmflow_sender_last_error(o.s);
    fnmflow_sender_close(o.s, 0);
    fnmflow_receiver_close(rcv);
    CHECK(rc.tls_handshake_failures >= 1);
    CHECK(rc.records == 0);
    CHECK(in.size() == 0);
    CHECK(c.errors >= 1);
    CHECK(c.sent == 0);  // the refusal was awaited: nothing written into the refused connection
    CHECK(c.connects == 0);
    CHECK(c.queued == sent.size());
    CHECK_THAT(why, Catch::Contains("client certificate refused"));
  }
}

TEST_CASE("a TLS client certificate needs its key, and tls:// for its options") {
  fnmflow_sender_options o = FNMFLOW_SENDER_OPTIONS_INIT;
  char err[512] = "";
  std::string cert = Certs("client.pem"), good = Certs("good.pem"), key = Certs("client.key");
  o.errbuf = err;
  o.errbuf_size = sizeof err;
  o.tls_cert_file = cert.c_str();
  fnmflow_sender *s = nullptr;
  CHECK(fnmflow_sender_open(&s, "tls://localhost:8104", &o) == FNMFLOW_ETLS);
  CHECK_THAT(std::string(err), Catch::Contains("needs both its certificate and its key"));
  o.tls_cert_file = good.c_str();
  o.tls_key_file = key.c_str();
  CHECK(fnmflow_sender_open(&s, "tls://localhost:8104", &o) == FNMFLOW_ETLS);
  CHECK_THAT(std::string(err), Catch::Contains("does not match certificate"));
  CHECK(fnmflow_sender_open(&s, "tcp://127.0.0.1:8104", &o) == FNMFLOW_EINVAL);
  CHECK_THAT(std::string(err), Catch::Contains("for tls:// only"));
  CHECK(s == nullptr);
  fnmflow_receiver_options ro = FNMFLOW_RECEIVER_OPTIONS_INIT;
  std::string ca = Certs("ca.pem");
  ro.tls_client_ca_file = ca.c_str();
  ro.errbuf = err;
  ro.errbuf_size = sizeof err;
  fnmflow_receiver *r = nullptr;
  CHECK(fnmflow_receiver_open(&r, "tcp://127.0.0.1:0", &ro, &Inbox::OnBatch, nullptr) == FNMFLOW_EINVAL);
  CHECK_THAT(std::string(err), Catch::Contains("tls_client_ca_file is for tls:// only"));
  CHECK(r == nullptr);
}

TEST_CASE("bad arguments are return codes with a message") {
  OpenResult o = OpenSender("kafka://k/t");
  CHECK(o.rc == FNMFLOW_EINVAL);
  CHECK_THAT(o.err, Catch::Contains("not a FastNetMon Flow target"));
  o = OpenSender("tcp://127.0.0.1:99999");
  CHECK(o.rc == FNMFLOW_EINVAL);
  CHECK_THAT(o.err, Catch::Contains("out of range"));
  fnmflow_sender *s = nullptr;
  CHECK(fnmflow_sender_open(&s, nullptr, nullptr) == FNMFLOW_EINVAL);
  fnmflow_sender_options zero{};  // size not set
  CHECK(fnmflow_sender_open(&s, "tcp://127.0.0.1:1", &zero) == FNMFLOW_EINVAL);
  CHECK(fnmflow_sender_send(nullptr, nullptr, 0) == FNMFLOW_EINVAL);
  o = OpenSender("tcp://127.0.0.1:1", FNMFLOW_SENDER_CONNECT_NOW);
  CHECK(o.rc == FNMFLOW_ECONNECT);
  CHECK_THAT(o.err, Catch::Contains("refused"));
  Inbox in;
  fnmflow_receiver *r = nullptr;
  fnmflow_receiver_options ro = FNMFLOW_RECEIVER_OPTIONS_INIT;
  char err[256] = "";
  ro.errbuf = err;
  ro.errbuf_size = sizeof err;
  CHECK(fnmflow_receiver_open(&r, "tls://127.0.0.1:0", &ro, &Inbox::OnBatch, &in) == FNMFLOW_EINVAL);
  CHECK_THAT(std::string(err), Catch::Contains("tls_cert_file"));
  fnmflow_receiver *first = OpenReceiver("tcp://127.0.0.1:0", &in);
  std::string taken = "tcp://127.0.0.1:" + std::to_string(fnmflow_receiver_port(first));
  CHECK(fnmflow_receiver_open(&r, taken.c_str(), &ro, &Inbox::OnBatch, &in) == FNMFLOW_EIO);
  CHECK_THAT(std::string(err), Catch::Contains("cannot bind"));
  CHECK(r == nullptr);
  fnmflow_receiver_close(first);
  fnmflow_sender_close(nullptr, 0);
  fnmflow_receiver_close(nullptr);
}

TEST_CASE("a sender whose peer restarts reconnects and counts what it dropped") {
  const std::string scheme = GENERATE(as<std::string>{}, "tcp", "tls");
  INFO(scheme);
  Inbox in;
  fnmflow_receiver *rcv = OpenReceiver(scheme + "://127.0.0.1:0", &in);
  int port = fnmflow_receiver_port(rcv);
  OpenResult o = OpenSender(SenderUrl(scheme, port), 0, /*queue=*/100);
  REQUIRE(o.rc == FNMFLOW_OK);
  std::vector<fnmflow_record> all = RandomRecords(2000);
  // 1000 in chunks the queue takes (100 each), all received.
  for (size_t i = 0; i < 1000; i += 100) {
    REQUIRE(fnmflow_sender_send(o.s, all.data() + i, 100) == FNMFLOW_OK);
    REQUIRE(fnmflow_sender_flush(o.s, 5000) == FNMFLOW_OK);
  }
  REQUIRE(in.WaitFor(1000));
  // The peer goes away; the idle sender notices.
  fnmflow_receiver_close(rcv);
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::string(fnmflow_sender_last_error(o.s)).find("peer closed") == std::string::npos &&
         std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE_THAT(std::string(fnmflow_sender_last_error(o.s)), Catch::Contains("peer closed"));
  // 1000 more while it is down: 100 fit the queue, 900 are dropped.
  CHECK(fnmflow_sender_send(o.s, all.data() + 1000, 1000) == FNMFLOW_EFULL);
  CHECK(fnmflow_sender_flush(o.s, 300) == FNMFLOW_ETIMEDOUT);
  fnmflow_counters c;
  fnmflow_sender_counters(o.s, &c);
  CHECK(c.dropped == 900);
  CHECK(c.queued == 100);
  CHECK(c.errors >= 1);  // connection refused at least once
  CHECK_THAT(std::string(fnmflow_sender_last_error(o.s)), Catch::Contains("refused"));
  // The peer is back on the same port: the queued 100 arrive.
  rcv = OpenReceiver(scheme + "://127.0.0.1:" + std::to_string(port), &in);
  REQUIRE(fnmflow_sender_flush(o.s, 5000) == FNMFLOW_OK);
  REQUIRE(in.WaitFor(1100));
  fnmflow_sender_counters(o.s, &c);
  fnmflow_sender_close(o.s, 1000);
  fnmflow_receiver_close(rcv);
  CHECK(c.sent == 1100);
  CHECK(c.dropped == 900);
  CHECK(c.lost_in_flight == 0);
  CHECK(c.connects == 2);
  CHECK(c.sent + c.dropped + c.lost_in_flight == all.size());
  REQUIRE(in.recs.size() == 1100);
  size_t differ = 0;
  for (size_t i = 0; i < 1100; ++i) differ += !Same(in.recs[i], all[i]);  // the first 100 of the second 1000
  CHECK(differ == 0);
}

TEST_CASE("the C++ API wraps the same calls") {
  std::vector<fnmflow::Record> got;
  std::mutex mu;
  fnmflow::Receiver rcv;
  REQUIRE(rcv.Open("tcp://127.0.0.1:0", [&](const fnmflow::Record *r, size_t n) {
                std::lock_guard<std::mutex> l(mu);
                got.insert(got.end(), r, r + n);
              }).ok());
  fnmflow::Sender snd;
  fnmflow::Result res = snd.Open("tcp://127.0.0.1:" + std::to_string(rcv.Port()));
  REQUIRE(res.ok());
  fnmflow::Record r = fnmflow::MakeRecord();
  r.src_port = 443;
  REQUIRE(snd.Send(r).ok());
  REQUIRE(snd.Flush(5000).ok());
  CHECK(snd.Counters().sent == 1);
  snd.Close(1000);
  for (int i = 0; i < 500 && rcv.Counters().records < 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  rcv.Close();
  REQUIRE(got.size() == 1);
  CHECK(got[0].src_port == 443);
  fnmflow::Sender bad;
  res = bad.Open("tls://127.0.0.1:1");
  CHECK(res.code == FNMFLOW_EINVAL);
  CHECK_THAT(res.message, Catch::Contains("must be a hostname"));
}
