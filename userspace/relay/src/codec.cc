#include "codec.h"

#include <capnp/any.h>
#include <capnp/message.h>
#include <capnp/serialize.h>

#include <cstring>
#include <exception>

#include "simple_packet.capnp.h"

namespace nfr {

namespace {

// SimplePacketType before FastNetMon 2.0.355 (fields 0-25): 11 data words and
// 2 pointers.  Anything smaller cannot be a SimplePacketType root.
constexpr size_t kMinDataBytes = 11 * 8;
constexpr size_t kMinPointers = 2;

capnp::Data::Reader Bytes(const uint8_t *p, size_t n) { return capnp::Data::Reader(p, n); }

uint64_t LoadLe64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

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

void EncodeMessage(const FlowRecord &r, std::string *out) {
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

void EncodeFrame(const FlowRecord &rec, std::string *out) {
  size_t at = out->size();
  out->append(8, '\0');
  EncodeMessage(rec, out);
  uint64_t len = out->size() - at - 8;
  for (int i = 0; i < 8; ++i) (*out)[at + i] = static_cast<char>((len >> (8 * i)) & 0xff);
}

DecodeError DecodeMessage(const uint8_t *data, size_t len, FlowRecord *rec) {
  if (len == 0) return DecodeError::kEmpty;
  if (len > kMaxMessageBytes) return DecodeError::kTooLong;
  if (len % sizeof(capnp::word) != 0) return DecodeError::kUnparsable;
  // Cap'n Proto reads words in place; give it an aligned copy.
  thread_local std::vector<uint64_t> aligned;
  aligned.resize(len / 8);
  std::memcpy(aligned.data(), data, len);
  kj::ArrayPtr<const capnp::word> words(reinterpret_cast<const capnp::word *>(aligned.data()),
                                        aligned.size());
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

void FrameReader::Feed(const uint8_t *data, size_t len) {
  if (error_ != DecodeError::kNone) return;
  if (pos_ > 0 && pos_ * 2 >= buf_.size()) {
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(pos_));
    pos_ = 0;
  }
  buf_.insert(buf_.end(), data, data + len);
}

FrameReader::Result FrameReader::Next(FlowRecord *rec) {
  if (error_ != DecodeError::kNone) return Result::kError;
  size_t avail = buf_.size() - pos_;
  if (avail < 8) return Result::kNeedMore;
  uint64_t len = LoadLe64(buf_.data() + pos_);
  if (len == 0) {
    error_ = DecodeError::kEmpty;
    return Result::kError;
  }
  if (len > kMaxMessageBytes) {
    error_ = DecodeError::kTooLong;
    return Result::kError;
  }
  if (avail - 8 < len) return Result::kNeedMore;
  DecodeError e = DecodeMessage(buf_.data() + pos_ + 8, static_cast<size_t>(len), rec);
  if (e != DecodeError::kNone) {
    error_ = e;
    return Result::kError;
  }
  pos_ += 8 + static_cast<size_t>(len);
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  }
  return Result::kRecord;
}

}  // namespace nfr
