// libFuzzer entry: URL and config file parsing.  The input is parsed as a
// URL, as config text and as a command line split on NUL bytes; nothing may
// crash, and every failure must carry a message.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "config.h"
#include "url.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  nfr::Url u;
  nfr::Status s = nfr::ParseUrl(text, &u);
  if (!s.ok() && s.message().empty()) std::abort();
  nfr::Options o;
  s = nfr::ParseConfigText(text, "fuzz", &o);
  if (!s.ok() && s.message().empty()) std::abort();
  if (s.ok()) (void)nfr::ValidateOptions(o);
  std::vector<std::string> args{"netflow-relay"};
  size_t start = 0;
  for (size_t i = 0; i <= text.size() && args.size() < 64; ++i) {
    if (i == text.size() || text[i] == '\0') {
      args.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  std::vector<const char *> argv;
  for (const std::string &a : args) argv.push_back(a.c_str());
  nfr::Options o2;
  nfr::Command cmd;
  // --config would read files named by the fuzzer; keep it to in-memory input.
  for (const std::string &a : args)
    if (a.find("--config") == 0) return 0;
  s = nfr::ParseCommandLine(static_cast<int>(argv.size()), argv.data(), &cmd, &o2);
  if (!s.ok() && s.message().empty()) std::abort();
  return 0;
}
