// FastNetMon Flow codec: FlowRecord <-> one unpacked Cap'n Proto message
// (messageToFlatArray layout, root SimplePacketType), and the stream framing
// used on TCP/TLS (u64 little-endian length, then the message).
//
// Decoding never throws and never trusts its input: every rejected message is
// classified so callers can count it.  A bad frame on a stream is fatal for
// that stream only (the caller closes the connection).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "flow_record.h"

namespace nfr {

// Upper bound on one message, as the spec suggests ("a sane bound").
inline constexpr size_t kMaxMessageBytes = 64 * 1024;

enum class DecodeError {
  kNone = 0,
  kEmpty,        // length 0
  kTooLong,      // length over kMaxMessageBytes
  kUnparsable,   // not a valid Cap'n Proto message / trailing bytes / bad field
  kWrongRoot,    // root is not a struct of SimplePacketType's size
};

const char *DecodeErrorName(DecodeError e);

// Appends the flat-array serialisation of `rec` to `out`.
void EncodeMessage(const FlowRecord &rec, std::string *out);

// Appends an 8-byte little-endian length and the message to `out`.
void EncodeFrame(const FlowRecord &rec, std::string *out);

// Decodes exactly one message occupying all of [data, data+len).
DecodeError DecodeMessage(const uint8_t *data, size_t len, FlowRecord *rec);

// Incremental frame parser for one TCP/TLS stream.  Feed bytes as they come;
// Next() yields whole records until more input is needed.  Once an error is
// returned the stream is broken and the reader stays in that error.
class FrameReader {
 public:
  enum class Result { kRecord, kNeedMore, kError };

  void Feed(const uint8_t *data, size_t len);
  Result Next(FlowRecord *rec);
  DecodeError error() const { return error_; }
  size_t buffered() const { return buf_.size() - pos_; }

 private:
  std::vector<uint8_t> buf_;
  size_t pos_ = 0;
  DecodeError error_ = DecodeError::kNone;
};

}  // namespace nfr
