// The module's statistics as Prometheus metrics (ipt_netflow_*), for
// `netflowctl serve`.  `up` false: only ipt_netflow_up 0 (module not loaded).
#pragma once

#include <string>

#include "model.h"
#include "prom.h"

namespace nfctl {

void StatsMetrics(const Stats &s, nfprom::Exposition *e);
std::string MetricsText(const Stats *s);  // nullptr: module not loaded

}  // namespace nfctl
