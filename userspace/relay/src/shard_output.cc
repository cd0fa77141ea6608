#include "shard_output.h"

#include <string>

namespace nfr {

ShardedOutput::ShardedOutput(std::vector<std::unique_ptr<Forwarder>> targets, ShardKey key, bool rehash,
                             Counters *counters)
    : targets_(std::move(targets)),
      ring_(targets_.size()),
      key_(key),
      rehash_(rehash),
      rehashed_(counters->Get("forward_shard_rehashed")),
      split_(targets_.size()) {
  for (size_t i = 0; i < targets_.size(); ++i)
    per_target_.push_back(counters->Get("forward_shard_" + std::to_string(i) + "_records"));
}

void ShardedOutput::Push(const std::vector<FlowRecord> &records) {
  uint64_t alive = 0;
  for (size_t i = 0; i < targets_.size(); ++i)
    if (!targets_[i]->down()) alive |= uint64_t{1} << i;
  uint64_t moved = 0;
  for (const FlowRecord &r : records) {
    uint64_t h = ShardHash(r, key_);
    size_t to = ring_.Owner(h);
    if (rehash_ && !(alive >> to & 1)) {
      size_t other = ring_.Pick(h, alive);
      if (other != HashRing::kNone) {  // none alive: the owner queues it
        to = other;
        ++moved;
      }
    }
    split_[to].push_back(r);
  }
  if (moved) rehashed_->Add(moved);
  for (size_t i = 0; i < targets_.size(); ++i) {
    if (split_[i].empty()) continue;
    per_target_[i]->Add(split_[i].size());
    targets_[i]->Push(&split_[i]);
    split_[i].clear();
  }
}

void ShardedOutput::Push(std::vector<FlowRecord> *records) {
  Push(*records);
  records->clear();
}

void ShardedOutput::BeginStop(Clock::time_point deadline) {
  for (auto &t : targets_) t->BeginStop(deadline);
}

void ShardedOutput::Stop(std::chrono::milliseconds flush_time) {
  for (auto &t : targets_) t->Stop(flush_time);
}

}  // namespace nfr
