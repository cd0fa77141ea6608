#include "shard_ring.h"

#include <arpa/inet.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <map>

namespace nfr {
namespace {

FlowRecord To(const char *addr) {
  FlowRecord r;
  if (std::strchr(addr, ':')) {
    r.ip_version = 6;
    inet_pton(AF_INET6, addr, r.dst_ipv6.data());
  } else {
    r.ip_version = 4;
    inet_pton(AF_INET, addr, &r.dst_ip);
  }
  return r;
}

FlowRecord To4(uint32_t host_order) {
  FlowRecord r;
  r.dst_ip = htonl(host_order);
  return r;
}

TEST_CASE("shard: a whole prefix hashes alike, the next one differently", "[shard]") {
  ShardKey k;  // /24, /64
  CHECK(ShardHash(To("192.0.2.1"), k) == ShardHash(To("192.0.2.254"), k));
  CHECK(ShardHash(To("192.0.2.1"), k) != ShardHash(To("192.0.3.1"), k));
  CHECK(ShardHash(To("2001:db8:1:2::1"), k) == ShardHash(To("2001:db8:1:2:ffff::9"), k));
  CHECK(ShardHash(To("2001:db8:1:2::1"), k) != ShardHash(To("2001:db8:1:3::1"), k));
  k.v4_prefix = 32;
  k.v6_prefix = 128;
  CHECK(ShardHash(To("192.0.2.1"), k) != ShardHash(To("192.0.2.2"), k));
  CHECK(ShardHash(To("2001:db8::1"), k) != ShardHash(To("2001:db8::2"), k));
  k.v4_prefix = 0;
  CHECK(ShardHash(To("1.2.3.4"), k) == ShardHash(To("200.2.3.4"), k));
}

TEST_CASE("shard: keys spread over the instances, and taking one out moves only its keys", "[shard]") {
  HashRing ring(3);
  ShardKey k;
  std::map<size_t, int> count;
  const int kNets = 30000;
  for (uint32_t n = 0; n < kNets; ++n) count[ring.Owner(ShardHash(To4(0x0a000000 + (n << 8)), k))]++;
  REQUIRE(count.size() == 3);
  for (auto &[i, c] : count) {
    INFO("instance " << i << " owns " << c);
    CHECK(c > kNets / 4);   // 1/3 each, give or take
    CHECK(c < kNets / 2);
  }
  const uint64_t all = 0b111, without1 = 0b101;
  int moved = 0;
  for (uint32_t n = 0; n < kNets; ++n) {
    uint64_t h = ShardHash(To4(0x0a000000 + (n << 8)), k);
    size_t owner = ring.Owner(h);
    CHECK(ring.Pick(h, all) == owner);
    size_t now = ring.Pick(h, without1);
    CHECK(now != 1);
    if (owner != 1) CHECK(now == owner);  // consistency: only instance 1's keys move
    else ++moved;
  }
  CHECK(moved == count[1]);
  CHECK(ring.Pick(1, 0) == HashRing::kNone);
}

}  // namespace
}  // namespace nfr
