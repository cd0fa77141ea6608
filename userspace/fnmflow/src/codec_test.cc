#include "codec.h"

#include <capnp/any.h>
#include <capnp/message.h>
#include <capnp/schema.h>
#include <capnp/serialize.h>

#include <catch2/catch.hpp>
#include <cstring>

#include "simple_packet.capnp.h"

namespace nfr {
namespace {

FlowRecord FullRecord() {
  FlowRecord r;
  r.source = RecordSource::FastNetMonFlow;
  r.sample_ratio = 1024;
  r.ip_version = 6;
  r.src_ip = 0x0100000a;
  r.dst_ip = 0x0200000a;
  for (int i = 0; i < 16; ++i) {
    r.src_ipv6[i] = static_cast<uint8_t>(0x20 + i);
    r.dst_ipv6[i] = static_cast<uint8_t>(0xf0 - i);
  }
  r.has_src_mac = r.has_dst_mac = true;
  r.src_mac = {0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
  r.dst_mac = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
  r.src_asn = 4200000001u;
  r.dst_asn = 65001;
  r.input_interface = 7;
  r.output_interface = 0xfffffffe;
  r.ttl = 63;
  r.src_port = 65535;
  r.dst_port = 443;
  r.protocol = 6;
  r.length = 0x123456789abcdef0ull;
  r.ip_length = 0xfedcba9876543210ull;
  r.packets = 0xffffffffffull;
  r.tcp_flags = 0x1b;
  r.ip_fragmented = true;
  r.ip_dont_fragment = true;
  r.ts_sec = -5;
  r.ts_usec = 999999;
  r.payload_length = -1;
  r.payload_full_length = 1500;
  r.direction = 3;
  r.agent_ip = 0xfe01a8c0;
  return r;
}

std::string Encode(const FlowRecord &r) {
  std::string s;
  EncodeMessage(r, &s);
  return s;
}

DecodeError Decode(const std::string &s, FlowRecord *r) {
  return DecodeMessage(reinterpret_cast<const uint8_t *>(s.data()), s.size(), r);
}

template <typename Fn>
std::string BuildRaw(Fn fn) {
  capnp::MallocMessageBuilder mb;
  fn(mb);
  auto words = capnp::messageToFlatArray(mb);
  auto b = words.asBytes();
  return std::string(reinterpret_cast<const char *>(b.begin()), b.size());
}

TEST_CASE("codec: every field survives a round trip", "[codec]") {
  FlowRecord in = FullRecord(), out;
  REQUIRE(Decode(Encode(in), &out) == DecodeError::kNone);
  CHECK(out == in);
}

TEST_CASE("codec: IPv4 record without MACs round trips", "[codec]") {
  FlowRecord in;
  in.source = RecordSource::Netflow;
  in.src_ip = 0x04030201;
  in.dst_ip = 0x08070605;
  in.src_port = 1234;
  in.packets = 1;
  FlowRecord out = FullRecord();
  REQUIRE(Decode(Encode(in), &out) == DecodeError::kNone);
  CHECK(out == in);
  CHECK_FALSE(out.has_src_mac);
}

TEST_CASE("codec: fields are at the documented ordinals", "[codec]") {
  // Read back through the generated schema, independent of our decoder.
  std::string s = Encode(FullRecord());
  std::vector<capnp::word> w(s.size() / 8);
  std::memcpy(w.data(), s.data(), s.size());
  capnp::FlatArrayMessageReader rd(kj::ArrayPtr<const capnp::word>(w.data(), w.size()));
  auto m = rd.getRoot<SimplePacketType>();
  CHECK(m.getSrcIp() == 0x0100000a);
  CHECK(m.getTsMsec() == 999999);
  CHECK(m.getIpLength() == 0xfedcba9876543210ull);
  CHECK(m.getSrcMac().size() == 6);
  auto schema = capnp::Schema::from<SimplePacketType>();
  CHECK(schema.getProto().getId() == 0xe4c0cf9a31f5524bull);
  CHECK(schema.getFieldByName("srcMac").getProto().getOrdinal().getExplicit() == 26);
  CHECK(schema.getFieldByName("agentIpAddress").getProto().getOrdinal().getExplicit() == 25);
}

TEST_CASE("codec: message from before fields 26-28 is accepted", "[codec]") {
  FlowRecord in = FullRecord();
  std::string full = Encode(in);
  std::vector<capnp::word> w(full.size() / 8);
  std::memcpy(w.data(), full.data(), full.size());
  capnp::FlatArrayMessageReader rd(kj::ArrayPtr<const capnp::word>(w.data(), w.size()));
  auto src = rd.getRoot<capnp::AnyStruct>();
  std::string old = BuildRaw([&](capnp::MallocMessageBuilder &mb) {
    auto dst = mb.getRoot<capnp::AnyPointer>().initAsAnyStruct(11, 2);
    std::memcpy(dst.getDataSection().begin(), src.getDataSection().begin(), 11 * 8);
    for (unsigned i = 0; i < 2; ++i) dst.getPointerSection()[i].set(src.getPointerSection()[i]);
  });
  FlowRecord out;
  REQUIRE(Decode(old, &out) == DecodeError::kNone);
  FlowRecord want = in;
  want.has_src_mac = want.has_dst_mac = false;
  want.src_mac = want.dst_mac = {};
  want.ip_length = 0;
  CHECK(out == want);
}

TEST_CASE("codec: malformed messages are rejected and classified", "[codec]") {
  FlowRecord r;
  CHECK(Decode("", &r) == DecodeError::kEmpty);
  CHECK(Decode(std::string(kMaxMessageBytes + 8, '\0'), &r) == DecodeError::kTooLong);
  std::string good = Encode(FullRecord());
  CHECK(Decode(good.substr(0, good.size() - 8), &r) == DecodeError::kUnparsable);
  CHECK(Decode(good + std::string(8, '\0'), &r) == DecodeError::kUnparsable);
  CHECK(Decode(good.substr(0, good.size() - 3), &r) == DecodeError::kUnparsable);
  std::string huge_segments = good;
  huge_segments[0] = '\x7f';  // claims 128 segments
  CHECK(Decode(huge_segments, &r) == DecodeError::kUnparsable);
  std::string garbage(64, '\xff');
  CHECK(Decode(garbage, &r) == DecodeError::kUnparsable);
  // Root pointer is a list, not a struct.
  std::string list_root = BuildRaw([](capnp::MallocMessageBuilder &mb) {
    mb.getRoot<capnp::AnyPointer>().initAs<capnp::List<uint32_t>>(3);
  });
  CHECK(Decode(list_root, &r) == DecodeError::kWrongRoot);
  // Null root.
  std::string null_root = BuildRaw([](capnp::MallocMessageBuilder &mb) { mb.getRoot<capnp::AnyPointer>(); });
  CHECK(Decode(null_root, &r) == DecodeError::kWrongRoot);
  // A struct far smaller than SimplePacketType.
  std::string small = BuildRaw([](capnp::MallocMessageBuilder &mb) {
    mb.getRoot<capnp::AnyPointer>().initAsAnyStruct(1, 0);
  });
  CHECK(Decode(small, &r) == DecodeError::kWrongRoot);
  // srcIpv6 of the wrong length.
  std::string bad_v6 = BuildRaw([](capnp::MallocMessageBuilder &mb) {
    auto b = mb.initRoot<SimplePacketType>();
    uint8_t five[5] = {1, 2, 3, 4, 5};
    b.setSrcIpv6(capnp::Data::Reader(five, 5));
  });
  CHECK(Decode(bad_v6, &r) == DecodeError::kUnparsable);
}

TEST_CASE("codec: frame reader handles byte-by-byte input", "[codec]") {
  std::string stream;
  FlowRecord a = FullRecord(), b;
  b.src_port = 99;
  EncodeFrame(a, &stream);
  EncodeFrame(b, &stream);
  FrameReader fr;
  std::vector<FlowRecord> got;
  for (char c : stream) {
    fr.Feed(reinterpret_cast<const uint8_t *>(&c), 1);
    FlowRecord r;
    FrameReader::Result res;
    while ((res = fr.Next(&r)) == FrameReader::Result::kRecord) got.push_back(r);
    REQUIRE(res == FrameReader::Result::kNeedMore);
  }
  REQUIRE(got.size() == 2);
  CHECK(got[0] == a);
  CHECK(got[1] == b);
  CHECK(fr.buffered() == 0);
}

TEST_CASE("codec: frame reader rejects bad lengths and bodies", "[codec]") {
  auto run = [](const std::string &s) {
    FrameReader fr;
    fr.Feed(reinterpret_cast<const uint8_t *>(s.data()), s.size());
    FlowRecord r;
    int records = 0;
    FrameReader::Result res;
    while ((res = fr.Next(&r)) == FrameReader::Result::kRecord) ++records;
    return std::make_pair(records, res == FrameReader::Result::kError ? fr.error() : DecodeError::kNone);
  };
  std::string good;
  EncodeFrame(FullRecord(), &good);
  CHECK(run(good + std::string(8, '\0')) == std::make_pair(1, DecodeError::kEmpty));
  std::string big(8, '\0');
  big[2] = 0x01;  // 65536 + 0 -> exactly 64 KiB is allowed, so use 64 KiB + 1
  big[0] = 0x01;
  CHECK(run(good + big) == std::make_pair(1, DecodeError::kTooLong));
  std::string junk(8, '\0');
  junk[0] = 16;
  junk += std::string(16, '\xee');
  CHECK(run(junk + good) == std::make_pair(0, DecodeError::kUnparsable));
  CHECK(run(std::string(8, '\xff')) == std::make_pair(0, DecodeError::kTooLong));
}

}  // namespace
}  // namespace nfr

namespace nfr {
namespace {

FlowRecord RandomRecord(uint64_t &seed) {
  auto next = [&] {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
  };
  FlowRecord r;
  r.source = static_cast<RecordSource>(next() % 5);
  r.sample_ratio = static_cast<uint32_t>(next());
  r.ip_version = (next() & 1) ? 6 : 4;
  r.src_ip = static_cast<uint32_t>(next());
  r.dst_ip = static_cast<uint32_t>(next());
  if (r.ip_version == 6)
    for (int i = 0; i < 16; ++i) {
      r.src_ipv6[i] = static_cast<uint8_t>(next());
      r.dst_ipv6[i] = static_cast<uint8_t>(next());
    }
  r.has_src_mac = next() & 1;
  r.has_dst_mac = next() & 1;
  if (r.has_src_mac)
    for (auto &b : r.src_mac) b = static_cast<uint8_t>(next());
  if (r.has_dst_mac)
    for (auto &b : r.dst_mac) b = static_cast<uint8_t>(next());
  r.src_asn = static_cast<uint32_t>(next());
  r.dst_asn = static_cast<uint32_t>(next());
  r.input_interface = static_cast<uint32_t>(next());
  r.output_interface = static_cast<uint32_t>(next());
  r.ttl = static_cast<uint8_t>(next());
  r.src_port = static_cast<uint16_t>(next());
  r.dst_port = static_cast<uint16_t>(next());
  r.protocol = static_cast<uint32_t>(next());
  r.length = next();
  r.ip_length = next();
  r.packets = next();
  r.tcp_flags = static_cast<uint8_t>(next());
  r.ip_fragmented = next() & 1;
  r.ip_dont_fragment = next() & 1;
  r.ts_sec = static_cast<int64_t>(next());
  r.ts_usec = static_cast<int64_t>(next());
  r.payload_length = static_cast<int32_t>(next());
  r.payload_full_length = static_cast<uint32_t>(next());
  r.direction = static_cast<uint8_t>(next());
  r.agent_ip = static_cast<uint32_t>(next());
  return r;
}

}  // namespace

TEST_CASE("codec: direct encoder writes exactly what Cap'n Proto's builder writes", "[codec]") {
  uint64_t seed = 0x9e3779b97f4a7c15ull;
  std::vector<FlowRecord> recs = {FlowRecord{}, FullRecord()};
  for (int i = 0; i < 2000; ++i) recs.push_back(RandomRecord(seed));
  for (const FlowRecord &r : recs) {
    std::string fast, ref;
    EncodeMessage(r, &fast);
    EncodeMessageReference(r, &ref);
    REQUIRE(fast == ref);
    std::string frame;
    EncodeFrame(r, &frame);
    REQUIRE(frame.size() == ref.size() + 8);
    REQUIRE(frame.size() <= kMaxFrameBytes);
    REQUIRE(frame.substr(8) == ref);
    FlowRecord a, b;
    REQUIRE(DecodeMessage(reinterpret_cast<const uint8_t *>(fast.data()), fast.size(), &a) == DecodeError::kNone);
    REQUIRE(DecodeMessageReference(reinterpret_cast<const uint8_t *>(fast.data()), fast.size(), &b) ==
            DecodeError::kNone);
    REQUIRE(a == b);
    REQUIRE(a == r);
  }
}

TEST_CASE("codec: direct decoder agrees with Cap'n Proto's reader on mutated messages", "[codec]") {
  uint64_t seed = 12345;
  for (int i = 0; i < 20000; ++i) {
    FlowRecord r = RandomRecord(seed);
    std::string m;
    EncodeMessage(r, &m);
    // Flip a few bits, mostly in the segment table, root and pointers.
    int flips = 1 + static_cast<int>(seed % 3);
    for (int f = 0; f < flips; ++f) {
      seed ^= seed << 13;
      seed ^= seed >> 7;
      seed ^= seed << 17;
      size_t span = (seed & 1) ? std::min<size_t>(m.size(), 8 * 18) : m.size();
      size_t at = (seed >> 8) % span;
      m[at] = static_cast<char>(m[at] ^ (1 << ((seed >> 40) % 8)));
    }
    FlowRecord a, b;
    DecodeError ea = DecodeMessage(reinterpret_cast<const uint8_t *>(m.data()), m.size(), &a);
    DecodeError eb = DecodeMessageReference(reinterpret_cast<const uint8_t *>(m.data()), m.size(), &b);
    REQUIRE(ea == eb);
    if (ea == DecodeError::kNone) REQUIRE(a == b);
  }
}

TEST_CASE("codec: frame reader decodes in place from WriteSpace/Commit", "[codec]") {
  uint64_t seed = 777;
  std::vector<FlowRecord> recs;
  std::string stream;
  for (int i = 0; i < 5000; ++i) {
    recs.push_back(RandomRecord(seed));
    EncodeFrame(recs.back(), &stream);
  }
  FrameReader fr;
  size_t off = 0, got = 0;
  FlowRecord r;
  while (off < stream.size()) {
    size_t chunk = std::min<size_t>(stream.size() - off, 1 + (off * 7919) % 70000);
    std::memcpy(fr.WriteSpace(chunk), stream.data() + off, chunk);
    fr.Commit(chunk);
    off += chunk;
    FrameReader::Result res;
    while ((res = fr.Next(&r)) == FrameReader::Result::kRecord) REQUIRE(r == recs[got++]);
    REQUIRE(res == FrameReader::Result::kNeedMore);
  }
  CHECK(got == recs.size());
  CHECK(fr.buffered() == 0);
}

}  // namespace nfr
