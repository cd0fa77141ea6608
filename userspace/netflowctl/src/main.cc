// netflowctl: statistics, parameters and flows of the ipt_NETFLOW module over
// generic netlink, and its statistics as Prometheus metrics.  See
// man/netflowctl.8.  Exit status: 0 success, 1 the operation failed (module
// not loaded, permission denied, value refused, ...), 2 bad usage.
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "format.h"
#include "genl_client.h"
#include "http_server.h"
#include "netflow_genl.h"
#include "prom_stats.h"

namespace {

using nfctl::Error;
using nfctl::GenlClient;

const char kUsage[] =
    "usage: netflowctl stats [--json]\n"
    "       netflowctl flows [--json] [--count] [--verbose] [KEY=VALUE...]\n"
    "                   keys: family proto src dst host sport dport port iif oif\n"
    "       netflowctl get [NAME]\n"
    "       netflowctl set NAME VALUE\n"
    "       netflowctl watch [--interval SECONDS] [--iterations N]\n"
    "       netflowctl monitor [--iterations N]\n"
    "       netflowctl serve [--listen HOST:PORT] (default 127.0.0.1:9106, path /metrics)\n"
    "       netflowctl --help | --version\n";

int Usage(const std::string &msg) {
  std::cerr << "netflowctl: " << msg << "\n" << kUsage;
  return 2;
}

int Fail(const std::string &what, const Error &e) {
  std::string msg = e.message;
  if (e.errnum == EPERM || e.errnum == EACCES)
    msg = std::string(std::strerror(e.errnum)) + " (needs CAP_NET_ADMIN)";
  std::cerr << "netflowctl: " << (what.empty() ? "" : what + ": ") << msg << "\n";
  return 1;
}

struct Args {
  std::string cmd;
  std::vector<std::string> pos;
  bool json = false, count = false, verbose = false;
  double interval = 1;
  unsigned long iterations = 0;
  std::string listen = "127.0.0.1:9106";
  nfctl::FlowFilter filter;
};

// Flags each command accepts.
bool Allowed(const std::string &cmd, const std::string &flag) {
  if (flag == "--json") return cmd == "stats" || cmd == "flows";
  if (flag == "--count" || flag == "--verbose") return cmd == "flows";
  if (flag == "--interval") return cmd == "watch";
  if (flag == "--iterations") return cmd == "watch" || cmd == "monitor";
  if (flag == "--listen") return cmd == "serve";
  return false;
}

bool ParseUlong(const std::string &s, unsigned long *out) {
  if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos) return false;
  *out = std::stoul(s);
  return true;
}

int ParseArgs(int argc, char **argv, Args *a) {
  if (argc < 2) return Usage("no command given");
  a->cmd = argv[1];
  static const char *cmds[] = {"stats", "flows", "get", "set", "watch", "monitor", "serve"};
  bool known = false;
  for (const char *c : cmds) known |= a->cmd == c;
  if (!known) {
    if (a->cmd.rfind("-", 0) == 0) return Usage("unknown flag '" + a->cmd + "'");
    return Usage("unknown command '" + a->cmd + "'");
  }
  for (int i = 2; i < argc; ++i) {
    std::string s = argv[i];
    if (s.rfind("--", 0) != 0 || s == "--") {
      a->pos.push_back(s);
      continue;
    }
    std::string value;
    size_t eq = s.find('=');
    bool has_value = eq != std::string::npos;
    if (has_value) {
      value = s.substr(eq + 1);
      s = s.substr(0, eq);
    }
    if (!Allowed(a->cmd, s)) return Usage("unknown flag '" + s + "' for '" + a->cmd + "'");
    bool takes = s == "--interval" || s == "--iterations" || s == "--listen";
    if (takes && !has_value) {
      if (i + 1 >= argc) return Usage("flag '" + s + "' needs a value");
      value = argv[++i];
    } else if (!takes && has_value) {
      return Usage("flag '" + s + "' takes no value");
    }
    if (s == "--json") a->json = true;
    else if (s == "--count") a->count = true;
    else if (s == "--verbose") a->verbose = true;
    else if (s == "--listen") a->listen = value;
    else if (s == "--iterations") {
      if (!ParseUlong(value, &a->iterations)) return Usage("flag '--iterations' needs a count, not '" + value + "'");
    } else if (s == "--interval") {
      char *end = nullptr;
      a->interval = std::strtod(value.c_str(), &end);
      if (value.empty() || *end || !(a->interval >= 0.1 && a->interval <= 3600))
        return Usage("flag '--interval' needs seconds 0.1..3600, not '" + value + "'");
    }
  }
  size_t want_min = 0, want_max = 0;
  if (a->cmd == "flows") want_max = SIZE_MAX;
  if (a->cmd == "get") want_max = 1;
  if (a->cmd == "set") want_min = want_max = 2;
  if (a->pos.size() < want_min) return Usage("'" + a->cmd + "' needs NAME VALUE");
  if (a->pos.size() > want_max) return Usage("unexpected argument '" + a->pos[want_max] + "' for '" + a->cmd + "'");
  if (a->cmd == "flows") {
    std::string ferr = a->filter.Parse(a->pos);
    if (!ferr.empty()) return Usage(ferr);
  }
  return 0;
}

int CmdStats(GenlClient &c, const Args &a) {
  nfctl::Stats s;
  Error e = c.GetStats(&s);
  if (!e.ok()) return Fail("stats", e);
  std::cout << (a.json ? nfctl::StatsJson(s) : nfctl::StatsText(s));
  return 0;
}

