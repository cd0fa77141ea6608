#include "metrics.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http_server.h"

namespace nfr {

namespace {

bool IsGauge(const std::string &name) {
  return name == "fastnetmon_flow_connections_active" || name == "flow_forwarder_queued_messages";
}

}  // namespace

std::string RelayMetricsText(const Counters &counters) {
  nfprom::Exposition e;
  e.Add("netflow_relay_up", nfprom::Type::kGauge, "1 while netflow-relay runs.", {}, uint64_t{1});
  for (const auto &[name, value] : counters.Snapshot()) {
    std::string m = "netflow_relay_" + nfprom::SanitizeName(name);
    bool gauge = IsGauge(name);
    if (!gauge && (m.size() < 6 || m.compare(m.size() - 6, 6, "_total") != 0)) m += "_total";
    e.Add(m, gauge ? nfprom::Type::kGauge : nfprom::Type::kCounter,
          "netflow-relay counter " + name + " (netflow-relay counters; docs/FASTNETMON_FLOW.md).", {}, value);
  }
  return e.Text();
}

MetricsServer::MetricsServer(std::string url, EventLoop *loop, Counters *counters)
    : text_(std::move(url)), loop_(loop), counters_(counters) {}

MetricsServer::~MetricsServer() {
  if (fd_ >= 0) {
    loop_->Remove(fd_);
    close(fd_);
  }
}

Status MetricsServer::Start() {
  std::string err = nfprom::ParseHttpUrl(text_, &url_);
  if (!err.empty()) return Status::Invalid("--metrics " + text_ + ": " + err);
  fd_ = nfprom::ListenTcp(url_, &err);
  if (fd_ < 0) return Status::Io("--metrics: " + err);
  fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) | O_NONBLOCK);
  return loop_->Add(fd_, EPOLLIN, this);
}

void MetricsServer::OnEvents(uint32_t) {
  for (int i = 0; i < 16; ++i) {
    int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) return;
    nfprom::ServeConnection(c, url_.path, [this] { return RelayMetricsText(*counters_); });
  }
}

}  // namespace nfr
