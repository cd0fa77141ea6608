// --metrics http://HOST:PORT/PATH: the relay's counters in the Prometheus
// text format (netflow_relay_*), served from the event loop.  Each scrape is
// answered at once (blocking, 1 s timeouts) and the connection closed.
#pragma once

#include <string>

#include "counters.h"
#include "event_loop.h"
#include "prom.h"
#include "status.h"

namespace nfr {

// The exposition for a counters snapshot: gauges for the few level values
// (active connections, queued messages), counters ending in _total otherwise.
std::string RelayMetricsText(const Counters &counters);

class MetricsServer : public EventHandler {
 public:
  MetricsServer(std::string url, EventLoop *loop, Counters *counters);
  ~MetricsServer() override;
  Status Start();
  void OnEvents(uint32_t events) override;

 private:
  std::string text_;
  nfprom::HttpUrl url_;
  EventLoop *loop_;
  Counters *counters_;
  int fd_ = -1;
};

}  // namespace nfr
