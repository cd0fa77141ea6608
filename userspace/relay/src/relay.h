// Relay: wires inputs -> record pipeline -> outputs on one event-loop thread
// (forwarders have a thread each).  Records read in one loop round are
// handed to the outputs together: jsonl gets every record; the 1-in-N
// sampler (--sampling-rate) picks what goes to --forward targets and
// multiplies sampleRatio by N.  SIGTERM/SIGINT stop the loop; tcp/tls input
// connections are drained (half-closed, read until the peer closes, bounded
// time) and queued records are flushed (bounded time) before Run() returns.
#pragma once

#include <memory>
#include <vector>

#include "config.h"
#include "control.h"
#include "metrics.h"
#include "counters.h"
#include "event_loop.h"
#include "forwarder.h"
#include "inputs.h"
#include "jsonl.h"
#include "kafka_output.h"
#include "shard_output.h"
#include "netflow_bridge.h"
#include "tls.h"

namespace nfr {

class Relay : public RecordSink {
 public:
  explicit Relay(Options opts);
  ~Relay() override;

  // Loads TLS material, opens every socket and starts forwarders.  On error
  // *exit_code is 2 for bad configuration (certificates, keys, unsupported
  // scheme) and 1 for run-time trouble (address in use...).
  Status Setup(int *exit_code);
  // Runs until SIGTERM or SIGINT (which the caller has blocked in all
  // threads before Setup); returns the process exit code.
  int Run();

  void Consume(const FlowRecord &r) override;
  Counters *counters() { return &counters_; }

 private:
  void FlushPending();
  void PushForward();

  Options opts_;
  Counters counters_;
  EventLoop loop_;
  InputStats input_stats_;
  ForwarderStats forwarder_stats_;
  Counter *sampler_seen_, *sampler_selected_, *jsonl_written_;
  SslCtxPtr server_ctx_, client_ctx_;
  std::vector<std::unique_ptr<UdpInput>> udp_inputs_;
  std::vector<std::unique_ptr<StreamListener>> stream_inputs_;
  std::vector<std::unique_ptr<NetflowInput>> netflow_inputs_;
  std::vector<std::unique_ptr<RecordOutput>> forwarders_;  // --forward targets, kafka:// included
  std::vector<std::unique_ptr<JsonlWriter>> jsonl_;
  std::unique_ptr<ControlServer> control_;
  std::unique_ptr<MetricsServer> metrics_;
  std::unique_ptr<EventHandler> signal_handler_;
  bool stop_ = false;
  uint64_t sample_count_ = 0;
  uint64_t seen_ = 0, selected_ = 0;  // sampler counts not yet added to the counters
  std::vector<FlowRecord> pending_all_, pending_forward_;
};

}  // namespace nfr
