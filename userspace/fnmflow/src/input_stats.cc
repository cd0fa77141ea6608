#include "input_stats.h"

namespace nfr {

InputStats::InputStats(Counters *c)
    : total(c->Get("total_simple_packets_processed")),
      udp(c->Get("fastnetmon_flow_udp_packets")),
      tcp(c->Get("fastnetmon_flow_tcp_packets")),
      tls(c->Get("fastnetmon_flow_tls_packets")),
      malformed(c->Get("fastnetmon_flow_malformed_messages")),
      zero_length(c->Get("fastnetmon_flow_malformed_zero_length")),
      too_long(c->Get("fastnetmon_flow_malformed_too_long")),
      unparsable(c->Get("fastnetmon_flow_malformed_unparsable")),
      wrong_root(c->Get("fastnetmon_flow_malformed_wrong_root")),
      udp_datagrams(c->Get("fastnetmon_flow_udp_datagrams")),
      tcp_accepted(c->Get("fastnetmon_flow_tcp_connections_accepted")),
      tls_accepted(c->Get("fastnetmon_flow_tls_connections_accepted")),
      active(c->Get("fastnetmon_flow_connections_active")),
      closed_bad_frame(c->Get("fastnetmon_flow_connections_closed_bad_frame")),
      refused_limit(c->Get("fastnetmon_flow_connections_refused_limit")),
      tls_handshake_failures(c->Get("fastnetmon_flow_tls_handshake_failures")),
      tls_handshake_timeouts(c->Get("fastnetmon_flow_tls_handshake_timeouts")) {}

void InputStats::CountError(DecodeError e) {
  malformed->Add();
  switch (e) {
    case DecodeError::kEmpty: zero_length->Add(); break;
    case DecodeError::kTooLong: too_long->Add(); break;
    case DecodeError::kUnparsable: unparsable->Add(); break;
    case DecodeError::kWrongRoot: wrong_root->Add(); break;
    case DecodeError::kNone: break;
  }
}

}  // namespace nfr
