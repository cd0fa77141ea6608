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
#include <memory>
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

// Largest frame EncodeFrame writes: length, segment table, root pointer,
// 12 data words, 4 pointers, two 16-byte and two 6-byte Data blobs.
inline constexpr size_t kMaxFrameBytes = 8 + 8 + 8 * (1 + 12 + 4 + 2 + 2 + 1 + 1);

// Appends the flat-array serialisation of `rec` to `out`: the very bytes
// capnp::messageToFlatArray gives for a MallocMessageBuilder filled field by
// field (EncodeMessageReference), written directly.
void EncodeMessage(const FlowRecord &rec, std::string *out);

// Appends an 8-byte little-endian length and the message to `out`.
void EncodeFrame(const FlowRecord &rec, std::string *out);
// Writes one frame to `dst` (room for kMaxFrameBytes), returns its size.
size_t EncodeFrameTo(const FlowRecord &rec, uint8_t *dst);

// Decodes exactly one message occupying all of [data, data+len).  The usual
// shape is read in place (no copy, no allocation); anything else goes
// through Cap'n Proto's reader (DecodeMessageReference).
DecodeError DecodeMessage(const uint8_t *data, size_t len, FlowRecord *rec);

// The same through the Cap'n Proto library (builder / FlatArrayMessageReader);
// the contract the direct versions are tested against.
void EncodeMessageReference(const FlowRecord &rec, std::string *out);
DecodeError DecodeMessageReference(const uint8_t *data, size_t len, FlowRecord *rec);

// Incremental frame parser for one TCP/TLS stream.  Feed bytes as they come;
// Next() yields whole records until more input is needed.  Once an error is
// returned the stream is broken and the reader stays in that error.
//
// To avoid a copy, a reader can also receive straight into the buffer:
// WriteSpace(n) returns room for at least n bytes, Commit(k) adds the k
// bytes written there.  Messages are decoded in place (the buffer is
// 8-byte aligned and frames keep that alignment).
class FrameReader {
 public:
  enum class Result { kRecord, kNeedMore, kError };

  FrameReader();
  ~FrameReader();
  FrameReader(const FrameReader &) = delete;
  FrameReader &operator=(const FrameReader &) = delete;

  void Feed(const uint8_t *data, size_t len);
  uint8_t *WriteSpace(size_t want);
  void Commit(size_t n);
  Result Next(FlowRecord *rec);
  // Moves the bytes not consumed yet (a partial frame) to `dst` and empties
  // the reader; returns how many.  For callers that parse most input in a
  // shared buffer (ParseFrame) and keep only the partial tail per stream.
  size_t TakeBuffered(uint8_t *dst);
  DecodeError error() const { return error_; }
  size_t buffered() const { return end_ - pos_; }

 private:
  uint8_t *bytes() { return reinterpret_cast<uint8_t *>(buf_.get()); }
  std::unique_ptr<uint64_t[]> buf_;
  size_t cap_ = 0, pos_ = 0, end_ = 0;
  DecodeError error_ = DecodeError::kNone;
};

// One step of frame parsing over [buf, buf+len) from *pos (8-byte aligned
// buf for the in-place decode): kRecord advances *pos past the frame,
// kNeedMore leaves it at the partial frame, kError sets *err.
FrameReader::Result ParseFrame(const uint8_t *buf, size_t len, size_t *pos, FlowRecord *rec, DecodeError *err);

}  // namespace nfr
