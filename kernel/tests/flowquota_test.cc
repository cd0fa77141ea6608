// maxflows through per-CPU quotas (kernel/flowquota.c): the bound is never passed and a
// new flow is refused only when maxflows flows exist, whichever CPUs made and freed them.
#include <catch2/catch.hpp>

#include <atomic>
#include <random>
#include <thread>
#include <vector>

extern "C" {
#include "flowquota.h"
__thread int ipnf_test_cpu;
}

namespace {

void quota_reset() {
  for (int c = 0; c < IPNF_TEST_CPUS; c++) ipnf_flow_quota[c].counter = 0;
  ipnf_flows_reserved.counter = 0;
  ipnf_test_cpu = 0;
}

// One "flow table": gets and frees on random CPUs, one at a time, checked after each.
struct Table {
  int flows = 0;
  void check_count() const { REQUIRE(ipnf_flows_count() == unsigned(flows)); }
};

}  // namespace

TEST_CASE("quota: exact bound, refusals only when full, on any mix of CPUs", "[flowquota]") {
  std::mt19937 rnd(7);
  for (int max : {1, 2, 7, 100, 1000, 20000}) {
    quota_reset();
    Table t;
    int refused = 0, made = 0;
    for (int i = 0; i < 200000; i++) {
      // runs of packets on one CPU, so that others keep quotas they do not use
      if (rnd() % 50 == 0) ipnf_test_cpu = int(rnd() % IPNF_TEST_CPUS);
      unsigned op = rnd() % 16;
      if (op < 13) {
        bool got = ipnf_flow_place_get(max);
        if (got) {
          // a flow found after all gives its place back now and then
          if (rnd() % 8 == 0) {
            ipnf_flow_place_put();
          } else {
            t.flows++;
            made++;
          }
          REQUIRE(t.flows <= max);
        } else {
          REQUIRE(t.flows == max);  // refused: the table is full, not a quota elsewhere
          refused++;
        }
      } else if (t.flows) {  // the worker exports a batch
        int n = 1 + int(rnd() % unsigned(t.flows < 4 ? t.flows : 4));
        ipnf_flow_places_free(unsigned(n));
        t.flows -= n;
      }
      t.check_count();
    }
    INFO("max " << max << ": made " << made << ", refused " << refused);
    CHECK(made > 0);
    CHECK(refused > 0);  // every bound was reached
  }
}

TEST_CASE("quota: no limit hands out places in chunks and counts every flow", "[flowquota]") {
  quota_reset();
  for (int i = 0; i < 10000; i++) {
    ipnf_test_cpu = i % IPNF_TEST_CPUS;
    REQUIRE(ipnf_flow_place_get(0));
  }
  CHECK(ipnf_flows_count() == 10000);
  // the shared count moved once per chunk, not once per flow
  int quotas = 0;
  for (int c = 0; c < IPNF_TEST_CPUS; c++) quotas += ipnf_flow_quota[c].counter;
  CHECK(quotas > 0);
  CHECK(ipnf_flows_reserved.counter == 10000 + quotas);
  ipnf_flow_places_free(10000);
  CHECK(ipnf_flows_count() == 0);
}

TEST_CASE("quota: a lowered maxflows takes the chunks back", "[flowquota]") {
  quota_reset();
  for (int i = 0; i < 100; i++) {
    ipnf_test_cpu = i % IPNF_TEST_CPUS;
    REQUIRE(ipnf_flow_place_get(0));  // CPUs now hold unused chunks
  }
  REQUIRE(ipnf_flows_reserved.counter > 100);
  ipnf_quota_reclaim();  // what the maxflows parameter does when it changes
  CHECK(ipnf_flows_reserved.counter == 100);
  for (int c = 0; c < IPNF_TEST_CPUS; c++) {
    ipnf_test_cpu = c;
    CHECK_FALSE(ipnf_flow_place_get(100));
  }
  ipnf_flow_places_free(1);
  CHECK(ipnf_flow_place_get(100));
  CHECK_FALSE(ipnf_flow_place_get(100));
  CHECK(ipnf_flows_count() == 100);
}

TEST_CASE("quota: threads as CPUs never pass the bound", "[flowquota]") {
  quota_reset();
  const int max = 500;
  std::atomic<int> flows{0}, peak{0}, made{0};
  std::vector<std::thread> cpus;
  for (int c = 0; c < IPNF_TEST_CPUS; c++)
    cpus.emplace_back([&, c] {
      ipnf_test_cpu = c;
      std::mt19937 r{unsigned(c)};
      int mine = 0;
      for (int i = 0; i < 50000; i++) {
        if (r() % 3) {
          if (!ipnf_flow_place_get(max)) continue;
          int now = ++flows;
          int p = peak.load();
          while (now > p && !peak.compare_exchange_weak(p, now)) {
          }
          mine++;
          made++;
        } else if (mine) {
          --flows;  // the flow is gone before its place is given back
          mine--;
          ipnf_flow_places_free(1);
        }
      }
      flows -= mine;
      ipnf_flow_places_free(unsigned(mine));
    });
  for (auto &t : cpus) t.join();
  INFO("made " << made.load() << ", peak " << peak.load());
  CHECK(peak.load() <= max);
  CHECK(peak.load() > max / 2);
  CHECK(ipnf_flows_count() == 0);
}
