// Keccak-256 as Ethereum uses it: the original Keccak submission with
// 0x01 domain padding (not FIPS 202 SHA3-256, which pads with 0x06).
// OpenSSL 3.0 has no Keccak-256, so this is a small portable implementation
// of Keccak-f[1600] checked against published vectors in tests/attest.
//
// Keccak256Hasher: not thread safe; one per thread. Free function: pure.
#pragma once

#include "attest/bytes.h"

namespace attestd {

[[nodiscard]] Digest32 Keccak256(ByteSpan data);
[[nodiscard]] inline Digest32 Keccak256(std::string_view data) { return Keccak256(AsBytes(data)); }

class Keccak256Hasher {
 public:
  void Update(ByteSpan data);
  void Update(std::string_view data) { Update(AsBytes(data)); }
  // Returns the digest and resets the hasher for reuse.
  [[nodiscard]] Digest32 Finish();

 private:
  static constexpr size_t kRateBytes = 136;  // 1088-bit rate for 256-bit output
  uint64_t state_[25] = {};
  size_t absorbed_ = 0;  // bytes absorbed into the current block
};

}  // namespace attestd
