#include "format.h"

#include <arpa/inet.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "netflow_genl.h"

namespace nfctl {

const char *const kFlowTextHeader =
    "# family proto tos src sport dst dport iif oif packets bytes tcpflags age_ms idle_ms\n";

std::string JsonString(const std::string &s) {
  std::string o = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': o += "\\\""; break;
      case '\\': o += "\\\\"; break;
      case '\n': o += "\\n"; break;
      case '\r': o += "\\r"; break;
      case '\t': o += "\\t"; break;
      default:
        if (c < 0x20) {
          char b[8];
          std::snprintf(b, sizeof b, "\\u%04x", c);
          o += b;
        } else {
          o += static_cast<char>(c);
        }
    }
  }
  return o + "\"";
}

namespace {

std::string GroupJson(const Group &g, const std::string &first = "") {
  std::string o = "{" + first;
  bool comma = !first.empty();
  for (const auto &[id, v] : g.values) {
    if (comma) o += ",";
    comma = true;
    o += JsonString(StatName(id)) + ":" + std::to_string(v);
  }
  return o + "}";
}

void GroupText(std::string *o, const std::string &prefix, const Group &g) {
  for (const auto &[id, v] : g.values) *o += prefix + StatName(id) + " " + std::to_string(v) + "\n";
}

struct Named {
  const char *name;
  const Group Stats::*group;
};
const Named kGroups[] = {
    {"totals", &Stats::totals},   {"hash", &Stats::hash},     {"rates", &Stats::rates},
    {"export", &Stats::exporter}, {"sampler", &Stats::sampler}, {"worker", &Stats::worker},
    {"nat", &Stats::nat},         {"aggregation", &Stats::aggregation}, {"hooks", &Stats::hooks},
    {"flowtable", &Stats::flowtable}, {"natflows", &Stats::natflows},
};

}  // namespace

std::string StatsJson(const Stats &s) {
  std::string o = "{\"api_version\":" + std::to_string(s.api_version) +
                  ",\"module_version\":" + JsonString(s.module_version);
  for (const auto &g : kGroups) o += ",\"" + std::string(g.name) + "\":" + GroupJson(s.*g.group);
  o += ",\"cpu\":[";
  for (size_t i = 0; i < s.cpus.size(); ++i) o += (i ? "," : "") + GroupJson(s.cpus[i]);
  o += "],\"sockets\":[";
  for (size_t i = 0; i < s.sockets.size(); ++i)
    o += (i ? "," : "") + GroupJson(s.sockets[i].counters, "\"name\":" + JsonString(s.sockets[i].name));
  return o + "]}\n";
}

std::string StatsText(const Stats &s) {
  std::string o = "api_version " + std::to_string(s.api_version) + "\nmodule_version " + s.module_version + "\n";
  for (const auto &g : kGroups) GroupText(&o, std::string(g.name) + ".", s.*g.group);
  for (const auto &c : s.cpus) GroupText(&o, "cpu" + std::to_string(c.Get(NETFLOW_S_CPU)) + ".", c);
  for (const auto &k : s.sockets) {
    std::string p = "sock" + std::to_string(k.counters.Get(NETFLOW_S_SOCK_INDEX)) + ".";
    o += p + "name " + k.name + "\n";
    GroupText(&o, p, k.counters);
  }
  return o;
}

std::string FlowAddr(const Flow &f, bool src) {
  char buf[INET6_ADDRSTRLEN];
  const uint8_t *a = src ? f.src.data() : f.dst.data();
  inet_ntop(f.family == 4 ? AF_INET : AF_INET6, a, buf, sizeof buf);
  return buf;
}

std::string FlowText(const Flow &f) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%u %u %u %s %u %s %u %u %u %" PRIu64 " %" PRIu64 " 0x%02x %u %u", f.family,
                f.proto, f.tos, FlowAddr(f, true).c_str(), f.sport, FlowAddr(f, false).c_str(), f.dport, f.iif,
                f.oif, f.packets, f.bytes, f.tcp_flags, f.age_ms, f.idle_ms);
  return buf;
}

