// Counters: named monotonically increasing (or gauge) 64-bit values shared by
// all threads of the relay.  Registration takes a lock; Add/Set on a returned
// Counter is a relaxed atomic, cheap enough for the packet path.  Snapshot()
// lists them in registration order for `netflow-relay counters`.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace nfr {

// One cache line each: loop threads adding to different counters do not
// contend for a line.
class alignas(64) Counter {
 public:
  void Add(uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  void Sub(uint64_t n = 1) { v_.fetch_sub(n, std::memory_order_relaxed); }
  void Set(uint64_t n) { v_.store(n, std::memory_order_relaxed); }
  uint64_t Get() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

class Counters {
 public:
  // Returns the counter called `name`, creating it at zero on first use.
  // The pointer stays valid for the registry's lifetime.
  Counter *Get(const std::string &name);
  // Value of `name`, 0 if it was never registered.
  uint64_t Value(const std::string &name) const;
  std::vector<std::pair<std::string, uint64_t>> Snapshot() const;
  // "name value\n" lines.
  std::string Format() const;

 private:
  mutable std::mutex mu_;
  std::deque<std::pair<std::string, Counter>> items_;
};

}  // namespace nfr
