#include "config.h"

#include "prom.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

namespace nfr {

namespace {

Status ParseUint(const std::string &what, const std::string &v, uint64_t lo, uint64_t hi, uint64_t *out) {
  if (v.empty() || v.size() > 12 || v.find_first_not_of("0123456789") != std::string::npos)
    return Status::Invalid(what + ": '" + v + "' is not a non-negative integer");
  uint64_t n = std::stoull(v);
  if (n < lo || n > hi)
    return Status::Invalid(what + ": " + v + " is out of range " + std::to_string(lo) + "-" + std::to_string(hi));
  *out = n;
  return Status::Ok();
}

Status ParseBool(const std::string &what, const std::string &v, bool *out) {
  if (v == "true" || v == "on" || v == "yes" || v == "1") *out = true;
  else if (v == "false" || v == "off" || v == "no" || v == "0") *out = false;
  else return Status::Invalid(what + ": '" + v + "' is not a boolean (true/false)");
  return Status::Ok();
}

Status AddUrl(const std::string &what, const std::string &text, bool listen, std::vector<Url> *list) {
  Url u;
  Status s = ParseUrl(text, &u);
  if (!s.ok()) return Status::Invalid(what + ": " + s.message());
  if (listen && u.scheme == Scheme::kIpfix)
    return Status::Invalid(what + ": ipfix:// is an output; to receive NetFlow/IPFIX use netflow://HOST:PORT");
  if (!listen && u.scheme == Scheme::kNetflow)
    return Status::Invalid(what + ": netflow:// is an input; to export IPFIX use ipfix://HOST:PORT");
  if (!listen && u.scheme == Scheme::kSflow)
    return Status::Invalid(what + ": sflow:// is an input (an sFlow v5 collector), not an output");
  if (listen && u.scheme == Scheme::kKafka)
    return Status::Invalid(what + ": kafka:// is an output (a Kafka producer), not an input");
  list->push_back(u);
  return Status::Ok();
}

// --forward-shard URL,URL,...: FastNetMon Flow targets, at most 64.
Status AddShard(const std::string &what, const std::string &v, Options *o) {
  std::vector<Url> group;
  size_t start = 0;
  while (start <= v.size()) {
    size_t comma = v.find(',', start);
    std::string one = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (one.empty()) return Status::Invalid(what + ": empty URL in '" + v + "'");
    Url u;
    Status s = ParseUrl(one, &u);
    if (!s.ok()) return Status::Invalid(what + ": " + s.message());
    if (u.scheme != Scheme::kUdp && u.scheme != Scheme::kTcp && u.scheme != Scheme::kTls)
      return Status::Invalid(what + ": " + one + ": shards are FastNetMon Flow targets (udp://, tcp://, tls://)");
    group.push_back(u);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (group.size() > 64) return Status::Invalid(what + ": at most 64 targets");
  o->forward_shards.push_back(group);
  return Status::Ok();
}

Status AddOutput(const std::string &what, const std::string &v, Options *o) {
  if (v.rfind("jsonl:", 0) != 0 || v.size() == 6)
    return Status::Invalid(what + ": '" + v + "' is not jsonl:PATH or jsonl:-");
  o->jsonl_outputs.push_back(v.substr(6));
  return Status::Ok();
}

// Applies one setting; `key` is a flag name without dashes or a config key.
Status Apply(const std::string &what, const std::string &key, const std::string &v, Options *o) {
  uint64_t n = 0;
  if (key == "listen") return AddUrl(what, v, true, &o->listen);
  if (key == "forward") return AddUrl(what, v, false, &o->forward);
  if (key == "output") return AddOutput(what, v, o);
  if (key == "forward-shard") return AddShard(what, v, o);
  if (key == "shard-prefix-v4" || key == "shard-prefix-v6") {
    bool v4 = key == "shard-prefix-v4";
    Status s = ParseUint(what, v, 0, v4 ? 32 : 128, &n);
    (v4 ? o->shard_prefix_v4 : o->shard_prefix_v6) = static_cast<unsigned>(n);
    return s;
  }
  if (key == "shard-down") {
    if (v != "queue" && v != "rehash") return Status::Invalid(what + ": '" + v + "' is not queue or rehash");
    o->shard_rehash = v == "rehash";
    return Status::Ok();
  }
  if (key == "tls-cert" || key == "tera_flow_tls_certificate_path") { o->tls_cert = v; return Status::Ok(); }
  if (key == "tls-key" || key == "tera_flow_tls_private_key_path") { o->tls_key = v; return Status::Ok(); }
  if (key == "tls-ca") { o->tls_ca = v; return Status::Ok(); }
  if (key == "tls-client-ca") { o->tls_client_ca = v; return Status::Ok(); }
  if (key == "tls-client-cert") { o->tls_client_cert = v; return Status::Ok(); }
  if (key == "tls-client-key") { o->tls_client_key = v; return Status::Ok(); }
  if (key == "tls-chain" || key == "tera_flow_tls_certificate_chain") return ParseBool(what, v, &o->tls_chain);
  if (key == "sampling-rate" || key == "flow_forwarder_sampling_rate") {
    Status s = ParseUint(what, v, 1, 1u << 30, &n);
    o->sampling_rate = static_cast<uint32_t>(n);
    return s;
  }
  if (key == "reconnect-interval") {
    Status s = ParseUint(what, v, 0, 86400, &n);
    o->reconnect_interval = static_cast<uint32_t>(n);
    return s;
  }
  if (key == "threads") {
    Status s = ParseUint(what, v, 0, 256, &n);
    o->threads = static_cast<unsigned>(n);
    return s;
  }
  if (key == "queue-size") {
    Status s = ParseUint(what, v, 1, 1u << 24, &n);
    o->queue_size = static_cast<size_t>(n);
    return s;
  }
  if (key == "control") {
    if (v.empty()) return Status::Invalid(what + ": empty path");
    o->control_path = v;
    return Status::Ok();
  }
  if (key == "metrics") {
    nfprom::HttpUrl u;
    std::string err = nfprom::ParseHttpUrl(v, &u);
    if (!err.empty()) return Status::Invalid(what + ": " + err);
    o->metrics_url = v;
    return Status::Ok();
  }
  return Status::Invalid(what + ": unknown setting '" + key + "'");
}

std::string Trim(const std::string &s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string Unquote(const std::string &s) {
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front())
    return s.substr(1, s.size() - 2);
  return s;
}

// A list value: `a, b c` or `["a", "b"]`.
std::vector<std::string> SplitList(const std::string &v) {
  std::vector<std::string> out;
  if (v.size() >= 2 && v.front() == '[' && v.back() == ']' && v.find('"') != std::string::npos) {
    size_t i = 0;
    while ((i = v.find('"', i)) != std::string::npos) {
      size_t j = v.find('"', i + 1);
      if (j == std::string::npos) break;
      out.push_back(v.substr(i + 1, j - i - 1));
      i = j + 1;
    }
    return out;
  }
  std::string cur;
  for (char c : v) {
    if (c == ',' || c == ' ' || c == '\t') {
      if (!cur.empty()) out.push_back(Unquote(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(Unquote(cur));
  return out;
}

bool IsListKey(const std::string &k) {
  return k == "listen" || k == "forward" || k == "output" || k == "tera_flow_local_addresses" ||
         k == "flow_forwarder_remote_addresses";
}

}  // namespace

const char *UsageText() {
  return "usage: netflow-relay [--config FILE] --listen URL... [--forward URL...] [--output jsonl:PATH|-]\n"
         "                     [--tls-cert FILE --tls-key FILE [--tls-chain]] [--tls-ca FILE]\n"
         "                     [--tls-client-ca FILE] [--tls-client-cert FILE --tls-client-key FILE]\n"
         "                     [--sampling-rate N] [--reconnect-interval SECONDS] [--queue-size N]\n"
         "                     [--control PATH] [--metrics http://HOST:PORT/metrics] [--threads N]\n"
         "                     [--forward-shard URL,URL,... [--shard-prefix-v4 N] [--shard-prefix-v6 N]\n"
         "                      [--shard-down queue|rehash]]\n"
         "       netflow-relay counters [--control PATH]\n"
         "inputs:  udp:// tcp:// tls:// (FastNetMon Flow), netflow:// (NetFlow v5/v9/IPFIX), sflow:// (sFlow v5)\n"
         "outputs: udp:// tcp:// tls://HOSTNAME (FastNetMon Flow), ipfix://,\n"
         "         kafka://BROKER[,BROKER...]/TOPIC[?format=capnp|json&LIBRDKAFKA_PROPERTY=VALUE...]\n";
}

Status LoadConfigFile(const std::string &path, Options *o) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Invalid("cannot read config file '" + path + "': " + std::strerror(errno));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.size() > (1 << 20)) return Status::Invalid("config file '" + path + "' is over 1 MiB");
  return ParseConfigText(text, path, o);
}

Status ParseConfigText(const std::string &text, const std::string &name, Options *o) {
  std::istringstream in(text);
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    std::string what = name + ":" + std::to_string(lineno);
    size_t hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    line = Trim(line);
    if (line.empty()) continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos) return Status::Invalid(what + ": expected 'key = value'");
    std::string key = Trim(line.substr(0, eq));
    std::string value = Trim(line.substr(eq + 1));
    for (char &c : key)
      if (c == '_' && key.rfind("tera_flow", 0) != 0 && key.rfind("flow_forwarder", 0) != 0) c = '-';
    if (key == "tera_flow_local_addresses") key = "listen";
    if (key == "flow_forwarder_remote_addresses") key = "forward";
    if (IsListKey(key)) {
      for (const std::string &item : SplitList(value)) {
        Status s = Apply(what, key, item, o);
        if (!s.ok()) return s;
      }
      continue;
    }
    Status s = Apply(what, key, Unquote(value), o);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status ParseCommandLine(int argc, const char *const *argv, Command *cmd, Options *o) {
  *cmd = Command::kRun;
  int i = 1;
  if (argc > 1 && std::strcmp(argv[1], "counters") == 0) {
    *cmd = Command::kCounters;
    i = 2;
  }
  for (; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      *cmd = Command::kHelp;
      return Status::Ok();
    }
    if (arg.rfind("--", 0) != 0) return Status::Invalid("unexpected argument '" + arg + "'");
    std::string name = arg.substr(2), value;
    bool has_value = false;
    size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    if (*cmd == Command::kCounters && name != "control")
      return Status::Invalid("'counters' takes only --control PATH, not --" + name);
    if (name == "tls-chain") {
      if (has_value) {
        Status s = ParseBool("--tls-chain", value, &o->tls_chain);
        if (!s.ok()) return s;
      } else {
        o->tls_chain = true;
      }
      continue;
    }
    static const char *kWithValue[] = {"listen", "forward", "output", "tls-cert", "tls-key", "tls-ca",
                                       "tls-client-ca", "tls-client-cert", "tls-client-key",
                                       "sampling-rate", "reconnect-interval", "queue-size", "control",
                                       "metrics", "config", "forward-shard", "shard-prefix-v4",
                                       "shard-prefix-v6", "shard-down", "threads"};
    bool known = false;
    for (const char *k : kWithValue) known = known || name == k;
    if (!known) return Status::Invalid("unknown flag '--" + name + "' (see --help)");
    if (!has_value) {
      if (i + 1 >= argc) return Status::Invalid("flag '--" + name + "' needs a value");
      value = argv[++i];
    }
    Status s = name == "config" ? LoadConfigFile(value, o) : Apply("--" + name, name, value, o);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status ValidateOptions(const Options &o) {
  if (o.listen.empty()) return Status::Invalid("nothing to listen on: give at least one --listen URL");
  bool tls_in = false;
  for (const Url &u : o.listen) tls_in = tls_in || u.scheme == Scheme::kTls;
  if (tls_in && (o.tls_cert.empty() || o.tls_key.empty()))
    return Status::Invalid("--listen tls:// needs --tls-cert and --tls-key");
  std::vector<Url> all_forward = o.forward;
  for (const auto &g : o.forward_shards) all_forward.insert(all_forward.end(), g.begin(), g.end());
  for (const Url &u : all_forward) {
    if (u.scheme == Scheme::kTls && u.ip_literal)
      return Status::Invalid("--forward " + u.text + ": tls:// targets must be a hostname, not the IP literal '" +
                           u.host + "' (the certificate is checked against the name)");
  }
  if (o.tls_client_cert.empty() != o.tls_client_key.empty())
    return Status::Invalid("--tls-client-cert and --tls-client-key go together");
  if (!o.tls_client_ca.empty() && !tls_in)
    return Status::Invalid("--tls-client-ca is for tls:// inputs; no --listen tls:// given");
  for (const std::string *key : {&o.tls_key, &o.tls_client_key}) {
    if (key->empty()) continue;
    struct stat st;
    if (stat(key->c_str(), &st) != 0) return Status::Invalid("TLS private key '" + *key + "': " + std::strerror(errno));
    if (st.st_mode & S_IROTH) {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
      return Status::Invalid("TLS private key '" + *key + "' is world-readable (mode " + mode +
                           "); refusing it, run chmod o-r on it");
    }
  }
  if (!o.tls_cert.empty()) {
    struct stat st;
    if (stat(o.tls_cert.c_str(), &st) != 0)
      return Status::Invalid("TLS certificate '" + o.tls_cert + "': " + std::strerror(errno));
  }
  for (const auto &[flag, file] : {std::pair<const char *, const std::string *>{"--tls-ca", &o.tls_ca},
                                   {"--tls-client-ca", &o.tls_client_ca},
                                   {"--tls-client-cert", &o.tls_client_cert}}) {
    struct stat st;
    if (!file->empty() && stat(file->c_str(), &st) != 0)
      return Status::Invalid(std::string(flag) + " '" + *file + "': " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace nfr