std::string FlowJson(const Flow &f) {
  char buf[384];
  std::snprintf(buf, sizeof buf,
                "{\"family\":%u,\"proto\":%u,\"tos\":%u,\"src\":\"%s\",\"sport\":%u,\"dst\":\"%s\",\"dport\":%u,"
                "\"iif\":%u,\"oif\":%u,\"packets\":%" PRIu64 ",\"bytes\":%" PRIu64
                ",\"tcp_flags\":%u,\"age_ms\":%u,\"idle_ms\":%u}",
                f.family, f.proto, f.tos, FlowAddr(f, true).c_str(), f.sport, FlowAddr(f, false).c_str(), f.dport,
                f.iif, f.oif, f.packets, f.bytes, f.tcp_flags, f.age_ms, f.idle_ms);
  return buf;
}

namespace {

bool ParseNum(const std::string &s, uint64_t max, uint64_t *out) {
  if (s.empty() || s.size() > 10) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > max) return false;
  *out = v;
  return true;
}

bool ParseAddr(const std::string &s, Flow *f) {
  if (inet_pton(AF_INET, s.c_str(), f->src.data()) == 1) {
    f->family = 4;
    return true;
  }
  if (inet_pton(AF_INET6, s.c_str(), f->src.data()) == 1) {
    f->family = 6;
    return true;
  }
  return false;
}

bool SameAddr(const Flow &f, bool src, const Flow &want) {
  if (f.family != want.family) return false;
  return std::memcmp(src ? f.src.data() : f.dst.data(), want.src.data(), f.family == 4 ? 4 : 16) == 0;
}

}  // namespace

std::string FlowFilter::Parse(const std::vector<std::string> &terms) {
  static const struct {
    const char *name;
    Term::Key key;
  } keys[] = {{"family", Term::kFamily}, {"proto", Term::kProto}, {"src", Term::kSrc},   {"dst", Term::kDst},
              {"host", Term::kHost},     {"sport", Term::kSport}, {"dport", Term::kDport}, {"port", Term::kPort},
              {"iif", Term::kIif},       {"oif", Term::kOif}};
  terms_.clear();
  for (const auto &t : terms) {
    size_t eq = t.find('=');
    if (eq == std::string::npos) return "filter term '" + t + "' is not KEY=VALUE";
    std::string k = t.substr(0, eq), v = t.substr(eq + 1);
    Term term{};
    bool found = false;
    for (const auto &x : keys)
      if (k == x.name) {
        term.key = x.key;
        found = true;
      }
    if (!found) return "unknown filter key '" + k + "' in '" + t + "'";
    bool ok = true;
    switch (term.key) {
      case Term::kFamily: ok = (v == "4" || v == "6") && ParseNum(v, 6, &term.num); break;
      case Term::kProto:
        if (v == "tcp") term.num = 6;
        else if (v == "udp") term.num = 17;
        else if (v == "icmp") term.num = 1;
        else if (v == "icmpv6") term.num = 58;
        else ok = ParseNum(v, 255, &term.num);
        break;
      case Term::kSrc:
      case Term::kDst:
      case Term::kHost: ok = ParseAddr(v, &term.addr); break;
      case Term::kSport:
      case Term::kDport:
      case Term::kPort: ok = ParseNum(v, 65535, &term.num); break;
      case Term::kIif:
      case Term::kOif: ok = ParseNum(v, 0xffffffffull, &term.num); break;
    }
    if (!ok) return "bad value in filter term '" + t + "'";
    terms_.push_back(term);
  }
  return "";
}

bool FlowFilter::Match(const Flow &f) const {
  for (const auto &t : terms_) {
    bool ok = false;
    switch (t.key) {
      case Term::kFamily: ok = f.family == t.num; break;
      case Term::kProto: ok = f.proto == t.num; break;
      case Term::kSrc: ok = SameAddr(f, true, t.addr); break;
      case Term::kDst: ok = SameAddr(f, false, t.addr); break;
      case Term::kHost: ok = SameAddr(f, true, t.addr) || SameAddr(f, false, t.addr); break;
      case Term::kSport: ok = f.sport == t.num; break;
      case Term::kDport: ok = f.dport == t.num; break;
      case Term::kPort: ok = f.sport == t.num || f.dport == t.num; break;
      case Term::kIif: ok = f.iif == t.num; break;
      case Term::kOif: ok = f.oif == t.num; break;
    }
    if (!ok) return false;
  }
  return true;
}

