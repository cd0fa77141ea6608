#include "frame_session.h"

#include <memory>
#include <string_view>

#include "log.h"

namespace nfr {

// Reads 256 KiB at a time into a buffer shared by the loop thread's
// connections and decodes the frames in place there; only a partial frame at
// the end is kept per connection (reader_), and is moved back in front of the
// next read.  Counters are added once per read, not per record.  With TLS,
// OpenSSL reads ahead (several records per read(2)), so bytes may wait inside
// it with nothing left on the socket: when the round limit leaves such bytes,
// the outcome is kKick (epoll would not call again).
FrameSession::Outcome FrameSession::ReadFrames(ByteStream *stream) {
  constexpr size_t kTail = 8 + kMaxMessageBytes;  // a partial frame is shorter
  static thread_local std::unique_ptr<uint64_t[]> shared(new uint64_t[(kTail + kChunk) / 8 + 1]);
  uint8_t *buf = reinterpret_cast<uint8_t *>(shared.get());
  const bool tls = std::string_view(stream->kind()) == "tls";
  Counter *proto = tls ? stats_->tls : stats_->tcp;
  for (int round = 0; round < kRounds; ++round) {
    size_t have = reader_.TakeBuffered(buf);
    std::string why;
    ByteStream::Read rd = stream->ReadSome(buf + have, kChunk, &why);
    if (rd.io != ByteStream::Io::kData) {
      reader_.Feed(buf, have);
      if (rd.io == ByteStream::Io::kWouldBlock) return Outcome::kWait;
      if (rd.io == ByteStream::Io::kError) Log(std::string(tls ? "TLS" : "TCP") + " read from " + peer_ + " failed: " + why);
      return End();
    }
    size_t len = have + rd.n, pos = 0;
    FrameReader::Result res;
    DecodeError err = DecodeError::kNone;
    uint64_t records = 0;
    while ((res = ParseFrame(buf, len, &pos, &rec_, &err)) == FrameReader::Result::kRecord) {
      ++records;
      sink_->Consume(rec_);
    }
    if (records) {
      proto->Add(records);
      stats_->total->Add(records);
    }
    if (res == FrameReader::Result::kError) {
      stats_->CountError(err);
      stats_->closed_bad_frame->Add();
      Log("closing " + std::string(stream->kind()) + " connection from " + peer_ + ": bad frame (" +
          DecodeErrorName(err) + ")");
      return Outcome::kBadFrame;
    }
    reader_.Feed(buf + pos, len - pos);
    if (!rd.more) return Outcome::kWait;
  }
  return stream->HasBuffered() ? Outcome::kKick : Outcome::kWait;
}

FrameSession::Outcome FrameSession::End() {
  if (reader_.buffered() > 0) {
    stats_->CountError(DecodeError::kUnparsable);
    Log("connection from " + peer_ + " ended inside a frame (" + std::to_string(reader_.buffered()) +
        " bytes dropped)");
  }
  return Outcome::kEnd;
}

}  // namespace nfr
