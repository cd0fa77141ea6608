#include "netflow_bridge.h"

#ifdef NFR_HAVE_NETFLOW

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <span>
#include <vector>

#include "ipfix_encoder.h"
#include "log.h"
#include "netflow_decoder.h"
#include "sflow_decoder.h"
#include "socket_util.h"

namespace nfr {

namespace {

// Decoders count on their own; several listeners (one per loop thread) add
// what each counted since it last published.
void AddSince(Counter *c, uint64_t now, uint64_t *last) {
  if (now > *last) c->Add(now - *last);
  *last = now;
}

// A UDP listener whose datagrams a decoder of nf_netflow turns into records.
class DecodingUdpInput : public NetflowInput {
 public:
  DecodingUdpInput(const Url &url, EventLoop *loop, RecordSink *sink, Counters *c, const char *datagrams)
      : url_(url), loop_(loop), sink_(sink), total_(c->Get("total_simple_packets_processed")),
        datagrams_(c->Get(datagrams)) {}
  ~DecodingUdpInput() override {
    if (fd_ >= 0) {
      loop_->Remove(fd_);
      close(fd_);
    }
  }

  Status Start(bool reuseport) override {
    reuseport_ = reuseport;
    Status s = OpenListener(url_, SOCK_DGRAM, &fd_, reuseport_);
    if (!s.ok()) return s;
    return loop_->Add(fd_, EPOLLIN, this);
  }

  void OnEvents(uint32_t) override {
    std::vector<uint8_t> &buf = Buffer();
    for (int i = 0; i < 128; ++i) {  // bounded per event
      sockaddr_storage ss;
      socklen_t len = sizeof ss;
      ssize_t n = recvfrom(fd_, buf.data(), buf.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr *>(&ss), &len);
      if (n < 0) break;
      datagrams_->Add();
      out_.clear();
      Decode(std::span<const uint8_t>(buf.data(), static_cast<size_t>(n)), reinterpret_cast<sockaddr *>(&ss), out_);
      for (const FlowRecord &r : out_) {
        total_->Add();
        sink_->Consume(r);
      }
    }
    Publish();
  }

  void Tick() override { Publish(); }

 protected:
  virtual void Decode(std::span<const uint8_t> datagram, const sockaddr *from, std::vector<FlowRecord> &out) = 0;
  // Copies the decoder's own counters into the relay's.
  virtual void Publish() = 0;

 private:
  static std::vector<uint8_t> &Buffer() {
    static thread_local std::vector<uint8_t> b(65536);
    return b;
  }

  Url url_;
  EventLoop *loop_;
  RecordSink *sink_;
  Counter *total_, *datagrams_;
  int fd_ = -1;
  bool reuseport_ = false;
  std::vector<FlowRecord> out_;
};

class NetflowUdpInput : public DecodingUdpInput {
 public:
  NetflowUdpInput(const Url &url, EventLoop *loop, RecordSink *sink, Counters *c)
      : DecodingUdpInput(url, loop, sink, c, "netflow_datagrams"), v5_(c->Get("netflow_v5_packets")),
        v9_(c->Get("netflow_v9_packets")), ipfix_(c->Get("netflow_ipfix_packets")),
        records_(c->Get("netflow_records")), malformed_(c->Get("netflow_malformed_packets")),
        templates_(c->Get("netflow_templates")), missing_template_(c->Get("netflow_missing_template")),
        expired_(c->Get("netflow_templates_expired")) {}

  void Tick() override {
    decoder_.expire(std::chrono::system_clock::now());
    Publish();
  }

 private:
  void Decode(std::span<const uint8_t> datagram, const sockaddr *from, std::vector<FlowRecord> &out) override {
    decoder_.feed(datagram, ExporterAddress::from_sockaddr(from), std::chrono::system_clock::now(), out);
  }
  void Publish() override {
    const NetflowDecoderCounters &c = decoder_.counters();
    const uint64_t now[] = {c.packets_v5, c.packets_v9, c.packets_ipfix, c.records,
                            c.malformed, c.templates, c.missing_template, c.templates_expired};
    Counter *to[] = {v5_, v9_, ipfix_, records_, malformed_, templates_, missing_template_, expired_};
    for (size_t i = 0; i < 8; ++i) AddSince(to[i], now[i], &last_[i]);
  }

  Counter *v5_, *v9_, *ipfix_, *records_, *malformed_, *templates_, *missing_template_, *expired_;
  uint64_t last_[8] = {};
  NetflowDecoder decoder_;
};

// sflow://: every sflow_* counter of the decoder is published under its name.
class SflowUdpInput : public DecodingUdpInput {
 public:
  SflowUdpInput(const Url &url, EventLoop *loop, RecordSink *sink, Counters *c)
      : DecodingUdpInput(url, loop, sink, c, "sflow_udp_datagrams") {
    for (const auto &[name, value] : decoder_.counters().named()) counters_.push_back(c->Get(std::string(name)));
  }

 private:
  void Decode(std::span<const uint8_t> datagram, const sockaddr *, std::vector<FlowRecord> &out) override {
    decoder_.feed(datagram, std::chrono::system_clock::now(), out);
  }
  void Publish() override {
    auto named = decoder_.counters().named();
    last_.resize(named.size());
    for (size_t i = 0; i < named.size() && i < counters_.size(); ++i) AddSince(counters_[i], named[i].second, &last_[i]);
  }

  SflowDecoder decoder_;
  std::vector<Counter *> counters_;
  std::vector<uint64_t> last_;
};

class IpfixBatchEncoder : public BatchEncoder {
 public:
  void Encode(const std::vector<FlowRecord> &batch, std::vector<std::string> *out) override {
    msgs_.clear();
    enc_.encode(std::span<const FlowRecord>(batch.data(), batch.size()), std::chrono::system_clock::now(), msgs_);
    for (auto &m : msgs_) out->emplace_back(reinterpret_cast<const char *>(m.data()), m.size());
  }
  void Reconnected() override { enc_.resend_templates(); }

 private:
  IpfixEncoder enc_;
  std::vector<std::vector<uint8_t>> msgs_;
};

}  // namespace

bool NetflowSupported() { return true; }

std::unique_ptr<NetflowInput> MakeNetflowInput(const Url &url, EventLoop *loop, RecordSink *sink, Counters *c) {
  return std::make_unique<NetflowUdpInput>(url, loop, sink, c);
}

std::unique_ptr<NetflowInput> MakeSflowInput(const Url &url, EventLoop *loop, RecordSink *sink, Counters *c) {
  return std::make_unique<SflowUdpInput>(url, loop, sink, c);
}

std::unique_ptr<BatchEncoder> MakeIpfixEncoder() { return std::make_unique<IpfixBatchEncoder>(); }

}  // namespace nfr

#else  // !NFR_HAVE_NETFLOW

namespace nfr {

bool NetflowSupported() { return false; }
std::unique_ptr<NetflowInput> MakeNetflowInput(const Url &, EventLoop *, RecordSink *, Counters *) { return nullptr; }
std::unique_ptr<NetflowInput> MakeSflowInput(const Url &, EventLoop *, RecordSink *, Counters *) { return nullptr; }
std::unique_ptr<BatchEncoder> MakeIpfixEncoder() { return nullptr; }

}  // namespace nfr

#endif
