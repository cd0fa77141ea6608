// The check both NetFlow fuzz entry points make on every decoded batch: the
// records re-encoded as IPFIX must decode again, all of them (the encoder must
// always produce what the decoder accepts). Aborts otherwise.
#pragma once
#include <chrono>
#include <cstdlib>
#include <vector>

#include "ipfix_encoder.h"
#include "netflow_decoder.h"

namespace nfr {

inline void FuzzRoundTrip(const std::vector<FlowRecord> &records, const ExporterAddress &exporter,
                          std::chrono::system_clock::time_point now) {
  if (records.empty()) return;
  IpfixEncoder encoder;
  std::vector<std::vector<uint8_t>> messages;
  encoder.encode(records, now, messages);
  NetflowDecoder check;
  std::vector<FlowRecord> again;
  for (const auto &m : messages)
    if (!check.feed(m, exporter, now, again)) std::abort();
  if (again.size() != records.size()) std::abort();
}

}  // namespace nfr
