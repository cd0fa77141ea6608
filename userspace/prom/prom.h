// Prometheus text exposition format (version 0.0.4) and the HTTP/1.1 answer
// that carries it, shared by `netflowctl serve` and `netflow-relay --metrics`.
// Pure code: no sockets, unit-tested in prom_test.cc.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nfprom {

enum class Type { kCounter, kGauge };

using Labels = std::vector<std::pair<std::string, std::string>>;

// Metric families in the order first added; samples in the order added.
// Each family gets one # HELP and one # TYPE line.  Names and label names
// must match [a-zA-Z_:][a-zA-Z0-9_:]* / [a-zA-Z_][a-zA-Z0-9_]* (checked:
// a bad one throws std::invalid_argument, a programming error).
class Exposition {
 public:
  void Add(const std::string &name, Type type, const std::string &help, const Labels &labels, uint64_t value);
  void Add(const std::string &name, Type type, const std::string &help, const Labels &labels, double value);
  std::string Text() const;
  size_t families() const { return families_.size(); }

 private:
  struct Family {
    std::string name, help;
    Type type;
    std::vector<std::string> samples;  // "name{labels} value"
  };
  void AddSample(const std::string &name, Type type, const std::string &help, const Labels &labels,
                 const std::string &value);
  std::vector<Family> families_;
};

bool ValidMetricName(std::string_view name);
bool ValidLabelName(std::string_view name);
std::string EscapeLabelValue(std::string_view v);  // \ " and newline
std::string EscapeHelp(std::string_view v);        // \ and newline
// A metric name made from free text: [^a-zA-Z0-9_:] -> '_', leading digit prefixed.
std::string SanitizeName(std::string_view s);

constexpr const char *kContentType = "text/plain; version=0.0.4; charset=utf-8";

// Whether `data` holds a complete request head (ends with an empty line).
bool RequestComplete(std::string_view data);
// The whole HTTP/1.1 response to one request: GET or HEAD of `path` -> 200
// with body() (a string; called only then), another path -> 404, another
// method -> 405, garbage -> 400.  Always "Connection: close".
std::string Respond(std::string_view request, const std::string &path, const std::function<std::string()> &body);

// "http://HOST:PORT/PATH" or "HOST:PORT" (path defaults to /metrics).
struct HttpUrl {
  std::string host;
  uint16_t port = 0;
  std::string path = "/metrics";
};
// Returns an error message, empty on success.
std::string ParseHttpUrl(std::string_view text, HttpUrl *out);

}  // namespace nfprom
