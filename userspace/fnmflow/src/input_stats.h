// What every FastNetMon Flow input hands its work to: the RecordSink that
// takes decoded records, and the counters of what arrived and what was
// refused (names in input_stats.cc).
#pragma once

#include "codec.h"
#include "counters.h"
#include "flow_record.h"

namespace nfr {

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual void Consume(const FlowRecord &r) = 0;
};

// Counter handles used by the FastNetMon Flow inputs (names in the .cc).
struct InputStats {
  explicit InputStats(Counters *c);
  Counter *total, *udp, *tcp, *tls;
  Counter *malformed, *zero_length, *too_long, *unparsable, *wrong_root;
  Counter *udp_datagrams;
  Counter *tcp_accepted, *tls_accepted, *active, *closed_bad_frame, *refused_limit;
  Counter *tls_handshake_failures, *tls_handshake_timeouts;
  void CountError(DecodeError e);
};

}  // namespace nfr
