#include "url.h"

#include <arpa/inet.h>

#include <cctype>

namespace nfr {

const char *SchemeName(Scheme s) {
  switch (s) {
    case Scheme::kUdp: return "udp";
    case Scheme::kTcp: return "tcp";
    case Scheme::kTls: return "tls";
    case Scheme::kNetflow: return "netflow";
    case Scheme::kIpfix: return "ipfix";
    case Scheme::kSflow: return "sflow";
    case Scheme::kKafka: return "kafka";
  }
  return "?";
}

std::string Url::HostPort() const {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

namespace {

bool ValidHostname(const std::string &h) {
  if (h.empty() || h.size() > 253) return false;
  size_t label = 0;
  for (char c : h) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
    if (++label > 63) return false;
  }
  return label > 0 || h.size() > 1;
}

// HOST[:PORT] into u->host, u->port, u->ip_literal; messages without the URL.
Status ParseHostPort(const std::string &rest, uint16_t default_port, Url *u) {
  auto bad = [](const std::string &why) { return Status::Invalid(why); };
  std::string port_text;
  if (!rest.empty() && rest[0] == '[') {
    size_t close = rest.find(']');
    if (close == std::string::npos) return bad("missing ']' after IPv6 address");
    u->host = rest.substr(1, close - 1);
    std::string after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad("expected ':PORT' after ']'");
      port_text = after.substr(1);
      if (port_text.empty()) return bad("empty port");
    }
    in6_addr a6;
    if (inet_pton(AF_INET6, u->host.c_str(), &a6) != 1) return bad("'" + u->host + "' is not an IPv6 address");
    u->ip_literal = true;
  } else {
    size_t colon = rest.rfind(':');
    if (colon != std::string::npos) {
      if (rest.find(':') != colon) return bad("IPv6 addresses must be in brackets, e.g. [::1]:8104");
      u->host = rest.substr(0, colon);
      port_text = rest.substr(colon + 1);
      if (port_text.empty()) return bad("empty port");
    } else {
      u->host = rest;
    }
    if (u->host.empty()) return bad("missing host");
    in_addr a4;
    if (inet_pton(AF_INET, u->host.c_str(), &a4) == 1) {
      u->ip_literal = true;
    } else if (!ValidHostname(u->host)) {
      return bad("'" + u->host + "' is not a valid host name or address");
    } else {
      bool digits_and_dots = u->host.find_first_not_of("0123456789.") == std::string::npos;
      if (digits_and_dots) return bad("'" + u->host + "' is not a valid IPv4 address");
    }
  }
  if (port_text.empty()) {
    u->port = default_port;
  } else {
    if (port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos)
      return bad("port '" + port_text + "' is not a number");
    unsigned long p = std::stoul(port_text);
    if (p == 0 || p > 65535) return bad("port " + port_text + " out of range 1-65535");
    u->port = static_cast<uint16_t>(p);
  }
  return Status::Ok();
}

// BROKER[,BROKER...]/TOPIC[?key=value&...] after "kafka://".
Status ParseKafka(const std::string &rest, Url *u) {
  size_t slash = rest.find('/');
  if (slash == std::string::npos) return Status::Invalid("expected kafka://BROKER[,BROKER...]/TOPIC");
  std::string brokers = rest.substr(0, slash), tail = rest.substr(slash + 1), query;
  size_t q = tail.find('?');
  if (q != std::string::npos) {
    query = tail.substr(q + 1);
    tail.resize(q);
  }
  if (brokers.empty()) return Status::Invalid("no broker before '/'");
  size_t start = 0;
  for (int i = 0; start <= brokers.size(); ++i) {
    size_t comma = brokers.find(',', start);
    std::string one = brokers.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (one.empty()) return Status::Invalid("empty broker in '" + brokers + "'");
    Url b;
    Status s = ParseHostPort(one, 9092, &b);
    if (!s.ok()) return Status::Invalid("broker '" + one + "': " + s.message());
    if (i == 0) u->host = b.host, u->port = b.port, u->ip_literal = b.ip_literal;
    if (!u->brokers.empty()) u->brokers += ",";
    u->brokers += b.HostPort();
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  // Kafka's own rule for topic names.
  if (tail.empty()) return Status::Invalid("missing topic after '/'");
  if (tail.size() > 249 || tail == "." || tail == ".." ||
      tail.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != std::string::npos)
    return Status::Invalid("topic '" + tail + "' is not a valid Kafka topic name ([a-zA-Z0-9._-], at most 249)");
  u->topic = tail;
  start = 0;
  while (!query.empty() && start <= query.size()) {
    size_t amp = query.find('&', start);
    std::string kv = query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) return Status::Invalid("expected KEY=VALUE in the query, not '" + kv + "'");
    std::string k = kv.substr(0, eq), v = kv.substr(eq + 1);
    if (k == "format") {
      if (v != "capnp" && v != "json") return Status::Invalid("format '" + v + "' is not capnp or json");
      u->json = v == "json";
    } else {
      u->properties.emplace_back(k, v);
    }
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  return Status::Ok();
}

}  // namespace

Status ParseUrl(const std::string &text, Url *out) {
  std::string shown = text;  // for messages: no control characters in log lines
  bool control = false;
  for (char &c : shown)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) control = true, c = '?';
  auto bad = [&](const std::string &why) { return Status::Invalid("bad URL '" + shown + "': " + why); };
  // inet_pton() and getaddrinfo() read up to a NUL: "udp://127.0.0.1\0junk"
  // would pass as 127.0.0.1 with junk in the host (found by nfr_fuzz_url).
  if (control) return bad("control character in URL");
  size_t sep = text.find("://");
  if (sep == std::string::npos) return bad("expected SCHEME://HOST:PORT");
  std::string scheme = text.substr(0, sep);
  Url u;
  u.text = text;
  if (scheme == "udp") u.scheme = Scheme::kUdp;
  else if (scheme == "tcp") u.scheme = Scheme::kTcp;
  else if (scheme == "tls") u.scheme = Scheme::kTls;
  else if (scheme == "netflow") u.scheme = Scheme::kNetflow;
  else if (scheme == "ipfix") u.scheme = Scheme::kIpfix;
  else if (scheme == "sflow") u.scheme = Scheme::kSflow;
  else if (scheme == "kafka") u.scheme = Scheme::kKafka;
  else return bad("unknown scheme '" + scheme + "' (udp, tcp, tls, netflow, sflow, ipfix, kafka)");
  std::string rest = text.substr(sep + 3);
  if (u.scheme == Scheme::kKafka) {
    Status s = ParseKafka(rest, &u);
    if (!s.ok()) return bad(s.message());
    *out = u;
    return Status::Ok();
  }
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  uint16_t default_port = u.scheme == Scheme::kSflow                                  ? 6343
                          : (u.scheme == Scheme::kNetflow || u.scheme == Scheme::kIpfix) ? 2055
                                                                                         : 8104;
  Status s = ParseHostPort(rest, default_port, &u);
  if (!s.ok()) return bad(s.message());
  *out = u;
  return Status::Ok();
}

}  // namespace nfr
