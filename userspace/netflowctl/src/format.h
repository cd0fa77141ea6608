// Output of netflowctl: JSON and text renderings of model.h values, the flow
// filter, and the `watch` screen.  Pure functions.
#pragma once

#include <string>
#include <vector>

#include "model.h"

namespace nfctl {

std::string JsonString(const std::string &s);  // quoted and escaped
std::string StatsJson(const Stats &s);          // one object, newline at the end
std::string StatsText(const Stats &s);          // "group.name value" lines
std::string FlowAddr(const Flow &f, bool src);  // 10.0.0.1 / fd00::1
std::string FlowText(const Flow &f);            // /proc/net/stat/ipt_netflow_flows's line
std::string FlowJson(const Flow &f);            // one object, no newline
extern const char *const kFlowTextHeader;

// Filter terms KEY=VALUE, all of which must hold: family=4|6,
// proto=N|tcp|udp|icmp|icmpv6, src=ADDR, dst=ADDR, host=ADDR (src or dst),
// sport=N, dport=N, port=N (either), iif=N, oif=N.
class FlowFilter {
 public:
  // Returns an error message naming the bad term, empty on success.
  std::string Parse(const std::vector<std::string> &terms);
  bool Match(const Flow &f) const;

 private:
  struct Term {
    enum Key { kFamily, kProto, kSrc, kDst, kHost, kSport, kDport, kPort, kIif, kOif } key;
    uint64_t num = 0;
    Flow addr;  // family + src for address terms
  };
  std::vector<Term> terms_;
};

// The `watch` screen: rates from two snapshots `secs` apart.
std::string WatchScreen(const Stats &prev, const Stats &cur, double secs);

}  // namespace nfctl
