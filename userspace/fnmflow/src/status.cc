#include "status.h"

namespace nfr {

const char *CodeName(Code c) {
  switch (c) {
    case Code::kOk: return "ok";
    case Code::kInvalid: return "invalid";
    case Code::kResolve: return "resolve";
    case Code::kConnect: return "connect";
    case Code::kTls: return "tls";
    case Code::kTimeout: return "timeout";
    case Code::kIo: return "io";
    case Code::kClosed: return "closed";
  }
  return "?";
}

}  // namespace nfr
