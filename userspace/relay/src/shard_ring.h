// Consistent hashing of destination addresses onto N downstream instances
// (--forward-shard).  The key is the destination address cut to a prefix
// (default /24 for IPv4, /64 for IPv6), so a whole protected network lands on
// one instance.  Each instance owns kVirtualNodes points on a 64-bit ring; a
// key belongs to the first point at or after its hash.  Taking an instance
// out moves only the keys it owned (to the next points on the ring).
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "flow_record.h"

namespace nfr {

struct ShardKey {
  unsigned v4_prefix = 24;  // 0-32
  unsigned v6_prefix = 64;  // 0-128
};

// Hash of the record's destination address cut to the prefix of its family.
uint64_t ShardHash(const FlowRecord &r, const ShardKey &key);

class HashRing {
 public:
  static constexpr size_t kMaxInstances = 64;
  static constexpr size_t kVirtualNodes = 160;
  static constexpr size_t kNone = static_cast<size_t>(-1);

  explicit HashRing(size_t instances);
  size_t instances() const { return instances_; }
  // The instance that owns hash `h`.
  size_t Owner(uint64_t h) const;
  // The first instance from h's point on whose bit is set in `alive`
  // (bit i = instance i); kNone when none is.
  size_t Pick(uint64_t h, uint64_t alive) const;

 private:
  size_t instances_;
  std::vector<std::pair<uint64_t, uint32_t>> points_;  // sorted by hash
};

}  // namespace nfr
