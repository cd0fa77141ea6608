// Endpoint URLs of netflow-relay: SCHEME://HOST[:PORT], HOST being an IPv4
// literal, a bracketed IPv6 literal or a hostname; and
// kafka://BROKER[,BROKER...]/TOPIC[?format=capnp|json&PROPERTY=VALUE...]
// (BROKER = HOST[:PORT], default port 9092).  Parsing only checks syntax;
// resolution happens where the socket is made, Kafka properties are checked
// by librdkafka when the output is made.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "status.h"

namespace nfr {

enum class Scheme { kUdp, kTcp, kTls, kNetflow, kIpfix, kSflow, kKafka };

struct Url {
  Scheme scheme = Scheme::kUdp;
  std::string host;        // without brackets
  uint16_t port = 0;
  bool ip_literal = false; // host is an IPv4 or IPv6 literal
  std::string text;        // as given, for messages
  // kafka:// only (host/port above are the first broker's):
  std::string brokers;     // "host:port,..." as given (librdkafka's bootstrap.servers)
  std::string topic;
  bool json = false;       // ?format=json (default capnp)
  std::vector<std::pair<std::string, std::string>> properties;  // other ?key=value, in order

  // "host:port" with IPv6 in brackets, for log lines.
  std::string HostPort() const;
};

const char *SchemeName(Scheme s);

// Parses `text`; default port 8104 for FastNetMon Flow, 2055 for netflow/ipfix,
// 6343 for sflow, 9092 for kafka brokers.
Status ParseUrl(const std::string &text, Url *out);

}  // namespace nfr
