// SHA-256 (FIPS 180-4) via OpenSSL EVP.
//
// Sha256Hasher is an incremental hasher: not copyable, not thread safe; use
// one per thread. The free function is safe to call concurrently.
#pragma once

#include <memory>

#include "attest/bytes.h"

struct evp_md_ctx_st;

namespace attestd {

[[nodiscard]] Digest32 Sha256(ByteSpan data);
[[nodiscard]] inline Digest32 Sha256(std::string_view data) { return Sha256(AsBytes(data)); }

class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  void Update(ByteSpan data);
  void Update(std::string_view data) { Update(AsBytes(data)); }
  // Returns the digest and resets the hasher for reuse.
  [[nodiscard]] Digest32 Finish();

 private:
  evp_md_ctx_st* ctx_;
};

}  // namespace attestd
