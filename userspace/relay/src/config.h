// Command line and config file of netflow-relay.  Flags per DESIGN.md
// ("Userspace contract"); the config file takes `key = value` lines with the
// FastNetMon key names of FASTNETMON_FLOW.md (and the flag names as keys).
// Every problem comes back as a Status naming it; main() exits 2 on those.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "status.h"
#include "url.h"

namespace nfr {

inline constexpr const char *kDefaultControlPath = "/run/netflow-relay.sock";

struct Options {
  std::vector<Url> listen;
  std::vector<Url> forward;
  std::vector<std::vector<Url>> forward_shards;  // --forward-shard URL,URL,... (each a group)
  unsigned shard_prefix_v4 = 24, shard_prefix_v6 = 64;
  bool shard_rehash = false;                     // --shard-down rehash (default queue)
  std::vector<std::string> jsonl_outputs;  // paths, "-" = stdout
  std::string tls_cert, tls_key, tls_ca;
  std::string tls_client_ca;                    // tls:// inputs: require client certificates
  std::string tls_client_cert, tls_client_key;  // tls:// outputs: present this certificate
  bool tls_chain = false;
  uint32_t sampling_rate = 1;       // 1-in-N for forwarded records
  uint32_t reconnect_interval = 60; // seconds
  size_t queue_size = 1 << 18;      // messages per forward target
  unsigned threads = 1;             // loop threads (--threads; 0 = one per CPU)
  std::string control_path = kDefaultControlPath;
  std::string metrics_url;           // --metrics http://HOST:PORT/PATH, empty = off
};

enum class Command { kRun, kCounters, kHelp };

// argv[0] is skipped.  `netflow-relay counters [--control PATH]` gives kCounters.
Status ParseCommandLine(int argc, const char *const *argv, Command *cmd, Options *opts);

// Reads a config file into `opts` (lists append, scalars replace).
Status LoadConfigFile(const std::string &path, Options *opts);
// The same for config text; `name` prefixes messages ("name:line: ...").
Status ParseConfigText(const std::string &text, const std::string &name, Options *opts);

// Cross-field checks once everything is read: inputs present, TLS files set
// and private key not world-readable, tls:// targets are hostnames.
Status ValidateOptions(const Options &opts);

const char *UsageText();

}  // namespace nfr
