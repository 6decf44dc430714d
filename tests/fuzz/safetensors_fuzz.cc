// libFuzzer target: the safetensors header parser must never crash, read out
// of bounds or accept a header whose tensors do not tile the data region.
// Build: see tests/fuzz/CMakeLists.txt. Run:
//   build-fuzz/tests/fuzz/safetensors_fuzz -max_total_time=60 tests/fuzz/corpus/safetensors
// The input is a whole file image (8-byte length, header JSON, data).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "model/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> file(data, size);
  uint64_t data_offset = 0;
  auto tensors = attestd::model::ParseSafetensorsFile(file, &data_offset);
  if (!tensors.ok()) return 0;
  // Accepted: every tensor lies inside the file and they cover the data exactly.
  if (data_offset > size) std::abort();
  uint64_t covered = 0;
  for (const auto& [name, info] : *tensors) {
    if (info.end < info.begin || info.end > size - data_offset) std::abort();
    uint64_t bytes = attestd::model::StDtypeSize(info.dtype);
    for (int64_t d : info.shape) bytes *= static_cast<uint64_t>(d);
    if (bytes != info.end - info.begin) std::abort();
    covered += info.end - info.begin;
  }
  if (covered != size - data_offset) std::abort();
  return 0;
}
