#include "netflow_bridge.h"

#ifdef NFR_HAVE_NETFLOW

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <vector>

#include "ipfix_encoder.h"
#include "log.h"
#include "netflow_decoder.h"
#include "socket_util.h"

namespace nfr {

namespace {

class NetflowUdpInput : public NetflowInput {
 public:
  NetflowUdpInput(const Url &url, EventLoop *loop, RecordSink *sink, Counters *c)
      : url_(url), loop_(loop), sink_(sink), total_(c->Get("total_simple_packets_processed")),
        datagrams_(c->Get("netflow_datagrams")), v5_(c->Get("netflow_v5_packets")),
        v9_(c->Get("netflow_v9_packets")), ipfix_(c->Get("netflow_ipfix_packets")),
        records_(c->Get("netflow_records")), malformed_(c->Get("netflow_malformed_packets")),
        templates_(c->Get("netflow_templates")), missing_template_(c->Get("netflow_missing_template")),
        expired_(c->Get("netflow_templates_expired")) {}
  ~NetflowUdpInput() override {
    if (fd_ >= 0) {
      loop_->Remove(fd_);
      close(fd_);
    }
  }

  Status Start() override {
    Status s = OpenListener(url_, SOCK_DGRAM, &fd_);
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
      decoder_.feed(std::span<const uint8_t>(buf.data(), static_cast<size_t>(n)),
                    ExporterAddress::from_sockaddr(reinterpret_cast<sockaddr *>(&ss)),
                    std::chrono::system_clock::now(), out_);
      for (const FlowRecord &r : out_) {
        total_->Add();
        sink_->Consume(r);
      }
    }
    Publish();
  }

  void Tick() override {
    decoder_.expire(std::chrono::system_clock::now());
    Publish();
  }

 private:
  static std::vector<uint8_t> &Buffer() {
    static thread_local std::vector<uint8_t> b(65536);
    return b;
  }
  void Publish() {
    const NetflowDecoderCounters &c = decoder_.counters();
    v5_->Set(c.packets_v5);
    v9_->Set(c.packets_v9);
    ipfix_->Set(c.packets_ipfix);
    records_->Set(c.records);
    malformed_->Set(c.malformed);
    templates_->Set(c.templates);
    missing_template_->Set(c.missing_template);
    expired_->Set(c.templates_expired);
  }

  Url url_;
  EventLoop *loop_;
  RecordSink *sink_;
  Counter *total_, *datagrams_, *v5_, *v9_, *ipfix_, *records_, *malformed_, *templates_, *missing_template_,
      *expired_;
  int fd_ = -1;
  NetflowDecoder decoder_;
  std::vector<FlowRecord> out_;
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

std::unique_ptr<BatchEncoder> MakeIpfixEncoder() { return std::make_unique<IpfixBatchEncoder>(); }

}  // namespace nfr

#else  // !NFR_HAVE_NETFLOW

namespace nfr {

bool NetflowSupported() { return false; }
std::unique_ptr<NetflowInput> MakeNetflowInput(const Url &, EventLoop *, RecordSink *, Counters *) { return nullptr; }
std::unique_ptr<BatchEncoder> MakeIpfixEncoder() { return nullptr; }

}  // namespace nfr

#endif
