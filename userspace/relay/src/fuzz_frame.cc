// libFuzzer entry: FastNetMon Flow decoding.  The input is tried as one UDP
// datagram and as a TCP/TLS byte stream cut in two; whatever decodes must
// survive an encode/decode round trip unchanged.
#include <cstdint>
#include <cstdlib>

#include "codec.h"

namespace {

void RoundTrip(const nfr::FlowRecord &r) {
  std::string again;
  nfr::EncodeMessage(r, &again);
  nfr::FlowRecord back;
  if (nfr::DecodeMessage(reinterpret_cast<const uint8_t *>(again.data()), again.size(), &back) !=
          nfr::DecodeError::kNone ||
      !(back == r))
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  nfr::FlowRecord r;
  if (nfr::DecodeMessage(data, size, &r) == nfr::DecodeError::kNone) RoundTrip(r);
  nfr::FrameReader fr;
  size_t half = size / 2;
  for (int piece = 0; piece < 2; ++piece) {
    fr.Feed(data + (piece ? half : 0), piece ? size - half : half);
    while (fr.Next(&r) == nfr::FrameReader::Result::kRecord) RoundTrip(r);
  }
  return 0;
}
