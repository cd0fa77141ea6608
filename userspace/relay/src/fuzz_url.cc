// libFuzzer entry: URL parsing (--listen, --forward, config lists).  What
// parses must be a usable endpoint: a host without NUL bytes or brackets, a
// port 1-65535, and "SCHEME://" + HostPort() must parse back to the same URL
// (kafka://: "kafka://" + brokers + "/" + topic).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "url.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  nfr::Url u;
  nfr::Status s = nfr::ParseUrl(text, &u);
  if (!s.ok()) {
    if (s.message().empty()) std::abort();
    return 0;
  }
  if (u.host.empty() || u.port == 0 || u.text != text) std::abort();
  if (u.host.find_first_of(std::string("[]/\0", 4)) != std::string::npos) std::abort();
  nfr::Url again;
  // kafka://BROKERS/TOPIC: the normalised broker list and the topic round-trip too.
  bool kafka = u.scheme == nfr::Scheme::kKafka;
  if (kafka && (u.topic.empty() || u.brokers.empty())) std::abort();
  std::string back = std::string(nfr::SchemeName(u.scheme)) + "://" + (kafka ? u.brokers + "/" + u.topic : u.HostPort());
  if (!nfr::ParseUrl(back, &again).ok()) std::abort();
  if (again.scheme != u.scheme || again.host != u.host || again.port != u.port || again.ip_literal != u.ip_literal)
    std::abort();
  if (kafka && (again.brokers != u.brokers || again.topic != u.topic)) std::abort();
  return 0;
}
