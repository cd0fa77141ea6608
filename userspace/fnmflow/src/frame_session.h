// FrameSession: the FastNetMon Flow frames (u64 LE length + message) of one
// stream connection, read from its ByteStream and decoded into a
// RecordSink, with the connection's partial frame kept between reads.  What
// the connection must do next is the Outcome; the event loop, the listener
// and the socket stay outside (inputs.cc), so this is unit-tested with a
// scripted stream (frame_session_test.cc).
#pragma once

#include <string>

#include "byte_stream.h"
#include "codec.h"
#include "input_stats.h"

namespace nfr {

class FrameSession {
 public:
  enum class Outcome {
    kWait,      // all read: wait for the socket to be readable again
    kKick,      // the round limit left bytes buffered in user space: call again
    kEnd,       // the stream ended (a partial frame is counted and logged)
    kBadFrame,  // a malformed frame: counted and logged; close the connection
  };
  // Reads per call at most (a bound, so one busy peer cannot hold the loop).
  static constexpr int kRounds = 16;
  static constexpr size_t kChunk = 256 << 10;

  FrameSession(std::string peer, RecordSink *sink, InputStats *stats) : peer_(std::move(peer)), sink_(sink), stats_(stats) {}
  // Reads what `stream` has, decoding every whole frame into the sink.
  Outcome ReadFrames(ByteStream *stream);
  // Bytes of a partial frame held for the next read.
  size_t buffered() const { return reader_.buffered(); }
  const std::string &peer() const { return peer_; }

 private:
  Outcome End();

  std::string peer_;
  RecordSink *sink_;
  InputStats *stats_;
  FrameReader reader_;
  FlowRecord rec_;
};

}  // namespace nfr
