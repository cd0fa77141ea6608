// JSON Lines rendering of FlowRecord: one object per record, keys are the
// SimplePacketType field names, IPv4/IPv6 addresses as text, MACs as
// aa:bb:cc:dd:ee:ff (null when absent), srcIpv6/dstIpv6 null unless
// ipProtocolVersion is 6.
#pragma once

#include <cstdio>
#include <string>

#include "flow_record.h"
#include "status.h"

namespace nfr {

// Appends one JSON object and a newline to `out`.
void AppendJson(const FlowRecord &r, std::string *out);

// Buffered writer to a file (appended to) or stdout ("-").
class JsonlWriter {
 public:
  ~JsonlWriter();
  Status Open(const std::string &path);
  void Write(const FlowRecord &r);
  void Flush();
  uint64_t written() const { return written_; }

 private:
  FILE *f_ = nullptr;
  bool owned_ = false;
  std::string buf_;
  uint64_t written_ = 0;
};

}  // namespace nfr
