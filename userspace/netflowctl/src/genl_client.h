// The netlink side of netflowctl: one generic netlink socket talking to the
// kernel's NETFLOW family.  Errors carry the errno the kernel answered with
// (EPERM, EINVAL, ENOENT, ...) or ENOENT + "not loaded" when the family is
// missing.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "model.h"

struct nl_sock;

namespace nfctl {

struct Error {
  int errnum = 0;       // 0 = success
  std::string message;  // one line, without the program name
  bool ok() const { return errnum == 0; }
};

class GenlClient {
 public:
  GenlClient() = default;
  ~GenlClient();
  GenlClient(const GenlClient &) = delete;
  GenlClient &operator=(const GenlClient &) = delete;

  Error Open();  // resolves the family; "module not loaded" if absent
  Error GetStats(Stats *out);
  Error GetParams(const std::string *name, std::vector<Param> *out);
  Error SetParam(const std::string &name, const std::string &value);
  // Calls fn for each flow; *messages counts the netlink messages received.
  Error DumpFlows(const std::function<void(const Flow &)> &fn, unsigned long *messages);
  // Joins the "config" group and calls fn for each change, count times
  // (0 = forever).
  Error Monitor(const std::function<void(const Param &)> &fn, unsigned long count);

 private:
  struct Request;
  Error Run(Request *r);
  nl_sock *sk_ = nullptr;
  int family_ = -1;
};

}  // namespace nfctl
