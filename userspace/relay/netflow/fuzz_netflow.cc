// libFuzzer entry: the NetFlow v5/v9/IPFIX decoder with its template state.
// One input is a short session: datagrams, each behind a 2-byte big-endian
// header (low 12 bits: length; bit 12: which of two exporters; bits 13-15:
// clock advance in 20 s steps, bit 15 also runs expire()), all fed to one
// fresh decoder, so templates, options and withdrawals of earlier datagrams
// meet the data of later ones and templates expire.  Input whose headers do
// not tile it exactly is one datagram.  Decoded records must survive an IPFIX encode/decode round
// trip, and the decoder's counters must add up.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "fuzz_roundtrip.h"
#include "netflow_decoder.h"

namespace {

using namespace nfr;

void RoundTrip(const std::vector<FlowRecord> &records, std::chrono::system_clock::time_point now) {
  static const ExporterAddress self = ExporterAddress::ipv4(0x0100007f, 4739);
  FuzzRoundTrip(records, self, now);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  NetflowDecoder decoder(NetflowDecoderOptions{std::chrono::seconds(60), 2, 8});
  const ExporterAddress exporters[2] = {ExporterAddress::ipv4(0x0100007f, 2055),
                                        ExporterAddress::ipv4(0x0200007f, 2055)};
  auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  std::vector<FlowRecord> records;
  auto feed = [&](std::span<const uint8_t> dgram, int who) {
    NetflowDecoderCounters before = decoder.counters();
    records.clear();
    bool ok = decoder.feed(dgram, exporters[who], now, records);
    const NetflowDecoderCounters &after = decoder.counters();
    if (after.malformed - before.malformed != (ok ? 0u : 1u)) std::abort();
    if (after.records - before.records != records.size()) std::abort();
    RoundTrip(records, now);
  };
  size_t pos = 0;
  bool framed = size >= 2;
  // framed only if the length prefixes tile the whole input
  for (size_t p = 0; framed && p < size;) {
    if (size - p < 2) framed = false;
    else p += 2 + ((static_cast<size_t>(data[p] & 0x0f) << 8) | data[p + 1]);
    if (p > size) framed = false;
  }
  if (!framed) {
    feed(std::span<const uint8_t>(data, size), 0);
    return 0;
  }
  while (pos < size) {
    uint8_t ctl = data[pos];
    size_t len = (static_cast<size_t>(ctl & 0x0f) << 8) | data[pos + 1];
    pos += 2;
    now += std::chrono::seconds((ctl >> 5) * 20);  // 0..140 s: templates may expire
    feed(std::span<const uint8_t>(data + pos, len), (ctl >> 4) & 1);
    pos += len;
    if (ctl & 0x80) decoder.expire(now);
  }
  if (decoder.session_count() > 2) std::abort();
  return 0;
}
