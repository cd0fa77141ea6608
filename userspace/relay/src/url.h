// Endpoint URLs of netflow-relay: SCHEME://HOST[:PORT], HOST being an IPv4
// literal, a bracketed IPv6 literal or a hostname.  Parsing only checks
// syntax; resolution happens where the socket is made.
#pragma once

#include <cstdint>
#include <string>

#include "status.h"

namespace nfr {

enum class Scheme { kUdp, kTcp, kTls, kNetflow, kIpfix, kSflow };

struct Url {
  Scheme scheme = Scheme::kUdp;
  std::string host;        // without brackets
  uint16_t port = 0;
  bool ip_literal = false; // host is an IPv4 or IPv6 literal
  std::string text;        // as given, for messages

  // "host:port" with IPv6 in brackets, for log lines.
  std::string HostPort() const;
};

const char *SchemeName(Scheme s);

// Parses `text`; default port 8104 for FastNetMon Flow, 2055 for netflow/ipfix,
// 6343 for sflow.
Status ParseUrl(const std::string &text, Url *out);

}  // namespace nfr