namespace {

double Rate(uint64_t a, uint64_t b, double secs) { return b >= a && secs > 0 ? static_cast<double>(b - a) / secs : 0; }

}  // namespace

std::string WatchScreen(const Stats &prev, const Stats &cur, double secs) {
  char line[256];
  std::string o;
  std::snprintf(line, sizeof line, "ipt_NETFLOW %s   flows %" PRIu64 " (peak %" PRIu64 ")   hash %" PRIu64
                " buckets   protocol %" PRIu64 "\n\n",
                cur.module_version.c_str(), cur.hash.Get(NETFLOW_S_FLOWS_ACTIVE), cur.hash.Get(NETFLOW_S_FLOWS_PEAK),
                cur.hash.Get(NETFLOW_S_HASH_SIZE), cur.exporter.Get(NETFLOW_S_EXP_PROTOCOL));
  o += line;
  o += "          packets/s      bits/s  new flows/s   drops/s\n";
  auto row = [&](const std::string &name, const Group &a, const Group &b) {
    std::snprintf(line, sizeof line, "%-8s %10.0f %11.0f %12.0f %9.0f\n", name.c_str(),
                  Rate(a.Get(NETFLOW_S_PKTS), b.Get(NETFLOW_S_PKTS), secs),
                  8 * Rate(a.Get(NETFLOW_S_BYTES), b.Get(NETFLOW_S_BYTES), secs),
                  Rate(a.Get(NETFLOW_S_NEW_FLOWS), b.Get(NETFLOW_S_NEW_FLOWS), secs),
                  Rate(a.Get(NETFLOW_S_DROP_PKTS), b.Get(NETFLOW_S_DROP_PKTS), secs));
    o += line;
  };
  row("total", prev.totals, cur.totals);
  for (const auto &c : cur.cpus) {
    uint64_t id = c.Get(NETFLOW_S_CPU);
    const Group *p = nullptr;
    for (const auto &q : prev.cpus)
      if (q.Get(NETFLOW_S_CPU) == id) p = &q;
    row("cpu" + std::to_string(id), p ? *p : c, c);
  }
  std::snprintf(line, sizeof line, "\nexport   %10.0f PDUs/s %10.0f flows/s %10.0f bytes/s   lost flows %" PRIu64 "\n",
                Rate(prev.exporter.Get(NETFLOW_S_EXP_PDUS), cur.exporter.Get(NETFLOW_S_EXP_PDUS), secs),
                Rate(prev.exporter.Get(NETFLOW_S_EXP_FLOWS), cur.exporter.Get(NETFLOW_S_EXP_FLOWS), secs),
                Rate(prev.exporter.Get(NETFLOW_S_EXP_BYTES), cur.exporter.Get(NETFLOW_S_EXP_BYTES), secs),
                cur.exporter.Get(NETFLOW_S_EXP_LOST_FLOWS));
  o += line;
  for (const auto &k : cur.sockets) {
    std::snprintf(line, sizeof line, "sock%-3" PRIu64 " %-30s %s  sent %" PRIu64 " PDUs, errors %" PRIu64 "\n",
                  k.counters.Get(NETFLOW_S_SOCK_INDEX), k.name.c_str(),
                  k.counters.Get(NETFLOW_S_SOCK_CONNECTED) ? (k.counters.Get(NETFLOW_S_SOCK_DOWN) ? "down" : "up  ")
                                                            : "unconnected",
                  k.counters.Get(NETFLOW_S_SOCK_PKTS),
                  k.counters.Get(NETFLOW_S_SOCK_ERR_SNDBUF) + k.counters.Get(NETFLOW_S_SOCK_ERR_CONNECT) +
                      k.counters.Get(NETFLOW_S_SOCK_ERR_CBERR) + k.counters.Get(NETFLOW_S_SOCK_ERR_OTHER));
    o += line;
  }
  return o;
}

}  // namespace nfctl
