// libFuzzer target: the sFlow v5 decoder (see fuzz_sflow_entry.cc).
#include <cstddef>
#include <cstdint>

extern "C" int nf_sflow_fuzz_one(const uint8_t *data, size_t size);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return nf_sflow_fuzz_one(data, size); }
