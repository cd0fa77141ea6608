// --forward-shard URL,URL,...: each record goes to one of N FastNetMon Flow
// targets, chosen by consistent hashing of its destination address cut to a
// prefix (shard_ring.h), so one host (one protected network) is always on one
// instance.  Each target is a Forwarder with its own bounded queue.  When an
// instance is down its share is either queued there (bounded, drops counted
// in flow_forwarder_queue_drops; the default) or, with rehash, sent to the
// next live instance on the ring until it is back (forward_shard_rehashed).
// Not thread-safe: the relay makes one ShardedOutput (with its own targets,
// i.e. connections) per loop thread; the counters are shared and atomic.
#pragma once

#include <memory>
#include <vector>

#include "counters.h"
#include "forwarder.h"
#include "shard_ring.h"

namespace nfr {

class ShardedOutput : public RecordOutput {
 public:
  // `targets` are started; rehash chooses what happens to a down one's share.
  ShardedOutput(std::vector<std::unique_ptr<Forwarder>> targets, ShardKey key, bool rehash, Counters *counters);
  void Push(const std::vector<FlowRecord> &records) override;
  void Push(std::vector<FlowRecord> *records) override;
  void Stop(std::chrono::milliseconds flush_time) override;
  void BeginStop(Clock::time_point deadline) override;

 private:
  std::vector<std::unique_ptr<Forwarder>> targets_;
  HashRing ring_;
  ShardKey key_;
  bool rehash_;
  std::vector<Counter *> per_target_;
  Counter *rehashed_;
  std::vector<std::vector<FlowRecord>> split_;  // per target, reused
};

}  // namespace nfr
