// The socket side of the metrics endpoints: a listening TCP socket and one
// request answered per accepted connection (blocking, with short timeouts so
// a silent client holds the server at most ~1 s).
#pragma once

#include <functional>
#include <string>

#include "prom.h"

namespace nfprom {

// Binds and listens on host:port (numeric or resolvable); returns the fd, or
// -1 with *err set.
int ListenTcp(const HttpUrl &url, std::string *err);
// Reads one request from the connected socket c, answers with Respond() and
// closes c.
void ServeConnection(int c, const std::string &path, const std::function<std::string()> &body);

}  // namespace nfprom
