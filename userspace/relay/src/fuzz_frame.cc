// libFuzzer entry: FastNetMon Flow decoding.  The input is tried as one UDP
// datagram and as a TCP/TLS byte stream cut in two; whatever decodes must
// survive an encode/decode round trip unchanged; the direct encoder and
// decoder must agree with Cap'n Proto's own (the *Reference functions).
#include <cstdint>
#include <cstdlib>

#include "codec.h"

namespace {

void RoundTrip(const nfr::FlowRecord &r) {
  std::string again, ref;
  nfr::EncodeMessage(r, &again);
  nfr::EncodeMessageReference(r, &ref);
  if (again != ref) std::abort();  // the direct encoder writes what capnp writes
  nfr::FlowRecord back;
  if (nfr::DecodeMessage(reinterpret_cast<const uint8_t *>(again.data()), again.size(), &back) !=
          nfr::DecodeError::kNone ||
      !(back == r))
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  nfr::FlowRecord r;
  // The direct decoder must agree with Cap'n Proto's own reader.
  nfr::FlowRecord ref;
  nfr::DecodeError e = nfr::DecodeMessage(data, size, &r);
  if (nfr::DecodeMessageReference(data, size, &ref) != e || (e == nfr::DecodeError::kNone && !(ref == r)))
    std::abort();
  if (e == nfr::DecodeError::kNone) RoundTrip(r);
  nfr::FrameReader fr;
  size_t half = size / 2;
  for (int piece = 0; piece < 2; ++piece) {
    fr.Feed(data + (piece ? half : 0), piece ? size - half : half);
    while (fr.Next(&r) == nfr::FrameReader::Result::kRecord) RoundTrip(r);
  }
  return 0;
}
