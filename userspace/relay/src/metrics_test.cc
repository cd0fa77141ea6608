#include <catch2/catch.hpp>

#include "counters.h"
#include "metrics.h"

TEST_CASE("relay counters as Prometheus metrics") {
  nfr::Counters c;
  c.Get("netflow_records")->Add(5);
  c.Get("fastnetmon_flow_connections_active")->Set(2);
  c.Get("flow_forwarder_queued_messages")->Set(7);
  std::string t = nfr::RelayMetricsText(c);
  CHECK(t.find("# TYPE netflow_relay_up gauge\nnetflow_relay_up 1\n") != std::string::npos);
  CHECK(t.find("# TYPE netflow_relay_netflow_records_total counter\nnetflow_relay_netflow_records_total 5\n") !=
        std::string::npos);
  CHECK(t.find("# TYPE netflow_relay_fastnetmon_flow_connections_active gauge\n"
               "netflow_relay_fastnetmon_flow_connections_active 2\n") != std::string::npos);
  CHECK(t.find("netflow_relay_flow_forwarder_queued_messages 7\n") != std::string::npos);
  CHECK(t.find("# HELP netflow_relay_netflow_records_total netflow-relay counter netflow_records") !=
        std::string::npos);
}
