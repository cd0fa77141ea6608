// FrameSession over a scripted ByteStream: frames cut anywhere, bad frames,
// ends inside a frame, read errors and TLS read-ahead past the round limit.
#include "frame_session.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <deque>

namespace nfr {
namespace {

// A stream that hands out the script's pieces one read at a time, then
// ends the way the script says.
class ScriptedStream : public ByteStream {
 public:
  ScriptedStream(const char *kind, std::deque<std::string> pieces, Io last)
      : kind_(kind), pieces_(std::move(pieces)), last_(last) {}
  const char *kind() const override { return kind_; }
  Handshake Accept(std::string *) override { return Handshake::kDone; }
  bool handshake_done() const override { return true; }
  Read ReadSome(uint8_t *buf, size_t cap, std::string *why) override {
    ++reads;
    if (pieces_.empty()) {
      if (last_ == Io::kError) *why = "scripted failure";
      ended_ = last_ != Io::kWouldBlock;
      return {last_};
    }
    std::string &p = pieces_.front();
    size_t n = std::min(cap, p.size());
    std::memcpy(buf, p.data(), n);
    p.erase(0, n);
    if (p.empty()) pieces_.pop_front();
    return {Io::kData, n, !pieces_.empty()};
  }
  bool HasBuffered() const override { return !pieces_.empty(); }
  void HalfClose() override {}
  // What epoll would say: data waits, or an end not yet read.
  bool readable() const { return !pieces_.empty() || (last_ != Io::kWouldBlock && !ended_); }
  int reads = 0;

