#include "jsonl.h"

#include <arpa/inet.h>

#include <cerrno>
#include <cstring>

namespace nfr {

namespace {

void Num(std::string *o, const char *key, uint64_t v, bool first = false) {
  if (!first) *o += ',';
  *o += '"';
  *o += key;
  *o += "\":";
  *o += std::to_string(v);
}

void SNum(std::string *o, const char *key, int64_t v) {
  *o += ",\"";
  *o += key;
  *o += "\":";
  *o += std::to_string(v);
}

void Str(std::string *o, const char *key, const char *text) {
  *o += ",\"";
  *o += key;
  *o += "\":";
  if (text == nullptr) {
    *o += "null";
  } else {
    *o += '"';
    *o += text;  // only addresses: no escaping needed
    *o += '"';
  }
}

void Ip4(std::string *o, const char *key, uint32_t nbo) {
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &nbo, buf, sizeof buf);
  Str(o, key, buf);
}

void Ip6(std::string *o, const char *key, const std::array<uint8_t, 16> &a, bool present) {
  char buf[INET6_ADDRSTRLEN];
  if (present) inet_ntop(AF_INET6, a.data(), buf, sizeof buf);
  Str(o, key, present ? buf : nullptr);
}

void Mac(std::string *o, const char *key, const std::array<uint8_t, 6> &m, bool present) {
  char buf[18];
  if (present)
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
  Str(o, key, present ? buf : nullptr);
}

void Bool(std::string *o, const char *key, bool v) {
  *o += ",\"";
  *o += key;
  *o += v ? "\":true" : "\":false";
}

}  // namespace

void AppendJson(const FlowRecord &r, std::string *o) {
  *o += '{';
  Num(o, "source", static_cast<uint8_t>(r.source), true);
  Num(o, "sampleRatio", r.sample_ratio);
  Ip4(o, "srcIp", r.src_ip);
  Ip4(o, "dstIp", r.dst_ip);
  Ip6(o, "srcIpv6", r.src_ipv6, r.ip_version == 6);
  Ip6(o, "dstIpv6", r.dst_ipv6, r.ip_version == 6);
  Mac(o, "srcMac", r.src_mac, r.has_src_mac);
  Mac(o, "dstMac", r.dst_mac, r.has_dst_mac);
  Num(o, "srcAsn", r.src_asn);
  Num(o, "dstAsn", r.dst_asn);
  Num(o, "inputInterface", r.input_interface);
  Num(o, "outputInterface", r.output_interface);
  Num(o, "ipProtocolVersion", r.ip_version);
  Num(o, "ttl", r.ttl);
  Num(o, "sourcePort", r.src_port);
  Num(o, "destinationPort", r.dst_port);
  Num(o, "protocol", r.protocol);
  Num(o, "length", r.length);
  Num(o, "ipLength", r.ip_length);
  Num(o, "numberOfPackets", r.packets);
  Num(o, "flags", r.tcp_flags);
  Bool(o, "ipFragmented", r.ip_fragmented);
  Bool(o, "ipDontFragment", r.ip_dont_fragment);
  SNum(o, "tsSec", r.ts_sec);
  SNum(o, "tsMsec", r.ts_usec);
  SNum(o, "packetPayloadLength", r.payload_length);
  Num(o, "packetPayloadFullLength", r.payload_full_length);
  Num(o, "packetDirection", r.direction);
  Ip4(o, "agentIpAddress", r.agent_ip);
  *o += "}\n";
}

JsonlWriter::~JsonlWriter() {
  Flush();
  if (owned_ && f_) std::fclose(f_);
}

Status JsonlWriter::Open(const std::string &path) {
  if (path == "-") {
    f_ = stdout;
    return Status::Ok();
  }
  f_ = std::fopen(path.c_str(), "a");
  if (!f_) return Status::Invalid("cannot open jsonl output '" + path + "': " + std::strerror(errno));
  owned_ = true;
  return Status::Ok();
}

void JsonlWriter::Write(const FlowRecord &r) {
  AppendJson(r, &buf_);
  ++written_;
  if (buf_.size() >= (1 << 16)) Flush();
}

void JsonlWriter::Flush() {
  if (!f_ || buf_.empty()) return;
  std::fwrite(buf_.data(), 1, buf_.size(), f_);
  std::fflush(f_);
  buf_.clear();
}

}  // namespace nfr
