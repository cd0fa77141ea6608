// Forwarder: one --forward target.  The loop thread Push()es records into a
// bounded queue (what does not fit is dropped and counted); the forwarder's
// own thread takes them out in batches (at most 4096 records), encodes them (BatchEncoder) and
// writes each batch with as few system calls as the transport allows.
// When the target fails, the batch in flight is counted as lost, the
// failure is logged and counted, and a new connection is tried
// reconnect_interval later; meanwhile records wait in the queue.
// Stop() sends what is queued until its deadline, then counts the rest as
// dropped and joins the thread; a target that is down gets one immediate
// reconnect attempt rather than the full interval.
// With --threads N the relay makes one Forwarder per target and loop thread
// (a "lane": its own connection, queue and thread), so nothing is shared
// between loop threads on the way out.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "counters.h"
#include "flow_record.h"
#include "transport.h"

namespace nfr {

// Turns a batch of records into what the transport sends: datagrams, or
// chunks of a frame stream.
class BatchEncoder {
 public:
  virtual ~BatchEncoder() = default;
  virtual void Encode(const std::vector<FlowRecord> &batch, std::vector<std::string> *out) = 0;
  // A new connection starts (e.g. IPFIX templates must be sent again).
  virtual void Reconnected() {}
  // Empties `out` once sent; an encoder may keep its buffers for the next
  // batch (no allocation per batch).
  virtual void Recycle(std::vector<std::string> *out) { out->clear(); }
};

std::unique_ptr<BatchEncoder> MakeFlowDatagramEncoder();  // FastNetMon Flow over UDP
std::unique_ptr<BatchEncoder> MakeFlowStreamEncoder();    // FastNetMon Flow frames

// The transport and encoder of a FastNetMon Flow target (udp://, tcp://,
// tls:// with `tls` a client context); an error for any other scheme and for
// a tls:// IP literal (the certificate is checked against a name).
Status MakeFlowTarget(const Url &url, SSL_CTX *tls, std::unique_ptr<Transport> *transport,
                      std::unique_ptr<BatchEncoder> *encoder);

// Records per batch a forwarder writes at most.
inline constexpr size_t kForwardChunk = 4096;

struct ForwarderStats {
  explicit ForwarderStats(Counters *c);
  Counter *errors, *pushed, *queue_drops, *lost, *connects, *queued, *writes;
};

// What the relay hands forwarded records to: a Forwarder (udp/tcp/tls/ipfix
// through a Transport) or a Kafka producer (kafka_output.h).
class RecordOutput {
 public:
  virtual ~RecordOutput() = default;
  virtual void Push(const std::vector<FlowRecord> &records) = 0;
  // The same, taking the records (*records is left empty).
  virtual void Push(std::vector<FlowRecord> *records) = 0;
  // Sends what is queued until flush_time has passed, counts the rest.
  virtual void Stop(std::chrono::milliseconds flush_time) = 0;
  // Starts that shutdown without waiting for it (deadline = the end of the
  // flush time), so that several outputs flush at the same time; a later
  // Stop() keeps this deadline.
  virtual void BeginStop(Clock::time_point) {}
};

class Forwarder : public RecordOutput {
 public:
  Forwarder(std::string name, std::unique_ptr<Transport> transport, std::unique_ptr<BatchEncoder> encoder,
            size_t queue_size, std::chrono::milliseconds reconnect_interval, ForwarderStats *stats);
  ~Forwarder() override;
  void Start();
  void Push(const std::vector<FlowRecord> &records) override;
  // The same, taking the records: *records is left empty, usually with the
  // capacity of a vector the forwarder has finished with (no allocation in
  // the steady state).
  void Push(std::vector<FlowRecord> *records) override;
  void Stop(std::chrono::milliseconds flush_time) override;
  void BeginStop(Clock::time_point deadline) override;
  // True from a failed connect, write or peer close until the next connect.
  bool down() const { return down_.load(std::memory_order_relaxed); }
  // Reconnect every reconnect_interval while down even with nothing queued
  // (a shard whose records go elsewhere meanwhile); call before Start().
  void ReconnectWhenIdle() { reconnect_when_idle_ = true; }
  // The last failure (connect, handshake, write, peer close) as logged, ""
  // if none yet; for callers that report errors themselves (libfnmflow).
  std::string last_error() const;

 private:
  // Why queued records leave without being sent (each has its counter).
  enum class DropReason { kShutdown, kLostInFlight };
  // What the thread's loop does next.
  enum class Step {
    kGo,      // a batch (or a reconnect) is ready to go out
    kAgain,   // wait or retry: back to the top of the loop
    kDone,    // stopping with nothing left: leave
    kGiveUp,  // stopping and out of time (or tries): drop what is left, leave
  };
  // The forwarder thread's own state (nothing else touches it).
  struct Loop {
    std::vector<FlowRecord> batch;
    std::vector<std::string> chunks;
    Clock::time_point next_try, deadline;
    bool stopping = false, was_down = false, tried_at_stop = false;
  };

  // The thread: WaitForWork -> Connected (Reconnect) -> SendBatch, until a
  // Step says leave.
  void Run();
  // Waits for records, a stop or a due reconnect; takes a batch.
  Step WaitForWork(Loop *lp);
  // kGo when the transport is up (reconnecting it when due).
  Step Connected(Loop *lp);
  Step Reconnect(Loop *lp);
  // While idle: a stream peer that closed marks the target down.
  void CheckIdlePeer(Loop *lp);
  void SendBatch(Loop *lp);
  void MarkDown(Loop *lp, Clock::time_point retry_at);
  Clock::time_point RetryAt() const;  // now + the reconnect interval (at least 100 ms)
  Counter *CounterOf(DropReason why) const;
  void Drop(size_t n, DropReason why);
  // Shutdown: every queued record and the batch in hand, counted and logged.
  void DropAll(Loop *lp);
  // Logs `what` ("forward NAME: what") and keeps it as last_error().
  void Report(const std::string &what);
  std::string RetryText() const;
  // With mu_ held: a vector to fill (recycled if one is spare), moving
  // into *batch up to kBatchRecords queued records, forgetting the queue.
  std::vector<FlowRecord> SpareLocked();
  void TakeLocked(std::vector<FlowRecord> *batch);
  void ClearLocked();

  const std::string name_;
  std::unique_ptr<Transport> transport_;
  std::unique_ptr<BatchEncoder> encoder_;
  const size_t queue_size_;
  const std::chrono::milliseconds reconnect_interval_;
  ForwarderStats *stats_;

  std::mutex mu_;
  std::condition_variable cv_;
  // Records waiting, in the chunks Push() got them; queued_ counts them
  // (front_off_ of the first chunk are already taken).  spare_ keeps emptied
  // vectors for reuse.
  std::deque<std::vector<FlowRecord>> queue_;
  size_t queued_ = 0, front_off_ = 0;
  std::vector<std::vector<FlowRecord>> spare_;
  bool stopping_ = false;
  bool reconnect_when_idle_ = false;
  std::atomic<bool> down_{false};
  Clock::time_point stop_deadline_;
  mutable std::mutex error_mu_;
  std::string last_error_;
  std::thread thread_;
};

}  // namespace nfr
