// Relay: wires inputs -> record pipeline -> outputs.  Inputs run on
// --threads loop threads (Workers), each with its own epoll loop and its own
// listening sockets (SO_REUSEPORT when there are several: the kernel spreads
// UDP exporters and TCP connections over them).  Outputs do not serialise the
// loop threads either: every udp/tcp/tls/ipfix --forward target and every
// --forward-shard group has one lane per loop thread (a Forwarder with its own
// connection, bounded queue and thread, which encodes and writes that loop's
// batches), and the Kafka producer is shared (rd_kafka_produce is called by
// every loop thread without a lock of ours).  Records read in one loop round
// are handed to the outputs together: jsonl gets every record (one writer,
// a lock per batch); the 1-in-N sampler (--sampling-rate, per loop thread)
// picks what goes to --forward targets and multiplies sampleRatio by N.
// Order: the records of one loop thread reach a target in the order read, on
// one connection; one exporter (UDP source address/port, one TCP connection)
// stays on one loop thread, so its records keep their order on one
// connection (one Kafka partition per destination host).  Records of
// different exporters have no order between them.  SIGTERM/SIGINT stop
// every loop; tcp/tls input connections are drained (half-closed, read until
// the peer closes, bounded time) and queued records are flushed (bounded
// time, all outputs at once) before Run() returns.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "config.h"
#include "control.h"
#include "counters.h"
#include "event_loop.h"
#include "forwarder.h"
#include "inputs.h"
#include "jsonl.h"
#include "kafka_output.h"
#include "metrics.h"
#include "netflow_bridge.h"
#include "shard_output.h"
#include "tls.h"

namespace nfr {

class Relay;

// One loop thread: its listeners, its pending records and its sampler.
class Worker : public RecordSink {
 public:
  explicit Worker(Relay *relay) : relay_(relay) {}
  ~Worker() override;
  // Opens every --listen URL on this worker's loop.
  Status Open(const Options &opts, SSL_CTX *server_ctx, bool reuseport);
  // The --forward outputs this worker's records go to (lanes of its own and
  // shared ones), set once before Run().
  void AddOutput(RecordOutput *out) { outputs_.push_back(out); }
  void Consume(const FlowRecord &r) override;
  // Runs the loop until *stop, then drains stream inputs and flushes.
  void Run(const std::atomic<bool> &stop);
  EventLoop *loop() { return &loop_; }

 private:
  void FlushPending();
  void PushForward();
  void Forward(std::vector<FlowRecord> *records);

  Relay *relay_;
  EventLoop loop_;
  std::vector<std::unique_ptr<UdpInput>> udp_inputs_;
  std::vector<std::unique_ptr<StreamListener>> stream_inputs_;
  std::vector<std::unique_ptr<NetflowInput>> netflow_inputs_;
  std::vector<RecordOutput *> outputs_;
  uint64_t sample_count_ = 0;
  uint64_t seen_ = 0, selected_ = 0;  // sampler counts not yet added to the counters
  std::vector<FlowRecord> pending_all_, pending_forward_;
};

// The process exit status for a failed Setup: 2 for bad configuration
// (Code::kInvalid, and Code::kTls: TLS contexts fail only on certificates
// and keys), 1 for anything the system refused.
int ExitCodeOf(const Status &s);

class Relay {
 public:
  explicit Relay(Options opts);
  ~Relay();

  // Loads TLS material, opens every socket and starts forwarders.  The
  // error's code tells configuration (certificates, keys, unsupported scheme)
  // from run-time trouble (address in use...): see ExitCodeOf.
  Status Setup();
  // Runs until SIGTERM or SIGINT (which the caller has blocked in all
  // threads before Setup); returns the process exit code.
  int Run();

  Counters *counters() { return &counters_; }

 private:
  friend class Worker;
  // Called by the workers, from their threads.
  void WriteJsonl(const std::vector<FlowRecord> &records);
  // One lane of a udp/tcp/tls/ipfix --forward target (or of a shard target).
  Status MakeForwarder(const Url &u, const std::string &name, size_t queue_size, std::unique_ptr<Forwarder> *out);

  Options opts_;
  Counters counters_;
  InputStats input_stats_;
  ForwarderStats forwarder_stats_;
  Counter *sampler_seen_, *sampler_selected_, *jsonl_written_;
  SslCtxPtr server_ctx_, client_ctx_;
  // Every --forward output: Kafka producers (shared by the workers) and each
  // worker's lanes of the other targets and of the shard groups.
  std::vector<std::unique_ptr<RecordOutput>> outputs_;
  std::mutex jsonl_mu_;
  std::vector<std::unique_ptr<JsonlWriter>> jsonl_;
  std::atomic<bool> stop_{false};
  std::vector<std::unique_ptr<Worker>> workers_;
  // On worker 0's loop; destroyed before it.
  std::unique_ptr<ControlServer> control_;
  std::unique_ptr<MetricsServer> metrics_;
  std::unique_ptr<EventHandler> signal_handler_;
};

}  // namespace nfr
