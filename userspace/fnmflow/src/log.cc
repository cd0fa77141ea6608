#include "log.h"

#include <chrono>
#include <cstdio>
#include <mutex>

namespace nfr {

namespace {

std::mutex mu;
std::string prefix = "fnmflow";
LogHandler handler = nullptr;
void *handler_ctx = nullptr;

void Emit(const std::string &line) {
  if (handler)
    handler(handler_ctx, line.c_str());
  else
    std::fprintf(stderr, "%s: %s\n", prefix.c_str(), line.c_str());
}

}  // namespace

void SetLogPrefix(const std::string &p) {
  std::lock_guard<std::mutex> l(mu);
  prefix = p;
}

void SetLogHandler(LogHandler fn, void *ctx) {
  std::lock_guard<std::mutex> l(mu);
  handler = fn;
  handler_ctx = ctx;
}

void Log(const std::string &line) {
  static std::chrono::steady_clock::time_point window;
  static int in_window = 0;
  static unsigned long suppressed = 0;
  constexpr int kPerSecond = 200;
  std::lock_guard<std::mutex> l(mu);
  auto now = std::chrono::steady_clock::now();
  if (now - window >= std::chrono::seconds(1)) {
    if (suppressed) Emit("(" + std::to_string(suppressed) + " log lines suppressed)");
    window = now;
    in_window = 0;
    suppressed = 0;
  }
  if (++in_window > kPerSecond) {
    ++suppressed;
    return;
  }
  Emit(line);
}

}  // namespace nfr
