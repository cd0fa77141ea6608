// Control socket: a unix stream socket on which the running relay answers
// every connection with its counters ("name value" lines) and closes it.
// QueryCounters() is the client used by `netflow-relay counters`.
#pragma once

#include <string>

#include "counters.h"
#include "event_loop.h"
#include "status.h"

namespace nfr {

class ControlServer : public EventHandler {
 public:
  ControlServer(std::string path, EventLoop *loop, Counters *counters);
  ~ControlServer() override;
  // Replaces a stale socket file, refuses to replace anything else.
  Status Start();
  void OnEvents(uint32_t events) override;

 private:
  std::string path_;
  EventLoop *loop_;
  Counters *counters_;
  int fd_ = -1;
};

Status QueryCounters(const std::string &path, std::string *out);

}  // namespace nfr
