// libFuzzer-style entry point for the sFlow v5 decoder: any input is a
// datagram; the decoder's counters must add up, and the records it gives must
// survive an IPFIX encode/decode round trip.  The fuzz target and the unit
// tests link it.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "fuzz_roundtrip.h"
#include "sflow_decoder.h"

extern "C" int nf_sflow_fuzz_one(const uint8_t *data, size_t size) {
    using namespace nfr;
    static SflowDecoder decoder;
    const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
    SflowDecoderCounters before = decoder.counters();
    std::vector<FlowRecord> records;
    bool ok = decoder.feed(std::span<const uint8_t>(data, size), now, records);
    const SflowDecoderCounters &after = decoder.counters();
    if (after.malformed - before.malformed != (ok ? 0u : 1u)) std::abort();
    if (after.records - before.records != records.size()) std::abort();
    for (const FlowRecord &r : records)
        if (r.source != RecordSource::Sflow || r.packets != 1 || r.sample_ratio == 0) std::abort();
    FuzzRoundTrip(records, ExporterAddress::ipv4(0x0100007f, 4739), now);
    return 0;
}
