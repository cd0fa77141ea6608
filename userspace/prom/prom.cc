#include "prom.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace nfprom {

namespace {

bool NameChar(char c, bool first, bool colon) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
  if (colon && c == ':') return true;
  return !first && c >= '0' && c <= '9';
}

bool ValidName(std::string_view n, bool colon) {
  if (n.empty()) return false;
  for (size_t i = 0; i < n.size(); ++i)
    if (!NameChar(n[i], i == 0, colon)) return false;
  return true;
}

std::string FormatDouble(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

const char *TypeName(Type t) { return t == Type::kCounter ? "counter" : "gauge"; }

}  // namespace

bool ValidMetricName(std::string_view name) { return ValidName(name, true); }
bool ValidLabelName(std::string_view name) { return ValidName(name, false) && name.substr(0, 2) != "__"; }

std::string EscapeLabelValue(std::string_view v) {
  std::string o;
  for (char c : v) {
    if (c == '\\') o += "\\\\";
    else if (c == '"') o += "\\\"";
    else if (c == '\n') o += "\\n";
    else o += c;
  }
  return o;
}

std::string EscapeHelp(std::string_view v) {
  std::string o;
  for (char c : v) {
    if (c == '\\') o += "\\\\";
    else if (c == '\n') o += "\\n";
    else o += c;
  }
  return o;
}

std::string SanitizeName(std::string_view s) {
  std::string o;
  for (char c : s) o += NameChar(c, false, true) ? c : '_';
  if (o.empty() || (o[0] >= '0' && o[0] <= '9')) o.insert(0, "_");
  return o;
}

void Exposition::Add(const std::string &name, Type type, const std::string &help, const Labels &labels,
                     uint64_t value) {
  AddSample(name, type, help, labels, std::to_string(value));
}

void Exposition::Add(const std::string &name, Type type, const std::string &help, const Labels &labels,
                     double value) {
  AddSample(name, type, help, labels, FormatDouble(value));
}

void Exposition::AddSample(const std::string &name, Type type, const std::string &help, const Labels &labels,
                           const std::string &value) {
  if (!ValidMetricName(name)) throw std::invalid_argument("bad metric name '" + name + "'");
  Family *f = nullptr;
  for (auto &x : families_)
    if (x.name == name) f = &x;
  if (!f) {
    families_.push_back(Family{name, help, type, {}});
    f = &families_.back();
  } else if (f->type != type) {
    throw std::invalid_argument("metric '" + name + "' added with two types");
  }
  std::string s = name;
  if (!labels.empty()) {
    s += '{';
    for (size_t i = 0; i < labels.size(); ++i) {
      if (!ValidLabelName(labels[i].first)) throw std::invalid_argument("bad label name '" + labels[i].first + "'");
      if (i) s += ',';
      s += labels[i].first + "=\"" + EscapeLabelValue(labels[i].second) + '"';
    }
    s += '}';
  }
  s += ' ';
  s += value;
  f->samples.push_back(std::move(s));
}

std::string Exposition::Text() const {
  std::string o;
  for (const auto &f : families_) {
    o += "# HELP " + f.name + ' ' + EscapeHelp(f.help) + '\n';
    o += "# TYPE " + f.name + ' ' + TypeName(f.type) + '\n';
    for (const auto &s : f.samples) o += s + '\n';
  }
  return o;
}

bool RequestComplete(std::string_view data) {
  return data.find("\r\n\r\n") != std::string_view::npos || data.find("\n\n") != std::string_view::npos;
}

namespace {

std::string Response(int code, const char *reason, const std::string &ctype, const std::string &body,
                     bool head = false, const char *extra = "") {
  std::string o = "HTTP/1.1 " + std::to_string(code) + ' ' + reason + "\r\n";
  o += "Content-Type: " + ctype + "\r\n";
  o += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  o += extra;
  o += "Connection: close\r\n\r\n";
  if (!head) o += body;
  return o;
}

}  // namespace

std::string Respond(std::string_view request, const std::string &path,
                    const std::function<std::string()> &body) {
  size_t eol = request.find('\n');
  std::string_view line = request.substr(0, eol);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.substr(sp2 + 1).substr(0, 5) != "HTTP/")
    return Response(400, "Bad Request", "text/plain", "bad request\n");
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  target = target.substr(0, target.find('?'));
  if (method != "GET" && method != "HEAD")
    return Response(405, "Method Not Allowed", "text/plain", "only GET\n", false, "Allow: GET, HEAD\r\n");
  if (target != path) return Response(404, "Not Found", "text/plain", "metrics are at " + path + "\n");
  return Response(200, "OK", kContentType, body(), method == "HEAD");
}

std::string ParseHttpUrl(std::string_view t, HttpUrl *out) {
  HttpUrl u;
  std::string_view rest = t;
  if (rest.substr(0, 7) == "http://") rest.remove_prefix(7);
  else if (rest.find("://") != std::string_view::npos) return "only http:// is served";
  size_t slash = rest.find('/');
  if (slash != std::string_view::npos) {
    u.path = std::string(rest.substr(slash));
    rest = rest.substr(0, slash);
  }
  size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos) return "'" + std::string(t) + "' has no :PORT";
  std::string_view host = rest.substr(0, colon), port = rest.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) return "'" + std::string(t) + "' has no host";
  unsigned long p = 0;
  if (port.empty() || port.size() > 5) return "bad port in '" + std::string(t) + "'";
  for (char c : port) {
    if (c < '0' || c > '9') return "bad port in '" + std::string(t) + "'";
    p = p * 10 + static_cast<unsigned long>(c - '0');
  }
  if (p == 0 || p > 65535) return "bad port in '" + std::string(t) + "'";
  u.host = std::string(host);
  u.port = static_cast<uint16_t>(p);
  *out = u;
  return "";
}

}  // namespace nfprom
