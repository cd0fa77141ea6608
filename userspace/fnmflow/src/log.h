// Log: one line per event, by default on stderr as "PREFIX: ...".  Rate
// limited to keep a flood of bad peers from flooding the journal; what was
// suppressed is reported once the flood passes.  Thread-safe.
#pragma once

#include <string>

namespace nfr {

void Log(const std::string &line);

// The program name put before each line on stderr (default "fnmflow";
// netflow-relay sets its own).  Call before starting threads.
void SetLogPrefix(const std::string &prefix);

// Sends the lines to `fn` instead of stderr (nullptr: back to stderr).
// `fn` is called with the logging lock held, from any thread.
using LogHandler = void (*)(void *ctx, const char *line);
void SetLogHandler(LogHandler fn, void *ctx);

}  // namespace nfr
