// Log: one line per event on stderr, "netflow-relay: ...".  Rate limited to
// keep a flood of bad peers from flooding the journal; what was suppressed is
// reported once the flood passes.  Thread-safe.
#pragma once

#include <string>

namespace nfr {

void Log(const std::string &line);

}  // namespace nfr