 private:
  const char *kind_;
  std::deque<std::string> pieces_;
  Io last_;
  bool ended_ = false;
};

struct Collect : RecordSink {
  void Consume(const FlowRecord &r) override { got.push_back(r); }
  std::vector<FlowRecord> got;
};

FlowRecord Rec(uint16_t i) {
  FlowRecord r;
  r.ip_version = 4;
  r.src_ip = 0x0a000001u + i;
  r.dst_ip = 0xc0a80001u;
  r.src_port = i;
  r.dst_port = 53;
  r.protocol = 17;
  r.packets = 1;
  r.length = 64u + i;
  return r;
}

std::vector<FlowRecord> Recs(size_t n) {
  std::vector<FlowRecord> v;
  for (size_t i = 0; i < n; ++i) v.push_back(Rec(static_cast<uint16_t>(i)));
  return v;
}

std::string Frames(const std::vector<FlowRecord> &recs) {
  std::string s;
  for (const FlowRecord &r : recs) EncodeFrame(r, &s);
  return s;
}

std::deque<std::string> Cut(const std::string &bytes, size_t piece) {
  std::deque<std::string> d;
  for (size_t off = 0; off < bytes.size(); off += piece) d.push_back(bytes.substr(off, piece));
  return d;
}

// Calls ReadFrames as the event loop would: again while it asks (kKick) or
// while the stream is readable (epoll would report it).
FrameSession::Outcome Drain(FrameSession *fs, ScriptedStream *st) {
  FrameSession::Outcome o;
  for (int i = 0; i < 100000; ++i) {
    o = fs->ReadFrames(st);
    if (o != FrameSession::Outcome::kKick && !(o == FrameSession::Outcome::kWait && st->readable())) break;
  }
  return o;
}

TEST_CASE("frame session: frames cut at any size arrive whole and in order", "[frame_session]") {
  const std::vector<FlowRecord> recs = Recs(40);
  const std::string bytes = Frames(recs);
  for (size_t piece : {size_t{1}, size_t{3}, size_t{7}, size_t{8}, size_t{9}, size_t{61}, size_t{4096}, bytes.size()}) {
    INFO("pieces of " << piece << " bytes");
    Counters c;
    InputStats stats(&c);
    Collect sink;
    FrameSession fs("peer", &sink, &stats);
    ScriptedStream st("tcp", Cut(bytes, piece), ByteStream::Io::kWouldBlock);
    CHECK(Drain(&fs, &st) == FrameSession::Outcome::kWait);
    CHECK(sink.got == recs);
    CHECK(fs.buffered() == 0);
    CHECK(c.Value("fastnetmon_flow_tcp_packets") == recs.size());
    CHECK(c.Value("total_simple_packets_processed") == recs.size());
    CHECK(c.Value("fastnetmon_flow_tls_packets") == 0);
    CHECK(c.Value("fastnetmon_flow_malformed_messages") == 0);
  }
}

TEST_CASE("frame session: a partial frame waits for the rest", "[frame_session]") {
  const std::string one = Frames({Rec(1)});
  Counters c;
  InputStats stats(&c);
  Collect sink;
  FrameSession fs("peer", &sink, &stats);
  ScriptedStream head("tcp", {one.substr(0, one.size() - 1)}, ByteStream::Io::kWouldBlock);
  CHECK(fs.ReadFrames(&head) == FrameSession::Outcome::kWait);
  CHECK(sink.got.empty());
  CHECK(fs.buffered() == one.size() - 1);
  ScriptedStream tail("tcp", {one.substr(one.size() - 1)}, ByteStream::Io::kWouldBlock);
  CHECK(fs.ReadFrames(&tail) == FrameSession::Outcome::kWait);
  REQUIRE(sink.got.size() == 1);
  CHECK(sink.got[0] == Rec(1));
}

TEST_CASE("frame session: a bad frame closes the connection after the good ones", "[frame_session]") {
  struct Bad {
    std::string frame;
    const char *counter;
  };
  std::string too_long(8, '\0');
  uint64_t big = kMaxMessageBytes + 1;
  std::memcpy(too_long.data(), &big, 8);  // little-endian host, as the wire
  std::string junk = std::string("\x10\0\0\0\0\0\0\0", 8) + std::string(16, '\xff');
  for (const Bad &b : {Bad{std::string(8, '\0'), "fastnetmon_flow_malformed_zero_length"},
                       Bad{too_long, "fastnetmon_flow_malformed_too_long"},
                       Bad{junk, "fastnetmon_flow_malformed_unparsable"}}) {
    INFO(b.counter);
    Counters c;
    InputStats stats(&c);
    Collect sink;
    FrameSession fs("peer", &sink, &stats);
    ScriptedStream st("tcp", {Frames(Recs(2)) + b.frame + Frames({Rec(9)})}, ByteStream::Io::kWouldBlock);
    CHECK(fs.ReadFrames(&st) == FrameSession::Outcome::kBadFrame);
    CHECK(sink.got == Recs(2));  // nothing after the bad frame
    CHECK(c.Value(b.counter) == 1);
    CHECK(c.Value("fastnetmon_flow_malformed_messages") == 1);
    CHECK(c.Value("fastnetmon_flow_connections_closed_bad_frame") == 1);
  }
}

TEST_CASE("frame session: the end of the stream", "[frame_session]") {
  Counters c;
  InputStats stats(&c);
  SECTION("after whole frames: nothing counted against it") {
    Collect sink;
    FrameSession fs("peer", &sink, &stats);
    ScriptedStream st("tcp", {Frames(Recs(3))}, ByteStream::Io::kEnd);
    CHECK(Drain(&fs, &st) == FrameSession::Outcome::kEnd);
    CHECK(sink.got.size() == 3);
    CHECK(c.Value("fastnetmon_flow_malformed_messages") == 0);
  }
  SECTION("inside a frame: the partial frame is counted as unparsable") {
    Collect sink;
    FrameSession fs("peer", &sink, &stats);
    ScriptedStream st("tcp", {Frames(Recs(3)) + Frames({Rec(4)}).substr(0, 5)}, ByteStream::Io::kEnd);
    CHECK(Drain(&fs, &st) == FrameSession::Outcome::kEnd);
    CHECK(sink.got.size() == 3);
    CHECK(c.Value("fastnetmon_flow_malformed_unparsable") == 1);
    CHECK(c.Value("fastnetmon_flow_malformed_messages") == 1);
  }
  SECTION("a read error ends it the same way") {
    Collect sink;
    FrameSession fs("peer", &sink, &stats);
    ScriptedStream st("tls", {Frames(Recs(2))}, ByteStream::Io::kError);
    CHECK(Drain(&fs, &st) == FrameSession::Outcome::kEnd);
    CHECK(sink.got.size() == 2);
    CHECK(c.Value("fastnetmon_flow_tls_packets") == 2);
  }
}

TEST_CASE("frame session: bytes left in user space past the round limit ask for another call", "[frame_session]") {
  Counters c;
  InputStats stats(&c);
  Collect sink;
  FrameSession fs("peer", &sink, &stats);
  std::deque<std::string> pieces;
  for (int i = 0; i < FrameSession::kRounds + 4; ++i) pieces.push_back(Frames({Rec(static_cast<uint16_t>(i))}));
  ScriptedStream st("tls", pieces, ByteStream::Io::kWouldBlock);
  CHECK(fs.ReadFrames(&st) == FrameSession::Outcome::kKick);  // bounded: the loop serves others first
  CHECK(st.reads == FrameSession::kRounds);
  CHECK(sink.got.size() == static_cast<size_t>(FrameSession::kRounds));
  CHECK(fs.ReadFrames(&st) == FrameSession::Outcome::kWait);
  CHECK(sink.got.size() == static_cast<size_t>(FrameSession::kRounds + 4));
  CHECK(c.Value("fastnetmon_flow_tls_packets") == FrameSession::kRounds + 4);
}

}  // namespace
}  // namespace nfr
