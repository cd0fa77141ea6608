// netflow-relay: FastNetMon Flow relay and NetFlow/IPFIX bridge.
//   netflow-relay --listen URL... [--forward URL...] [--output jsonl:PATH] ...
//   netflow-relay counters [--control PATH]
#include <signal.h>

#include <cstdio>

#include "config.h"
#include "control.h"
#include "log.h"
#include "relay.h"

int main(int argc, char **argv) {
  nfr::SetLogPrefix("netflow-relay");
  nfr::Options opts;
  nfr::Command cmd;
  nfr::Status s = nfr::ParseCommandLine(argc, argv, &cmd, &opts);
  if (!s.ok()) {
    std::fprintf(stderr, "netflow-relay: %s\n", s.message().c_str());
    return 2;
  }
  if (cmd == nfr::Command::kHelp) {
    std::fputs(nfr::UsageText(), stdout);
    return 0;
  }
  if (cmd == nfr::Command::kCounters) {
    std::string text;
    s = nfr::QueryCounters(opts.control_path, &text);
    if (!s.ok()) {
      std::fprintf(stderr, "netflow-relay: %s\n", s.message().c_str());
      return 1;
    }
    std::fputs(text.c_str(), stdout);
    return 0;
  }
  s = nfr::ValidateOptions(opts);
  if (!s.ok()) {
    std::fprintf(stderr, "netflow-relay: %s\n", s.message().c_str());
    return 2;
  }
  // Signals are taken by the loop's signalfd; block them before any thread
  // starts so every thread inherits the mask.
  signal(SIGPIPE, SIG_IGN);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  nfr::Relay relay(std::move(opts));
  s = relay.Setup();
  if (!s.ok()) {
    std::fprintf(stderr, "netflow-relay: %s\n", s.message().c_str());
    return nfr::ExitCodeOf(s);
  }
  return relay.Run();
}
