#include "shard_ring.h"

#include <algorithm>
#include <cstring>

namespace nfr {

namespace {

// splitmix64's finalizer: a fast, well-mixed 64-bit permutation.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

uint64_t Prefix64(uint64_t v, unsigned bits) { return bits == 0 ? 0 : bits >= 64 ? v : v & (~0ull << (64 - bits)); }

uint64_t Load64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

uint64_t ShardHash(const FlowRecord &r, const ShardKey &key) {
  if (r.ip_version == 6) {
    uint64_t hi = Load64(r.dst_ipv6.data()), lo = Load64(r.dst_ipv6.data() + 8);
    unsigned bits = std::min(key.v6_prefix, 128u);
    hi = Prefix64(hi, std::min(bits, 64u));
    lo = Prefix64(lo, bits > 64 ? bits - 64 : 0);
    return Mix(Mix(hi ^ 0x6) ^ lo);
  }
  uint8_t b[4];
  std::memcpy(b, &r.dst_ip, 4);  // network byte order
  uint64_t a = (uint64_t{b[0]} << 24) | (uint64_t{b[1]} << 16) | (uint64_t{b[2]} << 8) | b[3];
  unsigned bits = std::min(key.v4_prefix, 32u);
  a = bits == 0 ? 0 : a & (0xffffffffull << (32 - bits)) & 0xffffffffull;
  return Mix(a ^ (uint64_t{4} << 40));
}

HashRing::HashRing(size_t instances) : instances_(std::min(instances, kMaxInstances)) {
  points_.reserve(instances_ * kVirtualNodes);
  for (uint32_t i = 0; i < instances_; ++i)
    for (uint64_t v = 0; v < kVirtualNodes; ++v) points_.emplace_back(Mix((uint64_t{i} << 32) | v), i);
  std::sort(points_.begin(), points_.end());
}

size_t HashRing::Owner(uint64_t h) const {
  if (points_.empty()) return kNone;
  auto it = std::lower_bound(points_.begin(), points_.end(), std::make_pair(h, uint32_t{0}));
  if (it == points_.end()) it = points_.begin();
  return it->second;
}

size_t HashRing::Pick(uint64_t h, uint64_t alive) const {
  if (points_.empty()) return kNone;
  auto start = std::lower_bound(points_.begin(), points_.end(), std::make_pair(h, uint32_t{0}));
  size_t at = static_cast<size_t>(start - points_.begin());
  for (size_t k = 0; k < points_.size(); ++k) {
    uint32_t i = points_[(at + k) % points_.size()].second;
    if (alive >> i & 1) return i;
  }
  return kNone;
}

}  // namespace nfr
