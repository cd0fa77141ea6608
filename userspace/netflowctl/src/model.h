// netflowctl's value types: what the kernel's NETFLOW family reports
// (kernel/netflow_genl.h), decoded, and nothing else.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace nfctl {

// One nest of NETFLOW_S_* counters, in the order the kernel sent them.
struct Group {
  std::vector<std::pair<int, uint64_t>> values;
  bool Has(int id) const;
  uint64_t Get(int id) const;  // 0 if absent
  void Set(int id, uint64_t v);
};

struct Socket {
  std::string name;
  Group counters;
};

struct Stats {
  uint32_t api_version = 0;
  std::string module_version;
  Group totals, hash, rates, exporter, sampler, worker, nat, aggregation, hooks, flowtable, natflows;
  std::vector<Group> cpus;
  std::vector<Socket> sockets;
};

struct Flow {
  uint8_t family = 4, proto = 0, tos = 0, tcp_flags = 0;
  std::array<uint8_t, 16> src{}, dst{};
  uint16_t sport = 0, dport = 0;
  uint32_t iif = 0, oif = 0, age_ms = 0, idle_ms = 0;
  uint64_t packets = 0, bytes = 0;
};

struct Param {
  std::string name, value;
};

// The JSON/text name of a NETFLOW_S_* id ("packets", "new_flows", ...);
// "stat_N" for an id this build does not know.
std::string StatName(int id);

}  // namespace nfctl
