#include "attest/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>

namespace attestd {
namespace {

// OpenSSL's SHA-256 fails only on allocation failure; there is no useful
// recovery from that in a hashing primitive.
void CheckOpenSsl(int ok) {
  if (ok != 1) std::abort();
}

}  // namespace

Sha256Hasher::Sha256Hasher() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr) std::abort();
  CheckOpenSsl(EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr));
}

Sha256Hasher::~Sha256Hasher() { EVP_MD_CTX_free(ctx_); }

void Sha256Hasher::Update(ByteSpan data) { CheckOpenSsl(EVP_DigestUpdate(ctx_, data.data(), data.size())); }

Digest32 Sha256Hasher::Finish() {
  Digest32 out;
  unsigned int len = 0;
  CheckOpenSsl(EVP_DigestFinal_ex(ctx_, out.data(), &len));
  CheckOpenSsl(EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr));
  return out;
}

Digest32 Sha256(ByteSpan data) {
  Digest32 out;
  unsigned int len = 0;
  CheckOpenSsl(EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr));
  return out;
}

}  // namespace attestd
