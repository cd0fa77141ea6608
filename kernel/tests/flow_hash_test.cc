// The bucket hash of plain IPv4 keys (kernel/flow_hash.h, pair-multiply-shift): how it
// spreads the keys floods make over the table's buckets, that every key field reaches it,
// and how rarely keys that differ in one field collide.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

extern "C" {
#include "flow_hash.h"
}

namespace {

ipnf_hash_secret secret(std::mt19937 &rnd) {
  ipnf_hash_secret s;
  for (auto &a : s.a) a = u64(rnd()) << 32 | rnd();
  s.b = u64(rnd()) << 32 | rnd();
  return s;
}

ipnf_flow_key v4key(u32 iif, u32 src, u32 dst, u16 sport, u16 dport, u8 proto) {
  ipnf_flow_key k;
  memset(&k, 0, sizeof(k));
  k.iif = iif;
  k.a.v4.src = src;
  k.a.v4.dst = dst;
  k.sport = sport;
  k.dport = dport;
  k.proto = proto;
  k.family = IPNF_FAM_V4;
  return k;
}

u32 bucket(u32 hash, u32 size) { return u32((u64(hash) * size) >> 32); }  // reciprocal_scale

struct Spread {
  unsigned max_chain = 0;
  double chi2 = 0;  // over the buckets, against the uniform load
};

Spread spread(const std::vector<ipnf_flow_key> &keys, const ipnf_hash_secret &s, u32 size) {
  std::vector<unsigned> n(size);
  for (const auto &k : keys) n[bucket(ipnf_hash_v4key(&k, &s), size)]++;
  Spread r;
  const double e = double(keys.size()) / size;
  for (unsigned c : n) {
    r.max_chain = std::max(r.max_chain, c);
    r.chi2 += (c - e) * (c - e) / e;
  }
  return r;
}

}  // namespace

TEST_CASE("flow hash: the keys of floods spread over the buckets as random keys would",
          "[flow_hash]") {
  std::mt19937 rnd(11);
  const u32 size = 1u << 16;
  const unsigned n = 200000;  // about 3 a bucket
  // what pktgen and real floods make: one field counting, the rest fixed
  std::vector<std::vector<ipnf_flow_key>> floods(5);
  for (unsigned i = 0; i < n; i++) {
    floods[0].push_back(v4key(2, 0x0a000001, 0x0a010000 + i, 9, 9, 17));         // dst
    floods[1].push_back(v4key(2, htonl(0x0a000000 + i), 0x0a010001, 9, 9, 17));  // src, net order
    floods[2].push_back(v4key(2, 0x0a000001, 0x0a010001, u16(i), u16(i >> 16), 17));  // ports
    floods[3].push_back(v4key(2, 0x0a000001 + (i & 0xff), 0x0a010001 + (i >> 8), 80, 443, 6));
    floods[4].push_back(v4key(2, rnd(), rnd(), u16(rnd()), u16(rnd()), 6));  // random: reference
  }
  const int secrets = 8;
  std::vector<double> chi2_sum(floods.size());
  for (int trial = 0; trial < secrets; trial++) {
    const auto s = secret(rnd);
    for (size_t f = 0; f < floods.size(); f++) {
      const Spread r = spread(floods[f], s, size);
      // a lookup's walk, on average over the keys: sum of chains squared / keys
      const double e = double(n) / size, walk = e * (r.chi2 + n) / n;
      INFO("flood " << f << ", secret " << trial << ": longest chain " << r.max_chain
                    << ", chi2 " << r.chi2 << ", average walk " << walk);
      // random keys (flood 4): Poisson(3.05) over 65536 buckets, the longest chain
      // 12-14, a walk of 1 + 3.05; a flood's keys, as even or more, under any secret
      CHECK(r.max_chain <= 16);
      CHECK(walk <= 2 * (1 + e));
      chi2_sum[f] += r.chi2;
    }
  }
  // strongly universal: over the secrets, each flood's buckets are loaded no less
  // evenly than random keys' (chi2 about size - 1 on average)
  for (size_t f = 0; f < floods.size(); f++) {
    INFO("flood " << f << ": mean chi2 " << chi2_sum[f] / secrets);
    CHECK(chi2_sum[f] / secrets < 1.25 * size);
  }
}

TEST_CASE("flow hash: every key field reaches it, and one-field changes collide rarely",
          "[flow_hash]") {
  std::mt19937 rnd(12);
  const auto s = secret(rnd);
  const int pairs = 200000;
  // one field changed at a time: iif, src, dst, sport, dport, proto, tos, dir
  for (int field = 0; field < 8; field++) {
    int same = 0;
    for (int i = 0; i < pairs; i++) {
      ipnf_flow_key a = v4key(rnd(), rnd(), rnd(), u16(rnd()), u16(rnd()), u8(rnd()));
      a.tos = u8(rnd());
      a.dir = u8(rnd() & 3);
      ipnf_flow_key b = a;
      switch (field) {
        case 0: b.iif ^= 1u + rnd() % 0xffff; break;
        case 1: b.a.v4.src ^= 1u + rnd() % 0xfffffffe; break;
        case 2: b.a.v4.dst ^= 1u + rnd() % 0xfffffffe; break;
        case 3: b.sport ^= u16(1 + rnd() % 0xfffe); break;
        case 4: b.dport ^= u16(1 + rnd() % 0xfffe); break;
        case 5: b.proto ^= u8(1 + rnd() % 0xfe); break;
        case 6: b.tos ^= u8(1 + rnd() % 0xfe); break;
        case 7: b.dir ^= u8(1 + rnd() % 3); break;
      }
      same += ipnf_hash_v4key(&a, &s) == ipnf_hash_v4key(&b, &s);
    }
    INFO("field " << field << ": " << same << " of " << pairs << " pairs hash the same");
    // strongly universal: two keys share a 32-bit hash with probability 2^-32
    CHECK(same <= 2);
  }
}

TEST_CASE("flow hash: the secret decides the buckets", "[flow_hash]") {
  std::mt19937 rnd(13);
  const auto s1 = secret(rnd), s2 = secret(rnd);
  int same = 0;
  for (u32 i = 0; i < 100000; i++) {
    const ipnf_flow_key k = v4key(2, 0x0a000001, 0x0a010000 + i, 9, 9, 17);
    same += bucket(ipnf_hash_v4key(&k, &s1), 1024) == bucket(ipnf_hash_v4key(&k, &s2), 1024);
  }
  // two independent secrets: a key lands in the same of 1024 buckets ~1 time in 1024
  CHECK(same < 300);
}

TEST_CASE("flow hash: hash sampling's residues are even over a flood's keys", "[flow_hash]") {
  std::mt19937 rnd(14);
  const auto s = secret(rnd);
  for (u32 interval : {2u, 10u, 100u}) {
    std::vector<unsigned> n(interval);
    const unsigned keys = 100000 * interval / 10;
    for (u32 i = 0; i < keys; i++) {
      const ipnf_flow_key k = v4key(2, 0x0a000001, 0x0a010000 + i, 9, 9, 17);
      n[ipnf_hash_v4key(&k, &s) % interval]++;
    }
    const double e = double(keys) / interval;
    for (u32 r = 0; r < interval; r++) {
      INFO("interval " << interval << ", residue " << r << ": " << n[r] << ", expected " << e);
      CHECK(std::fabs(n[r] - e) < 6 * std::sqrt(e));
    }
  }
}
