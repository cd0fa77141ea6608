#include "codec.h"

#include <capnp/any.h>
#include <capnp/message.h>
#include <capnp/serialize.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <exception>
#include <type_traits>

#include "simple_packet.capnp.h"

namespace nfr {

namespace {

// SimplePacketType before FastNetMon 2.0.355 (fields 0-25): 11 data words and
// 2 pointers.  Anything smaller cannot be a SimplePacketType root.
constexpr size_t kMinDataBytes = 11 * 8;
constexpr size_t kMinPointers = 2;

capnp::Data::Reader Bytes(const uint8_t *p, size_t n) { return capnp::Data::Reader(p, n); }

// Copies a Data field that must be empty or exactly N bytes long.
template <size_t N>
bool CopyFixed(capnp::Data::Reader d, std::array<uint8_t, N> *dst, bool *present) {
  if (d.size() == 0) {
    *present = false;
    return true;
  }
  if (d.size() != N) return false;
  std::memcpy(dst->data(), d.begin(), N);
  *present = true;
  return true;
}

}  // namespace

const char *DecodeErrorName(DecodeError e) {
  switch (e) {
    case DecodeError::kNone: return "ok";
    case DecodeError::kEmpty: return "zero length";
    case DecodeError::kTooLong: return "length over 64 KiB";
    case DecodeError::kUnparsable: return "unparsable message";
    case DecodeError::kWrongRoot: return "wrong root struct";
  }
  return "unknown";
}

void EncodeMessageReference(const FlowRecord &r, std::string *out) {
  capnp::MallocMessageBuilder mb(32);
  auto b = mb.initRoot<SimplePacketType>();
  b.setSource(static_cast<uint8_t>(r.source));
  b.setSampleRatio(r.sample_ratio);
  b.setSrcIp(r.src_ip);
  b.setDstIp(r.dst_ip);
  if (r.ip_version == 6) {
    b.setSrcIpv6(Bytes(r.src_ipv6.data(), r.src_ipv6.size()));
    b.setDstIpv6(Bytes(r.dst_ipv6.data(), r.dst_ipv6.size()));
  }
  if (r.has_src_mac) b.setSrcMac(Bytes(r.src_mac.data(), r.src_mac.size()));
  if (r.has_dst_mac) b.setDstMac(Bytes(r.dst_mac.data(), r.dst_mac.size()));
  b.setSrcAsn(r.src_asn);
  b.setDstAsn(r.dst_asn);
  b.setInputInterface(r.input_interface);
  b.setOutputInterface(r.output_interface);
  b.setIpProtocolVersion(r.ip_version);
  b.setTtl(r.ttl);
  b.setSourcePort(r.src_port);
  b.setDestinationPort(r.dst_port);
  b.setProtocol(r.protocol);
  b.setLength(r.length);
  b.setIpLength(r.ip_length);
  b.setNumberOfPackets(r.packets);
  b.setFlags(r.tcp_flags);
  b.setIpFragmented(r.ip_fragmented);
  b.setIpDontFragment(r.ip_dont_fragment);
  b.setTsSec(r.ts_sec);
  b.setTsMsec(r.ts_usec);
  b.setPacketPayloadLength(r.payload_length);
  b.setPacketPayloadFullLength(r.payload_full_length);
  b.setPacketDirection(r.direction);
  b.setAgentIpAddress(r.agent_ip);
  kj::Array<capnp::word> words = capnp::messageToFlatArray(mb);
  auto bytes = words.asBytes();
  out->append(reinterpret_cast<const char *>(bytes.begin()), bytes.size());
}

DecodeError DecodeMessageReference(const uint8_t *data, size_t len, FlowRecord *rec) {
  if (len == 0) return DecodeError::kEmpty;
  if (len > kMaxMessageBytes) return DecodeError::kTooLong;
  if (len % sizeof(capnp::word) != 0) return DecodeError::kUnparsable;
  // Cap'n Proto reads words in place; give it an aligned copy when needed.
  thread_local std::vector<uint64_t> aligned;
  const capnp::word *at = reinterpret_cast<const capnp::word *>(data);
  if (reinterpret_cast<uintptr_t>(data) % alignof(uint64_t) != 0) {
    aligned.resize(len / 8);
    std::memcpy(aligned.data(), data, len);
    at = reinterpret_cast<const capnp::word *>(aligned.data());
  }
  kj::ArrayPtr<const capnp::word> words(at, len / 8);
  try {
    capnp::ReaderOptions opts;
    opts.traversalLimitInWords = kMaxMessageBytes / 8 * 4;
    opts.nestingLimit = 8;
    capnp::FlatArrayMessageReader reader(words, opts);
    if (reader.getEnd() != words.end()) return DecodeError::kUnparsable;
    auto any = reader.getRoot<capnp::AnyPointer>();
    if (any.getPointerType() != capnp::PointerType::STRUCT) return DecodeError::kWrongRoot;
    auto as = any.getAs<capnp::AnyStruct>();
    if (as.getDataSection().size() < kMinDataBytes || as.getPointerSection().size() < kMinPointers)
      return DecodeError::kWrongRoot;
    auto m = any.getAs<SimplePacketType>();
    FlowRecord r;
    r.source = static_cast<RecordSource>(m.getSource());
    r.sample_ratio = m.getSampleRatio();
    r.src_ip = m.getSrcIp();
    r.dst_ip = m.getDstIp();
    bool v6s = false, v6d = false;
    if (!CopyFixed(m.getSrcIpv6(), &r.src_ipv6, &v6s) || !CopyFixed(m.getDstIpv6(), &r.dst_ipv6, &v6d) ||
        !CopyFixed(m.getSrcMac(), &r.src_mac, &r.has_src_mac) ||
        !CopyFixed(m.getDstMac(), &r.dst_mac, &r.has_dst_mac))
      return DecodeError::kUnparsable;
    r.src_asn = m.getSrcAsn();
    r.dst_asn = m.getDstAsn();
    r.input_interface = m.getInputInterface();
    r.output_interface = m.getOutputInterface();
    r.ip_version = m.getIpProtocolVersion();
    // srcIpv6/dstIpv6 mean something only with ipProtocolVersion 6 (and are
    // only written then): an IPv4 record carrying them must not keep them
    // (found by nfr_fuzz_frame: the record changed in a re-encode).
    if (r.ip_version != 6) r.src_ipv6 = r.dst_ipv6 = {};
    r.ttl = m.getTtl();
    r.src_port = m.getSourcePort();
    r.dst_port = m.getDestinationPort();
    r.protocol = m.getProtocol();
    r.length = m.getLength();
    r.ip_length = m.getIpLength();
    r.packets = m.getNumberOfPackets();
    r.tcp_flags = m.getFlags();
    r.ip_fragmented = m.getIpFragmented();
    r.ip_dont_fragment = m.getIpDontFragment();
    r.ts_sec = m.getTsSec();
    r.ts_usec = m.getTsMsec();
    r.payload_length = m.getPacketPayloadLength();
    r.payload_full_length = m.getPacketPayloadFullLength();
    r.direction = m.getPacketDirection();
    r.agent_ip = m.getAgentIpAddress();
    *rec = r;
    return DecodeError::kNone;
  } catch (const kj::Exception &) {
    return DecodeError::kUnparsable;
  } catch (const std::exception &) {
    return DecodeError::kUnparsable;
  }
}

// ---- Direct encoder / decoder ----
//
// The layout capnp::MallocMessageBuilder + messageToFlatArray produce for a
// SimplePacketType (checked byte for byte against EncodeMessageReference by
// codec_test and the frame fuzzer): one segment; word 0 the root struct
// pointer (offset 0, 12 data words, 4 pointers), words 1-12 the data section,
// 13-16 the pointers (srcIpv6, dstIpv6, srcMac, dstMac), then the Data blobs
// in the order they are set, each padded to a word.  Offsets of the data
// fields (bytes into the data section) come from the compiled schema.
namespace {

constexpr uint32_t kDataWords = 12, kPtrWords = 4;
constexpr uint32_t kStructWords = kDataWords + kPtrWords;
static_assert(SimplePacketType::_capnpPrivate::dataWordSize == kDataWords);
static_assert(SimplePacketType::_capnpPrivate::pointerCount == kPtrWords);
// Byte offsets in the data section.
enum : size_t {
  kOffSource = 0, kOffIpVersion = 1, kOffTtl = 2, kOffFlags = 3, kOffSampleRatio = 4, kOffSrcIp = 8,
  kOffDstIp = 12, kOffSrcAsn = 16, kOffDstAsn = 20, kOffInIf = 24, kOffOutIf = 28, kOffSrcPort = 32,
  kOffDstPort = 34, kOffProtocol = 36, kOffLength = 40, kOffPackets = 48, kOffBools = 56,
  kOffDirection = 57, kOffPayloadLen = 60, kOffTsSec = 64, kOffTsUsec = 72, kOffPayloadFull = 80,
  kOffAgentIp = 84, kOffIpLength = 88,
};

template <typename T>
inline void Put(uint8_t *p, T v) {
  using U = std::make_unsigned_t<T>;
  U u = static_cast<U>(v);
  if constexpr (std::endian::native == std::endian::big && sizeof(U) > 1) {
    for (size_t i = 0; i < sizeof(U); ++i) p[i] = static_cast<uint8_t>(u >> (8 * i));
  } else {
    std::memcpy(p, &u, sizeof u);
  }
}

template <typename T>
inline T Get(const uint8_t *p) {
  using U = std::make_unsigned_t<T>;
  U u;
  if constexpr (std::endian::native == std::endian::big && sizeof(U) > 1) {
    u = 0;
    for (size_t i = 0; i < sizeof(U); ++i) u = static_cast<U>(u | (static_cast<U>(p[i]) << (8 * i)));
  } else {
    std::memcpy(&u, p, sizeof u);
  }
  return static_cast<T>(u);
}

// A list-of-bytes pointer at word `at` to `bytes` bytes starting at word `to`.
inline uint64_t BytesPointer(uint32_t at, uint32_t to, uint32_t bytes) {
  uint32_t offset = to - (at + 1);
  return static_cast<uint64_t>(offset << 2 | 1u) | (static_cast<uint64_t>(bytes) << 3 | 2u) << 32;
}

// Writes the message (segment table included) to `w`, returns its size in words.
size_t EncodeWords(const FlowRecord &r, uint8_t *w) {
  // w[0..7]: segment table; segment word k is at w + 8 + 8k.
  uint8_t *seg = w + 8;
  uint8_t *d = seg + 8;
  uint8_t *ptrs = d + kDataWords * 8;
  std::memset(seg, 0, (1 + kStructWords) * 8);
  Put<uint64_t>(seg, static_cast<uint64_t>(kDataWords | kPtrWords << 16) << 32);
  d[kOffSource] = static_cast<uint8_t>(r.source);
  d[kOffIpVersion] = r.ip_version;
  d[kOffTtl] = r.ttl;
  d[kOffFlags] = r.tcp_flags;
  Put(d + kOffSampleRatio, r.sample_ratio);
  Put(d + kOffSrcIp, r.src_ip);
  Put(d + kOffDstIp, r.dst_ip);
  Put(d + kOffSrcAsn, r.src_asn);
  Put(d + kOffDstAsn, r.dst_asn);
  Put(d + kOffInIf, r.input_interface);
  Put(d + kOffOutIf, r.output_interface);
  Put(d + kOffSrcPort, r.src_port);
  Put(d + kOffDstPort, r.dst_port);
  Put(d + kOffProtocol, r.protocol);
  Put(d + kOffLength, r.length);
  Put(d + kOffPackets, r.packets);
  d[kOffBools] = static_cast<uint8_t>((r.ip_fragmented ? 1 : 0) | (r.ip_dont_fragment ? 2 : 0));
  d[kOffDirection] = r.direction;
  Put(d + kOffPayloadLen, r.payload_length);
  Put(d + kOffTsSec, r.ts_sec);
  Put(d + kOffTsUsec, r.ts_usec);
  Put(d + kOffPayloadFull, r.payload_full_length);
  Put(d + kOffAgentIp, r.agent_ip);
  Put(d + kOffIpLength, r.ip_length);
  uint32_t next = 1 + kStructWords;  // next free word of the segment
  auto blob = [&](uint32_t index, const uint8_t *p, uint32_t n) {
    uint32_t at = 1 + kDataWords + index;
    Put(ptrs + index * 8, BytesPointer(at, next, n));
    uint8_t *dst = seg + next * 8;
    uint32_t words = (n + 7) / 8;
    std::memset(dst, 0, words * 8);
    std::memcpy(dst, p, n);
    next += words;
  };
  if (r.ip_version == 6) {
    blob(0, r.src_ipv6.data(), 16);
    blob(1, r.dst_ipv6.data(), 16);
  }
  if (r.has_src_mac) blob(2, r.src_mac.data(), 6);
  if (r.has_dst_mac) blob(3, r.dst_mac.data(), 6);
  Put<uint32_t>(w, 0);  // segment count - 1
  Put<uint32_t>(w + 4, next);
  return 1 + next;
}

// The fast path of DecodeMessage: the common well-formed shape only (one
// segment, struct root at a forward offset, each Data pointer null or a byte
// list inside the segment).  Returns false, touching nothing, for anything
// else, which then goes through Cap'n Proto's own reader.  `p` is the whole
// message, `len` a multiple of 8 within bounds.
bool DecodeFast(const uint8_t *p, size_t len, FlowRecord *rec, DecodeError *err) {
  if (len < 16 || Get<uint32_t>(p) != 0) return false;
  uint64_t seg_words = Get<uint32_t>(p + 4);
  if (8 + seg_words * 8 != len) return false;
  const uint8_t *seg = p + 8;
  uint64_t root = Get<uint64_t>(seg);
  if (root == 0 || (root & 3) != 0) return false;
  int32_t off = static_cast<int32_t>(static_cast<uint32_t>(root)) >> 2;
  uint32_t dw = static_cast<uint32_t>(root >> 32) & 0xffff, pc = static_cast<uint32_t>(root >> 48);
  if (off < 0 || dw < kMinDataBytes / 8 || pc < kMinPointers) return false;
  uint64_t start = 1 + static_cast<uint64_t>(off);
  if (start + dw + pc > seg_words) return false;
  const uint8_t *d = seg + start * 8;
  // Data blobs: pointer index -> (bytes, size); size 0 = null.
  const uint8_t *blob[4] = {};
  uint32_t blob_len[4] = {};
  for (uint32_t i = 0; i < kPtrWords && i < pc; ++i) {
    uint64_t at = start + dw + i;
    uint64_t ptr = Get<uint64_t>(seg + at * 8);
    if (ptr == 0) continue;
    if ((ptr & 3) != 1 || ((ptr >> 32) & 7) != 2) return false;
    int32_t loff = static_cast<int32_t>(static_cast<uint32_t>(ptr)) >> 2;
    uint64_t n = ptr >> 35;
    if (loff < 0) return false;
    uint64_t to = at + 1 + static_cast<uint64_t>(loff);
    if (to + (n + 7) / 8 > seg_words) return false;
    blob[i] = seg + to * 8;
    blob_len[i] = static_cast<uint32_t>(n);
  }
  // Data fields must be absent or of their exact size; checked before
  // anything is written to *rec.
  constexpr uint32_t kWant[4] = {16, 16, 6, 6};
  for (int i = 0; i < 4; ++i)
    if (blob_len[i] != 0 && blob_len[i] != kWant[i]) {
      *err = DecodeError::kUnparsable;
      return true;
    }
  FlowRecord &out = *rec;
  out.ip_version = d[kOffIpVersion];
  if (out.ip_version == 6 && blob_len[0]) {
    std::memcpy(out.src_ipv6.data(), blob[0], 16);
  } else {
    out.src_ipv6 = {};
  }
  if (out.ip_version == 6 && blob_len[1]) {
    std::memcpy(out.dst_ipv6.data(), blob[1], 16);
  } else {
    out.dst_ipv6 = {};
  }
  out.has_src_mac = blob_len[2] != 0;
  if (out.has_src_mac) {
    std::memcpy(out.src_mac.data(), blob[2], 6);
  } else {
    out.src_mac = {};
  }
  out.has_dst_mac = blob_len[3] != 0;
  if (out.has_dst_mac) {
    std::memcpy(out.dst_mac.data(), blob[3], 6);
  } else {
    out.dst_mac = {};
  }
  out.source = static_cast<RecordSource>(d[kOffSource]);
  out.ttl = d[kOffTtl];
  out.tcp_flags = d[kOffFlags];
  out.sample_ratio = Get<uint32_t>(d + kOffSampleRatio);
  out.src_ip = Get<uint32_t>(d + kOffSrcIp);
  out.dst_ip = Get<uint32_t>(d + kOffDstIp);
  out.src_asn = Get<uint32_t>(d + kOffSrcAsn);
  out.dst_asn = Get<uint32_t>(d + kOffDstAsn);
  out.input_interface = Get<uint32_t>(d + kOffInIf);
  out.output_interface = Get<uint32_t>(d + kOffOutIf);
  out.src_port = Get<uint16_t>(d + kOffSrcPort);
  out.dst_port = Get<uint16_t>(d + kOffDstPort);
  out.protocol = Get<uint32_t>(d + kOffProtocol);
  out.length = Get<uint64_t>(d + kOffLength);
  out.packets = Get<uint64_t>(d + kOffPackets);
  out.ip_fragmented = d[kOffBools] & 1;
  out.ip_dont_fragment = (d[kOffBools] >> 1) & 1;
  out.direction = d[kOffDirection];
  out.payload_length = Get<int32_t>(d + kOffPayloadLen);
  out.ts_sec = Get<int64_t>(d + kOffTsSec);
  out.ts_usec = Get<int64_t>(d + kOffTsUsec);
  out.payload_full_length = Get<uint32_t>(d + kOffPayloadFull);
  out.agent_ip = Get<uint32_t>(d + kOffAgentIp);
  out.ip_length = dw * 8 >= kOffIpLength + 8 ? Get<uint64_t>(d + kOffIpLength) : 0;
  *err = DecodeError::kNone;
  return true;
}

}  // namespace

size_t EncodeFrameTo(const FlowRecord &rec, uint8_t *dst) {
  size_t words = EncodeWords(rec, dst + 8);
  Put<uint64_t>(dst, words * 8);
  return 8 + words * 8;
}

void EncodeMessage(const FlowRecord &rec, std::string *out) {
  alignas(8) uint8_t buf[kMaxFrameBytes];
  size_t n = EncodeWords(rec, buf) * 8;
  out->append(reinterpret_cast<const char *>(buf), n);
}

void EncodeFrame(const FlowRecord &rec, std::string *out) {
  alignas(8) uint8_t buf[kMaxFrameBytes];
  out->append(reinterpret_cast<const char *>(buf), EncodeFrameTo(rec, buf));
}

DecodeError DecodeMessage(const uint8_t *data, size_t len, FlowRecord *rec) {
  if (len == 0) return DecodeError::kEmpty;
  if (len > kMaxMessageBytes) return DecodeError::kTooLong;
  if (len % 8 != 0) return DecodeError::kUnparsable;
  DecodeError e;
  if (DecodeFast(data, len, rec, &e)) return e;
  return DecodeMessageReference(data, len, rec);
}

// ---- FrameReader ----

FrameReader::FrameReader() = default;
FrameReader::~FrameReader() = default;

uint8_t *FrameReader::WriteSpace(size_t want) {
  if (cap_ - end_ >= want) return bytes() + end_;
  // Move what is left to the start (keeps messages 8-byte aligned), grow if
  // it still does not fit.
  size_t left = end_ - pos_;
  if (pos_ > 0) {
    if (left) std::memmove(bytes(), bytes() + pos_, left);
    pos_ = 0;
    end_ = left;
  }
  if (cap_ - end_ < want) {
    size_t ncap = std::max<size_t>(cap_ * 2, end_ + want);
    ncap = (ncap + 7) & ~size_t{7};
    std::unique_ptr<uint64_t[]> nb(new uint64_t[ncap / 8]);
    if (end_) std::memcpy(nb.get(), buf_.get(), end_);
    buf_ = std::move(nb);
    cap_ = ncap;
  }
  return bytes() + end_;
}

void FrameReader::Commit(size_t n) { end_ += n; }

void FrameReader::Feed(const uint8_t *data, size_t len) {
  if (error_ != DecodeError::kNone || len == 0) return;
  std::memcpy(WriteSpace(len), data, len);
  Commit(len);
}

FrameReader::Result ParseFrame(const uint8_t *buf, size_t len, size_t *pos, FlowRecord *rec, DecodeError *err) {
  size_t avail = len - *pos;
  if (avail < 8) return FrameReader::Result::kNeedMore;
  const uint8_t *p = buf + *pos;
  uint64_t n = Get<uint64_t>(p);
  if (n == 0) {
    *err = DecodeError::kEmpty;
    return FrameReader::Result::kError;
  }
  if (n > kMaxMessageBytes) {
    *err = DecodeError::kTooLong;
    return FrameReader::Result::kError;
  }
  if (avail - 8 < n) return FrameReader::Result::kNeedMore;
  DecodeError e = DecodeMessage(p + 8, static_cast<size_t>(n), rec);
  if (e != DecodeError::kNone) {
    *err = e;
    return FrameReader::Result::kError;
  }
  *pos += 8 + static_cast<size_t>(n);
  return FrameReader::Result::kRecord;
}

FrameReader::Result FrameReader::Next(FlowRecord *rec) {
  if (error_ != DecodeError::kNone) return Result::kError;
  Result r = ParseFrame(bytes(), end_, &pos_, rec, &error_);
  if (pos_ == end_) pos_ = end_ = 0;
  return r;
}

size_t FrameReader::TakeBuffered(uint8_t *dst) {
  size_t n = end_ - pos_;
  if (n) std::memcpy(dst, bytes() + pos_, n);
  pos_ = end_ = 0;
  return n;
}

}  // namespace nfr