int CmdFlows(GenlClient &c, const Args &a) {
  unsigned long n = 0, messages = 0;
  if (!a.json && !a.count) std::cout << nfctl::kFlowTextHeader;
  std::string line;
  Error e = c.DumpFlows(
      [&](const nfctl::Flow &f) {
        if (!a.filter.Match(f)) return;
        ++n;
        if (a.count) return;
        line = a.json ? nfctl::FlowJson(f) : nfctl::FlowText(f);
        line += '\n';
        std::cout << line;  // streamed: nothing is kept
      },
      &messages);
  std::cout.flush();
  if (!e.ok()) return Fail("flows", e);
  if (a.count) std::cout << n << "\n";
  if (a.verbose) std::cerr << "netflowctl: " << n << " flows in " << messages << " netlink messages\n";
  return 0;
}

int CmdGet(GenlClient &c, const Args &a) {
  std::vector<nfctl::Param> ps;
  Error e = c.GetParams(a.pos.empty() ? nullptr : &a.pos[0], &ps);
  if (e.errnum == ENOENT && !a.pos.empty()) return Fail("", Error{ENOENT, "unknown parameter '" + a.pos[0] + "'"});
  if (!e.ok()) return Fail("get", e);
  for (const auto &p : ps) std::cout << (a.pos.empty() ? p.name + " = " + p.value : p.value) << "\n";
  return 0;
}

int CmdSet(GenlClient &c, const Args &a) {
  Error e = c.SetParam(a.pos[0], a.pos[1]);
  if (e.errnum == ENOENT) return Fail("", Error{ENOENT, "unknown parameter '" + a.pos[0] + "'"});
  // the same words as sysctl(8): `sysctl: setting key "...": Invalid argument`
  if (!e.ok()) return Fail("setting \"" + a.pos[0] + "\"", e);
  std::vector<nfctl::Param> ps;
  if (c.GetParams(&a.pos[0], &ps).ok() && ps.size() == 1) std::cout << ps[0].name << " = " << ps[0].value << "\n";
  return 0;
}

volatile sig_atomic_t g_stop = 0;

int CmdWatch(GenlClient &c, const Args &a) {
  nfctl::Stats prev, cur;
  Error e = c.GetStats(&prev);
  if (!e.ok()) return Fail("watch", e);
  bool tty = isatty(STDOUT_FILENO);
  auto t0 = std::chrono::steady_clock::now();
  for (unsigned long i = 0; !g_stop && (!a.iterations || i < a.iterations); ++i) {
    std::this_thread::sleep_for(std::chrono::duration<double>(a.interval));
    e = c.GetStats(&cur);
    if (!e.ok()) return Fail("watch", e);
    auto t1 = std::chrono::steady_clock::now();
    double secs = std::chrono::duration<double>(t1 - t0).count();
    std::cout << (tty ? "\033[H\033[2J" : "") << nfctl::WatchScreen(prev, cur, secs) << (tty ? "" : "\n");
    std::cout.flush();
    prev = cur;
    t0 = t1;
  }
  return 0;
}

int CmdMonitor(GenlClient &c, const Args &a) {
  Error e = c.Monitor(
      [](const nfctl::Param &p) {
        std::cout << p.name << " = " << p.value << std::endl;
      },
      a.iterations);
  if (!e.ok()) return Fail("monitor", e);
  return 0;
}

int CmdServe(const Args &a) {
  nfprom::HttpUrl url;
  std::string err = nfprom::ParseHttpUrl(a.listen, &url);
  if (!err.empty()) return Usage("--listen: " + err);
  int fd = nfprom::ListenTcp(url, &err);
  if (fd < 0) {
    std::cerr << "netflowctl: serve: " << err << "\n";
    return 1;
  }
  std::cerr << "netflowctl: serving metrics on http://" << a.listen << url.path << "\n";
  auto body = [] {
    GenlClient c;  // a fresh socket per scrape: survives module reloads
    nfctl::Stats s;
    if (c.Open().ok() && c.GetStats(&s).ok()) return nfctl::MetricsText(&s);
    return nfctl::MetricsText(nullptr);
  };
  while (!g_stop) {
    int conn = accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) {
      if (errno == EINTR) continue;
      std::cerr << "netflowctl: serve: accept: " << std::strerror(errno) << "\n";
      close(fd);
      return 1;
    }
    nfprom::ServeConnection(conn, url.path, body);
  }
  close(fd);
  return 0;
}

void OnSignal(int) { g_stop = 1; }

}  // namespace

int main(int argc, char **argv) {
  if (argc >= 2 && (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h")) {
    std::cout << kUsage;
    return 0;
  }
  if (argc >= 2 && std::string(argv[1]) == "--version") {
    std::cout << "netflowctl (ipt-netflow-ng) 3.0, netlink API " << NETFLOW_GENL_VERSION << "\n";
    return 0;
  }
  Args a;
  int rc = ParseArgs(argc, argv, &a);
  if (rc) return rc;
  // SIGPIPE stays fatal for the listing commands (`netflowctl flows | head` ends the
  // dump); the server writes with MSG_NOSIGNAL.
  if (a.cmd == "serve" || a.cmd == "watch") {
    struct sigaction sa {};
    sa.sa_handler = OnSignal;  // no SA_RESTART: accept() returns, the loop ends
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
  }
  if (a.cmd == "serve") return CmdServe(a);
  GenlClient c;
  Error e = c.Open();
  if (!e.ok()) return Fail("", e);
  if (a.cmd == "stats") return CmdStats(c, a);
  if (a.cmd == "flows") return CmdFlows(c, a);
  if (a.cmd == "get") return CmdGet(c, a);
  if (a.cmd == "set") return CmdSet(c, a);
  if (a.cmd == "watch") return CmdWatch(c, a);
  return CmdMonitor(c, a);
}
