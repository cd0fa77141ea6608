#include "kafka_output.h"

#include <arpa/inet.h>
#include <librdkafka/rdkafka.h>
#include <pthread.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "codec.h"
#include "jsonl.h"
#include "log.h"

namespace nfr {

namespace {

// The key into buf (room for INET6_ADDRSTRLEN), its length.  IPv4 by hand:
// inet_ntop formats through snprintf, a visible share of a record's cost.
size_t KafkaKeyTo(const FlowRecord &r, char *buf) {
  if (r.ip_version == 6) {
    inet_ntop(AF_INET6, r.dst_ipv6.data(), buf, INET6_ADDRSTRLEN);
    return strlen(buf);
  }
  const auto *b = reinterpret_cast<const uint8_t *>(&r.dst_ip);  // network order
  char *p = buf;
  for (int i = 0; i < 4; ++i) {
    unsigned v = b[i];
    if (v >= 100) *p++ = static_cast<char>('0' + v / 100);
    if (v >= 10) *p++ = static_cast<char>('0' + v / 10 % 10);
    *p++ = static_cast<char>('0' + v % 10);
    if (i < 3) *p++ = '.';
  }
  *p = 0;
  return static_cast<size_t>(p - buf);
}

}  // namespace

std::string KafkaKey(const FlowRecord &r) {
  char buf[INET6_ADDRSTRLEN];
  return std::string(buf, KafkaKeyTo(r, buf));
}

void KafkaValue(const FlowRecord &r, bool json, std::string *out) {
  out->clear();
  if (!json) {
    EncodeMessage(r, out);
    return;
  }
  AppendJson(r, out);
  if (!out->empty() && out->back() == '\n') out->pop_back();
}

namespace {

struct KafkaCounters {
  explicit KafkaCounters(Counters *c)
      : produced(c->Get("kafka_produced")),
        delivered(c->Get("kafka_delivered")),
        failed(c->Get("kafka_delivery_failed")),
        queue_full(c->Get("kafka_queue_full")),
        errors(c->Get("kafka_errors")) {}
  Counter *produced, *delivered, *failed, *queue_full, *errors;
};

class KafkaOutput : public RecordOutput {
 public:
  KafkaOutput(const Url &url, Counters *c) : name_(url.text), json_(url.json), counters_(c) {}
  ~KafkaOutput() override { Stop(std::chrono::milliseconds(0)); }

  Status Init(const Url &url, size_t queue_size) {
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    auto set = [&](const std::string &k, const std::string &v) -> Status {
      if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK)
        return Status::Invalid("--forward " + url.text + ": Kafka property " + k + "=" + v + ": " + err);
      return Status::Ok();
    };
    Status s = set("bootstrap.servers", url.brokers);
    if (s.ok()) s = set("queue.buffering.max.messages", std::to_string(queue_size));
    if (s.ok()) s = set("client.id", "netflow-relay");
    for (const auto &[k, v] : url.properties) {
      if (!s.ok()) break;
      if (k == "bootstrap.servers" || k == "metadata.broker.list")
        s = Status::Invalid("--forward " + url.text + ": give the brokers before the topic, not as " + k);
      else
        s = set(k, v);
    }
    if (!s.ok()) {
      rd_kafka_conf_destroy(conf);
      return s;
    }
    rd_kafka_conf_set_opaque(conf, this);
    rd_kafka_conf_set_dr_msg_cb(conf, &KafkaOutput::OnDelivery);
    rd_kafka_conf_set_error_cb(conf, &KafkaOutput::OnError);
    rd_kafka_conf_set_log_cb(conf, &KafkaOutput::OnLog);
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);  // owns conf on success
    if (!rk_) {
      rd_kafka_conf_destroy(conf);
      return Status::Invalid("--forward " + url.text + ": " + err);
    }
    rkt_ = rd_kafka_topic_new(rk_, url.topic.c_str(), nullptr);
    if (!rkt_) return Status::Invalid("--forward " + url.text + ": topic: " + rd_kafka_err2str(rd_kafka_last_error()));
    poller_ = std::thread([this] {
      while (!stop_.load(std::memory_order_relaxed)) rd_kafka_poll(rk_, 100);
    });
    pthread_setname_np(poller_.native_handle(), "nfr-kafka-dr");
    return Status::Ok();
  }

