#include "log.h"

#include <chrono>
#include <cstdio>
#include <mutex>

namespace nfr {

void Log(const std::string &line) {
  static std::mutex mu;
  static std::chrono::steady_clock::time_point window;
  static int in_window = 0;
  static unsigned long suppressed = 0;
  constexpr int kPerSecond = 200;
  std::lock_guard<std::mutex> l(mu);
  auto now = std::chrono::steady_clock::now();
  if (now - window >= std::chrono::seconds(1)) {
    if (suppressed) std::fprintf(stderr, "netflow-relay: (%lu log lines suppressed)\n", suppressed);
    window = now;
    in_window = 0;
    suppressed = 0;
  }
  if (++in_window > kPerSecond) {
    ++suppressed;
    return;
  }
  std::fprintf(stderr, "netflow-relay: %s\n", line.c_str());
}

}  // namespace nfr
