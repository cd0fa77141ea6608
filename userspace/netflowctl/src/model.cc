#include "model.h"

#include "netflow_genl.h"

namespace nfctl {

bool Group::Has(int id) const {
  for (const auto &[k, v] : values)
    if (k == id) return true;
  return false;
}

uint64_t Group::Get(int id) const {
  for (const auto &[k, v] : values)
    if (k == id) return v;
  return 0;
}

void Group::Set(int id, uint64_t v) {
  for (auto &[k, x] : values)
    if (k == id) {
      x = v;
      return;
    }
  values.emplace_back(id, v);
}

std::string StatName(int id) {
  switch (id) {
    case NETFLOW_S_CPU: return "cpu";
    case NETFLOW_S_PKTS: return "packets";
    case NETFLOW_S_BYTES: return "bytes";
    case NETFLOW_S_SEARCHED: return "searched";
    case NETFLOW_S_FOUND: return "found";
    case NETFLOW_S_NEW_FLOWS: return "new_flows";
    case NETFLOW_S_TRUNC: return "truncated";
    case NETFLOW_S_FRAG: return "fragments";
    case NETFLOW_S_ALLOC_ERR: return "alloc_errors";
    case NETFLOW_S_MAXFLOWS_ERR: return "maxflows_drops";
    case NETFLOW_S_DROP_PKTS: return "drop_packets";
    case NETFLOW_S_DROP_BYTES: return "drop_bytes";
    case NETFLOW_S_SAMPLED_OUT: return "sampled_out";
    case NETFLOW_S_PPS: return "pps";
    case NETFLOW_S_METRIC_X100: return "metric_x100";
    case NETFLOW_S_HASH_SIZE: return "size";
    case NETFLOW_S_HASH_MEM: return "memory";
    case NETFLOW_S_FLOWS_ACTIVE: return "flows";
    case NETFLOW_S_FLOWS_V6: return "flows_ipv6";
    case NETFLOW_S_FLOWS_MEM: return "flows_memory";
    case NETFLOW_S_FLOWS_PEAK: return "flows_peak";
    case NETFLOW_S_HASH_PKTS: return "packets";
    case NETFLOW_S_HASH_BYTES: return "bytes";
    case NETFLOW_S_MAXFLOWS: return "maxflows";
    case NETFLOW_S_RATE_BPS: return "bps";
    case NETFLOW_S_RATE_PPS: return "pps";
    case NETFLOW_S_RATE_BPS_1M: return "bps_1m";
    case NETFLOW_S_RATE_PPS_1M: return "pps_1m";
    case NETFLOW_S_RATE_BPS_5M: return "bps_5m";
    case NETFLOW_S_RATE_PPS_5M: return "pps_5m";
    case NETFLOW_S_RATE_METRIC_X100: return "metric_x100";
    case NETFLOW_S_RATE_METRIC_1M: return "metric_1m_x100";
    case NETFLOW_S_RATE_METRIC_5M: return "metric_5m_x100";
    case NETFLOW_S_RATE_METRIC_15M: return "metric_15m_x100";
    case NETFLOW_S_RATE_EXPORT_BPS: return "export_bytes_per_sec";
    case NETFLOW_S_EXP_PROTOCOL: return "protocol";
    case NETFLOW_S_EXP_PDUS: return "pdus";
    case NETFLOW_S_EXP_BYTES: return "bytes";
    case NETFLOW_S_EXP_FLOWS: return "flows";
    case NETFLOW_S_EXP_ERR_PDUS: return "error_pdus";
    case NETFLOW_S_EXP_LOST_PKTS: return "lost_packets";
    case NETFLOW_S_EXP_LOST_BYTES: return "lost_bytes";
    case NETFLOW_S_EXP_LOST_FLOWS: return "lost_flows";
    case NETFLOW_S_EXP_V6_UNEXPORTABLE: return "ipv6_unexportable";
    case NETFLOW_S_EXP_PDU_PKTS: return "pending_packets";
    case NETFLOW_S_EXP_PDU_BYTES: return "pending_bytes";
    case NETFLOW_S_EXP_TEMPLATES: return "templates";
    case NETFLOW_S_EXP_TEMPLATES_ACTIVE: return "templates_active";
    case NETFLOW_S_SAMPLER_KIND: return "kind";
    case NETFLOW_S_SAMPLER_INTERVAL: return "interval";
    case NETFLOW_S_SAMPLER_SEEN: return "seen_flows";
    case NETFLOW_S_SAMPLER_SELECTED: return "selected_flows";
    case NETFLOW_S_WORKER_DELAY: return "delay_jiffies";
    case NETFLOW_S_WORKER_HZ: return "hz";
    case NETFLOW_S_WORKER_LAST_RUN_US: return "last_run_us";
    case NETFLOW_S_WORKER_SCANNED: return "last_scanned";
    case NETFLOW_S_WORKER_EXPORTED: return "last_exported";
    case NETFLOW_S_NAT_ENABLED: return "enabled";
    case NETFLOW_S_NAT_START: return "start_events";
    case NETFLOW_S_NAT_STOP: return "stop_events";
    case NETFLOW_S_AGGR_RULES: return "rules";
    case NETFLOW_S_SOCK_INDEX: return "index";
    case NETFLOW_S_SOCK_CONNECTED: return "connected";
    case NETFLOW_S_SOCK_CONNECT_ATTEMPTS: return "connect_attempts";
    case NETFLOW_S_SOCK_SNDBUF: return "sndbuf";
    case NETFLOW_S_SOCK_FILLED: return "filled";
    case NETFLOW_S_SOCK_PEAK: return "peak";
    case NETFLOW_S_SOCK_ERR_SNDBUF: return "err_sndbuf";
    case NETFLOW_S_SOCK_ERR_CONNECT: return "err_connect";
    case NETFLOW_S_SOCK_ERR_CBERR: return "err_cberr";
    case NETFLOW_S_SOCK_ERR_OTHER: return "err_other";
    case NETFLOW_S_SOCK_PKTS: return "packets";
    case NETFLOW_S_SOCK_BYTES: return "bytes";
    case NETFLOW_S_SOCK_RESENT: return "resent";
    case NETFLOW_S_SOCK_DOWN: return "down";
    case NETFLOW_S_HOOKS_POINTS: return "points";
    case NETFLOW_S_HOOKS_SEEN: return "metered_packets";
    case NETFLOW_S_HOOKS_MARK_SKIPPED: return "mark_skipped_packets";
    case NETFLOW_S_HOOKS_RULE_LEFT: return "rule_left_packets";
    case NETFLOW_S_FT_DEVICES: return "devices";
    case NETFLOW_S_FT_REFUSED: return "refused_devices";
    case NETFLOW_S_FT_PKTS: return "metered_packets";
    case NETFLOW_S_FT_BYTES: return "metered_bytes";
    case NETFLOW_S_FT_LEFT: return "slow_path_packets";
    case NETFLOW_S_NFL_ENABLED: return "enabled";
    case NETFLOW_S_NFL_VIEWS: return "views";
    case NETFLOW_S_NFL_PEAK: return "views_peak";
    case NETFLOW_S_NFL_NOT_KEPT: return "views_not_kept";
    case NETFLOW_S_NFL_TRANSLATED: return "translated_records";
    case NETFLOW_S_NFL_PLAIN: return "untranslated_records";
    default: return "stat_" + std::to_string(id);
  }
}

}  // namespace nfctl