  // Called by every loop thread at once: rd_kafka_produce is thread-safe and
  // nothing here is shared but the counters, added once per batch.
  void Push(const std::vector<FlowRecord> &records) override {
    uint64_t produced = 0, full = 0, failed = 0;
    for (const FlowRecord &r : records) {
      switch (Produce(r)) {
        case RD_KAFKA_RESP_ERR_NO_ERROR: ++produced; break;
        case RD_KAFKA_RESP_ERR__QUEUE_FULL: ++full; break;
        default: ++failed; break;
      }
    }
    if (produced) counters_.produced->Add(produced);
    if (full) counters_.queue_full->Add(full);
    if (failed) counters_.failed->Add(failed);
  }
  void Push(std::vector<FlowRecord> *records) override {
    Push(*records);
    records->clear();
  }

  void Stop(std::chrono::milliseconds flush_time) override {
    if (!rk_) return;
    rd_kafka_flush(rk_, static_cast<int>(flush_time.count()));
    if (int left = rd_kafka_outq_len(rk_); left > 0) {
      Log("kafka " + name_ + ": " + std::to_string(left) + " message(s) undelivered at exit, counted as failed");
      rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
      rd_kafka_flush(rk_, 100);  // serves the purged messages' delivery reports
    }
    stop_ = true;
    if (poller_.joinable()) poller_.join();
    if (rkt_) rd_kafka_topic_destroy(rkt_);
    rd_kafka_destroy(rk_);
    rk_ = nullptr;
  }

 private:
  rd_kafka_resp_err_t Produce(const FlowRecord &r) {
    static thread_local std::string value;
    char key[INET6_ADDRSTRLEN];
    size_t key_len = KafkaKeyTo(r, key);
    KafkaValue(r, json_, &value);
    if (rd_kafka_produce(rkt_, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, value.data(), value.size(), key, key_len,
                         nullptr) == 0)
      return RD_KAFKA_RESP_ERR_NO_ERROR;
    return rd_kafka_last_error();  // per thread
  }

  static void OnDelivery(rd_kafka_t *, const rd_kafka_message_t *m, void *opaque) {
    auto *self = static_cast<KafkaOutput *>(opaque);
    (m->err ? self->counters_.failed : self->counters_.delivered)->Add();
  }

  // Errors are logged by librdkafka too (OnLog, which suppresses repeats).
  static void OnError(rd_kafka_t *rk, int, const char *, void *) {
    static_cast<KafkaOutput *>(rd_kafka_opaque(rk))->counters_.errors->Add();
  }

  static void OnLog(const rd_kafka_t *rk, int level, const char *facility, const char *buf) {
    if (level > 4) return;  // warnings and worse
    auto *self = static_cast<KafkaOutput *>(rd_kafka_opaque(rk));
    Log("kafka " + (self ? self->name_ : std::string()) + ": " + facility + ": " + buf);
  }

  std::string name_;
  bool json_;
  KafkaCounters counters_;
  rd_kafka_t *rk_ = nullptr;
  rd_kafka_topic_t *rkt_ = nullptr;
  std::thread poller_;
  std::atomic<bool> stop_{false};
};

}  // namespace

Status MakeKafkaOutput(const Url &url, size_t queue_size, Counters *counters, std::unique_ptr<RecordOutput> *out) {
  auto k = std::make_unique<KafkaOutput>(url, counters);
  Status s = k->Init(url, queue_size);
  if (!s.ok()) return s;
  *out = std::move(k);
  return Status::Ok();
}

}  // namespace nfr
