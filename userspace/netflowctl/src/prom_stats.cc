#include "prom_stats.h"

#include "netflow_genl.h"

namespace nfctl {

using nfprom::Labels;
using nfprom::Type;

namespace {

constexpr Type C = Type::kCounter;
constexpr Type G = Type::kGauge;

struct Metric {
  int id;
  const char *name;  // after "ipt_netflow_"
  Type type;
  const char *help;
};

// Metering counters: summed (no label) and per CPU (label cpu, "cpu_" prefix).
const Metric kMetering[] = {
    {NETFLOW_S_PKTS, "packets_total", C, "Packets accounted by the NETFLOW target."},
    {NETFLOW_S_BYTES, "bytes_total", C, "Bytes accounted by the NETFLOW target."},
    {NETFLOW_S_NEW_FLOWS, "flows_created_total", C, "Flows created in the flow table."},
    {NETFLOW_S_FOUND, "hash_found_total", C, "Lookups that found their flow."},
    {NETFLOW_S_SEARCHED, "hash_searched_total", C, "Hash chain entries compared."},
    {NETFLOW_S_TRUNC, "truncated_packets_total", C, "Truncated packets."},
    {NETFLOW_S_FRAG, "fragments_total", C, "IP fragments seen."},
    {NETFLOW_S_ALLOC_ERR, "alloc_errors_total", C, "Flow allocation failures."},
    {NETFLOW_S_MAXFLOWS_ERR, "maxflows_drops_total", C, "Packets refused because maxflows was reached."},
    {NETFLOW_S_DROP_PKTS, "dropped_packets_total", C, "Packets not accounted."},
    {NETFLOW_S_DROP_BYTES, "dropped_bytes_total", C, "Bytes not accounted."},
    {NETFLOW_S_SAMPLED_OUT, "sampled_out_packets_total", C, "Packets of flows the hash sampler skipped."},
};

const Metric kHash[] = {
    {NETFLOW_S_FLOWS_ACTIVE, "flows_active", G, "Flows in the flow table."},
    {NETFLOW_S_FLOWS_V6, "flows_active_ipv6", G, "IPv6 flows in the flow table."},
    {NETFLOW_S_FLOWS_PEAK, "flows_peak", G, "Most flows in the table since load."},
    {NETFLOW_S_FLOWS_MEM, "flows_memory_bytes", G, "Memory held by the flows."},
    {NETFLOW_S_HASH_SIZE, "hash_buckets", G, "Buckets of the flow hash table."},
    {NETFLOW_S_HASH_MEM, "hash_memory_bytes", G, "Memory of the hash bucket array."},
    {NETFLOW_S_HASH_PKTS, "hash_packets", G, "Packets of the flows now in the table."},
    {NETFLOW_S_HASH_BYTES, "hash_bytes", G, "Bytes of the flows now in the table."},
    {NETFLOW_S_MAXFLOWS, "maxflows", G, "Configured bound on flows (0 = unlimited)."},
};

const Metric kExport[] = {
    {NETFLOW_S_EXP_PROTOCOL, "export_protocol", G, "Export protocol: 5, 9 or 10 (IPFIX)."},
    {NETFLOW_S_EXP_PDUS, "export_pdus_total", C, "Export PDUs sent."},
    {NETFLOW_S_EXP_BYTES, "export_bytes_total", C, "Export bytes sent."},
    {NETFLOW_S_EXP_FLOWS, "export_flows_total", C, "Flow records exported."},
    {NETFLOW_S_EXP_ERR_PDUS, "export_error_pdus_total", C, "PDUs that reached no destination."},
    {NETFLOW_S_EXP_LOST_FLOWS, "export_lost_flows_total", C, "Flows lost on export."},
    {NETFLOW_S_EXP_LOST_PKTS, "export_lost_packets_total", C, "Packets of the flows lost on export."},
    {NETFLOW_S_EXP_LOST_BYTES, "export_lost_bytes_total", C, "Bytes of the flows lost on export."},
    {NETFLOW_S_EXP_V6_UNEXPORTABLE, "export_ipv6_unexportable_flows_total", C,
     "IPv6 flows NetFlow v5 could not carry."},
    {NETFLOW_S_EXP_PDU_PKTS, "export_pending_packets", G, "Packets in the PDU being built."},
    {NETFLOW_S_EXP_PDU_BYTES, "export_pending_bytes", G, "Bytes in the PDU being built."},
    {NETFLOW_S_EXP_TEMPLATES, "export_templates", G, "v9/IPFIX templates known."},
    {NETFLOW_S_EXP_TEMPLATES_ACTIVE, "export_templates_active", G, "v9/IPFIX templates in use."},
};

const Metric kSocket[] = {
    {NETFLOW_S_SOCK_CONNECTED, "socket_connected", G, "1 if the export socket is connected."},
    {NETFLOW_S_SOCK_DOWN, "socket_down", G, "1 while the destination is skipped as failed (balance mode)."},
    {NETFLOW_S_SOCK_CONNECT_ATTEMPTS, "socket_connect_attempts_total", C, "Connection attempts."},
    {NETFLOW_S_SOCK_PKTS, "socket_sent_pdus_total", C, "PDUs sent to the destination."},
    {NETFLOW_S_SOCK_BYTES, "socket_sent_bytes_total", C, "Bytes sent to the destination."},
    {NETFLOW_S_SOCK_RESENT, "socket_resent_pdus_total", C, "PDUs re-sent here for a failed destination."},
    {NETFLOW_S_SOCK_SNDBUF, "socket_sndbuf_bytes", G, "Socket send buffer size."},
    {NETFLOW_S_SOCK_FILLED, "socket_sndbuf_filled_bytes", G, "Bytes in the socket send buffer."},
    {NETFLOW_S_SOCK_PEAK, "socket_sndbuf_peak_bytes", G, "Most bytes seen in the send buffer."},
};

std::string N(const char *suffix) { return std::string("ipt_netflow_") + suffix; }

void AddGroup(nfprom::Exposition *e, const Group &g, const Metric *m, size_t n, const Labels &l,
              const std::string &prefix = "") {
  for (size_t i = 0; i < n; ++i)
    if (g.Has(m[i].id)) e->Add(N((prefix + m[i].name).c_str()), m[i].type, m[i].help, l, g.Get(m[i].id));
}

}  // namespace

void StatsMetrics(const Stats &s, nfprom::Exposition *e) {
  constexpr size_t nmeter = sizeof kMetering / sizeof kMetering[0];
  e->Add(N("up"), G, "1 if the ipt_NETFLOW module answered.", {}, uint64_t{1});
  e->Add(N("info"), G, "Module and netlink API version.",
         {{"version", s.module_version}, {"api", std::to_string(s.api_version)}}, uint64_t{1});
  AddGroup(e, s.totals, kMetering, nmeter, {});
  for (const auto &c : s.cpus)
    AddGroup(e, c, kMetering, nmeter, {{"cpu", std::to_string(c.Get(NETFLOW_S_CPU))}}, "cpu_");
  for (const auto &c : s.cpus)
    e->Add(N("cpu_hash_metric"), G, "Searches per lookup, one-minute average, per CPU.",
           {{"cpu", std::to_string(c.Get(NETFLOW_S_CPU))}},
           static_cast<double>(c.Get(NETFLOW_S_METRIC_X100)) / 100);
  AddGroup(e, s.hash, kHash, sizeof kHash / sizeof kHash[0], {});
  const struct {
    const char *window;
    int bps, pps, metric;
  } windows[] = {{"1s", NETFLOW_S_RATE_BPS, NETFLOW_S_RATE_PPS, NETFLOW_S_RATE_METRIC_X100},
                 {"1m", NETFLOW_S_RATE_BPS_1M, NETFLOW_S_RATE_PPS_1M, NETFLOW_S_RATE_METRIC_1M},
                 {"5m", NETFLOW_S_RATE_BPS_5M, NETFLOW_S_RATE_PPS_5M, NETFLOW_S_RATE_METRIC_5M}};
  for (const auto &w : windows)
    e->Add(N("rate_bits_per_second"), G, "Metered traffic rate (average over the window).", {{"window", w.window}},
           s.rates.Get(w.bps));
  for (const auto &w : windows)
    e->Add(N("rate_packets_per_second"), G, "Metered packet rate (average over the window).",
           {{"window", w.window}}, s.rates.Get(w.pps));
  for (const auto &w : windows)
    e->Add(N("hash_metric"), G, "Hash chain entries compared per lookup (1 is ideal).", {{"window", w.window}},
           static_cast<double>(s.rates.Get(w.metric)) / 100);
  e->Add(N("export_rate_bytes_per_second"), G, "Export rate, last second.", {},
         s.rates.Get(NETFLOW_S_RATE_EXPORT_BPS));
  AddGroup(e, s.exporter, kExport, sizeof kExport / sizeof kExport[0], {});
  e->Add(N("sampler_interval"), G, "Flow sampler interval N (0 = sampling off).", {},
         s.sampler.Get(NETFLOW_S_SAMPLER_INTERVAL));
  e->Add(N("sampler_seen_flows_total"), C, "Flows the sampler considered.", {}, s.sampler.Get(NETFLOW_S_SAMPLER_SEEN));
  e->Add(N("sampler_selected_flows_total"), C, "Flows the sampler selected.", {},
         s.sampler.Get(NETFLOW_S_SAMPLER_SELECTED));
  uint64_t hz = s.worker.Get(NETFLOW_S_WORKER_HZ);
  e->Add(N("worker_delay_seconds"), G, "Delay between export worker runs.", {},
         hz ? static_cast<double>(s.worker.Get(NETFLOW_S_WORKER_DELAY)) / static_cast<double>(hz) : 0.0);
  e->Add(N("worker_last_run_seconds"), G, "Duration of the last export worker run.", {},
         static_cast<double>(s.worker.Get(NETFLOW_S_WORKER_LAST_RUN_US)) / 1e6);
  e->Add(N("worker_last_scanned_flows"), G, "Flows scanned by the last worker run.", {},
         s.worker.Get(NETFLOW_S_WORKER_SCANNED));
  e->Add(N("worker_last_exported_flows"), G, "Flows exported by the last worker run.", {},
         s.worker.Get(NETFLOW_S_WORKER_EXPORTED));
  e->Add(N("natevents_enabled"), G, "1 if NAT events are exported.", {}, s.nat.Get(NETFLOW_S_NAT_ENABLED));
  e->Add(N("nat_events_total"), C, "NAT events seen.", {{"event", "start"}}, s.nat.Get(NETFLOW_S_NAT_START));
  e->Add(N("nat_events_total"), C, "NAT events seen.", {{"event", "stop"}}, s.nat.Get(NETFLOW_S_NAT_STOP));
  e->Add(N("aggregation_rules"), G, "Aggregation rules in force.", {}, s.aggregation.Get(NETFLOW_S_AGGR_RULES));
  e->Add(N("hook_points"), G, "Netfilter hook points metering now (hook mode; 0 = off).", {},
         s.hooks.Get(NETFLOW_S_HOOKS_POINTS));
  const char *hook_help = "Packets seen by hook mode, by what became of them.";
  e->Add(N("hook_packets_total"), C, hook_help, {{"result", "metered"}}, s.hooks.Get(NETFLOW_S_HOOKS_SEEN));
  e->Add(N("hook_packets_total"), C, hook_help, {{"result", "mark_skipped"}},
         s.hooks.Get(NETFLOW_S_HOOKS_MARK_SKIPPED));
  e->Add(N("hook_packets_total"), C, hook_help, {{"result", "rule_left"}},
         s.hooks.Get(NETFLOW_S_HOOKS_RULE_LEFT));
  e->Add(N("flowtable_devices"), G, "Devices with the flowtable=1 ingress hook (0 = off).", {},
         s.flowtable.Get(NETFLOW_S_FT_DEVICES));
  e->Add(N("flowtable_packets_total"), C, "Packets of the nftables flowtable fast path metered (flowtable=1).", {},
         s.flowtable.Get(NETFLOW_S_FT_PKTS));
  e->Add(N("flowtable_bytes_total"), C, "Bytes of the nftables flowtable fast path metered (flowtable=1).", {},
         s.flowtable.Get(NETFLOW_S_FT_BYTES));
  e->Add(N("natflows_views"), G, "Views of NAT-translated connections kept for flow records (natflows=1).", {},
         s.natflows.Get(NETFLOW_S_NFL_VIEWS));
  e->Add(N("natflows_records_total"), C, "v9/IPFIX records of protocols with ports exported while natflows=1.",
         {{"translation", "yes"}}, s.natflows.Get(NETFLOW_S_NFL_TRANSLATED));
  e->Add(N("natflows_records_total"), C, "v9/IPFIX records of protocols with ports exported while natflows=1.",
         {{"translation", "no"}}, s.natflows.Get(NETFLOW_S_NFL_PLAIN));
  for (const auto &k : s.sockets) {
    Labels l{{"socket", std::to_string(k.counters.Get(NETFLOW_S_SOCK_INDEX))}, {"destination", k.name}};
    AddGroup(e, k.counters, kSocket, sizeof kSocket / sizeof kSocket[0], l);
    const struct {
      const char *what;
      int id;
    } errs[] = {{"sndbuf", NETFLOW_S_SOCK_ERR_SNDBUF},
                {"connect", NETFLOW_S_SOCK_ERR_CONNECT},
                {"cberr", NETFLOW_S_SOCK_ERR_CBERR},
                {"other", NETFLOW_S_SOCK_ERR_OTHER}};
    for (const auto &x : errs) {
      Labels le = l;
      le.emplace_back("error", x.what);
      e->Add(N("socket_errors_total"), C, "Export socket errors by kind.", le, k.counters.Get(x.id));
    }
  }
}

std::string MetricsText(const Stats *s) {
  nfprom::Exposition e;
  if (s)
    StatsMetrics(*s, &e);
  else
    e.Add(N("up"), G, "1 if the ipt_NETFLOW module answered.", {}, uint64_t{0});
  return e.Text();
}

}  // namespace nfctl
