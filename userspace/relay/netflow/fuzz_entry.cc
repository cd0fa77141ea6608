// libFuzzer-style entry point for nf_netflow: one input is fed to the decoder
// as a datagram, and whatever records come out are re-encoded as IPFIX and
// decoded again (the encoder must always produce what the decoder accepts).
// Not part of the library; the fuzz target and the unit tests link it.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "fuzz_roundtrip.h"
#include "netflow_decoder.h"

extern "C" int nf_netflow_fuzz_one(const uint8_t *data, size_t size) {
    using namespace nfr;
    // One decoder for the whole run, so template state built by one input is
    // exercised by the next, as on a real socket.
    static NetflowDecoder decoder(NetflowDecoderOptions{std::chrono::seconds(600), 64, 64});
    static const ExporterAddress exporter = ExporterAddress::ipv4(0x0100007f, 2055);
    const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));

    std::vector<FlowRecord> records;
    decoder.feed(std::span<const uint8_t>(data, size), exporter, now, records);
    FuzzRoundTrip(records, exporter, now);
    return 0;
}
