#include "parse.h"

#include <cstring>

#include "netflow_genl.h"

namespace nfctl {

namespace {

bool ParseGroup(const nlattr *nest, Group *g, std::string *name, std::string *err) {
  const nlattr *a;
  int rem;
  nla_for_each_nested(a, const_cast<nlattr *>(nest), rem) {
    int t = nla_type(a);
    if (name && t == NETFLOW_A_SOCK_NAME) {
      *name = std::string(static_cast<const char *>(nla_data(a)), strnlen(static_cast<const char *>(nla_data(a)),
                                                                              static_cast<size_t>(nla_len(a))));
      continue;
    }
    if (t == NETFLOW_S_PAD) continue;
    if (nla_len(a) != 8) {
      *err = "statistic " + std::to_string(t) + " is not a u64";
      return false;
    }
    g->Set(t, nla_get_u64(const_cast<nlattr *>(a)));
  }
  return true;
}

std::string Str(const nlattr *a) {
  const char *p = static_cast<const char *>(nla_data(a));
  return std::string(p, strnlen(p, static_cast<size_t>(nla_len(a))));
}

}  // namespace

bool ParseStats(const nlattr *attrs, int len, Stats *out, std::string *err) {
  Stats s;
  const nlattr *a;
  int rem;
  nla_for_each_attr(a, const_cast<nlattr *>(attrs), len, rem) {
    bool ok = true;
    switch (nla_type(a)) {
      case NETFLOW_A_API_VERSION:
        if (nla_len(a) != 4) {
          *err = "bad API version attribute";
          return false;
        }
        s.api_version = nla_get_u32(const_cast<nlattr *>(a));
        break;
      case NETFLOW_A_MOD_VERSION: s.module_version = Str(a); break;
      case NETFLOW_A_TOTALS: ok = ParseGroup(a, &s.totals, nullptr, err); break;
      case NETFLOW_A_HASH: ok = ParseGroup(a, &s.hash, nullptr, err); break;
      case NETFLOW_A_RATES: ok = ParseGroup(a, &s.rates, nullptr, err); break;
      case NETFLOW_A_EXPORT: ok = ParseGroup(a, &s.exporter, nullptr, err); break;
      case NETFLOW_A_SAMPLER: ok = ParseGroup(a, &s.sampler, nullptr, err); break;
      case NETFLOW_A_WORKER: ok = ParseGroup(a, &s.worker, nullptr, err); break;
      case NETFLOW_A_NAT: ok = ParseGroup(a, &s.nat, nullptr, err); break;
      case NETFLOW_A_AGGR: ok = ParseGroup(a, &s.aggregation, nullptr, err); break;
      case NETFLOW_A_HOOKS: ok = ParseGroup(a, &s.hooks, nullptr, err); break;
      case NETFLOW_A_FLOWTABLE: ok = ParseGroup(a, &s.flowtable, nullptr, err); break;
      case NETFLOW_A_NATFLOWS: ok = ParseGroup(a, &s.natflows, nullptr, err); break;
      case NETFLOW_A_CPU:
        s.cpus.emplace_back();
        ok = ParseGroup(a, &s.cpus.back(), nullptr, err);
        break;
      case NETFLOW_A_SOCK:
        s.sockets.emplace_back();
        ok = ParseGroup(a, &s.sockets.back().counters, &s.sockets.back().name, err);
        break;
      default: break;  // newer than this build: skipped
    }
    if (!ok) return false;
  }
  if (rem) {
    *err = "truncated statistics message";
    return false;
  }
  if (!s.api_version) {
    *err = "statistics message without an API version";
    return false;
  }
  *out = std::move(s);
  return true;
}

bool ParseFlow(const nlattr *attrs, int len, Flow *out, std::string *err) {
  const nlattr *top;
  int rem;
  nla_for_each_attr(top, const_cast<nlattr *>(attrs), len, rem) {
    if (nla_type(top) != NETFLOW_A_FLOW) continue;
    Flow f;
    const nlattr *a;
    int r2;
    nla_for_each_nested(a, const_cast<nlattr *>(top), r2) {
      nlattr *m = const_cast<nlattr *>(a);
      int n = nla_len(a);
      auto want = [&](int size) {
        if (n == size) return true;
        *err = "flow attribute " + std::to_string(nla_type(a)) + " has " + std::to_string(n) + " bytes";
        return false;
      };
      switch (nla_type(a)) {
        case NETFLOW_F_FAMILY: if (!want(1)) return false; f.family = nla_get_u8(m); break;
        case NETFLOW_F_PROTO: if (!want(1)) return false; f.proto = nla_get_u8(m); break;
        case NETFLOW_F_TOS: if (!want(1)) return false; f.tos = nla_get_u8(m); break;
        case NETFLOW_F_TCP_FLAGS: if (!want(1)) return false; f.tcp_flags = nla_get_u8(m); break;
        case NETFLOW_F_SPORT: if (!want(2)) return false; f.sport = nla_get_u16(m); break;
        case NETFLOW_F_DPORT: if (!want(2)) return false; f.dport = nla_get_u16(m); break;
        case NETFLOW_F_IIF: if (!want(4)) return false; f.iif = nla_get_u32(m); break;
        case NETFLOW_F_OIF: if (!want(4)) return false; f.oif = nla_get_u32(m); break;
        case NETFLOW_F_AGE_MS: if (!want(4)) return false; f.age_ms = nla_get_u32(m); break;
        case NETFLOW_F_IDLE_MS: if (!want(4)) return false; f.idle_ms = nla_get_u32(m); break;
        case NETFLOW_F_PACKETS: if (!want(8)) return false; f.packets = nla_get_u64(m); break;
        case NETFLOW_F_BYTES: if (!want(8)) return false; f.bytes = nla_get_u64(m); break;
        case NETFLOW_F_SRC:
        case NETFLOW_F_DST:
          if (n != 4 && n != 16) {
            *err = "flow address of " + std::to_string(n) + " bytes";
            return false;
          }
          std::memcpy(nla_type(a) == NETFLOW_F_SRC ? f.src.data() : f.dst.data(), nla_data(a),
                      static_cast<size_t>(n));
          break;
        default: break;
      }
    }
    if (f.family != 4 && f.family != 6) {
      *err = "flow of family " + std::to_string(f.family);
      return false;
    }
    *out = f;
    return true;
  }
  *err = "message without a flow";
  return false;
}

bool ParseParams(const nlattr *attrs, int len, std::vector<Param> *out, std::string *err) {
  const nlattr *top;
  int rem;
  std::vector<Param> v;
  nla_for_each_attr(top, const_cast<nlattr *>(attrs), len, rem) {
    if (nla_type(top) != NETFLOW_A_PARAM) continue;
    Param p;
    bool has_name = false;
    const nlattr *a;
    int r2;
    nla_for_each_nested(a, const_cast<nlattr *>(top), r2) {
      if (nla_type(a) == NETFLOW_A_PARAM_NAME) {
        p.name = Str(a);
        has_name = true;
      } else if (nla_type(a) == NETFLOW_A_PARAM_VALUE) {
        p.value = Str(a);
      }
    }
    if (!has_name) {
      *err = "parameter without a name";
      return false;
    }
    v.push_back(std::move(p));
  }
  *out = std::move(v);
  return true;
}

bool PutParam(nl_msg *msg, const std::string &name, const std::string *value) {
  if (nla_put_string(msg, NETFLOW_A_PARAM_NAME, name.c_str()) < 0) return false;
  return !value || nla_put_string(msg, NETFLOW_A_PARAM_VALUE, value->c_str()) >= 0;
}

}  // namespace nfctl
