#include "ledger/merkle_hash.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdlib>

#include "attest/sha256.h"

namespace attestd::ledger {
namespace {

constexpr uint8_t kLeafPrefix = 0x00;
constexpr uint8_t kNodePrefix = 0x01;

// One SHA-256 context per thread with the algorithm fetched once: the
// one-shot EVP_Digest looks the algorithm up and allocates a context on every
// call, which costs more than hashing 65 bytes (bench/ledger_proof).
class ThreadSha256 {
 public:
  ThreadSha256() : md_(EVP_MD_fetch(nullptr, "SHA256", nullptr)), ctx_(EVP_MD_CTX_new()) {
    if (md_ == nullptr || ctx_ == nullptr) std::abort();
  }
  ~ThreadSha256() {
    EVP_MD_CTX_free(ctx_);
    EVP_MD_free(md_);
  }
  ThreadSha256(const ThreadSha256&) = delete;
  ThreadSha256& operator=(const ThreadSha256&) = delete;

  // OpenSSL fails here only on allocation failure; a hashing primitive has no
  // useful recovery from that (as attest/sha256.cc).
  Digest32 Hash(const uint8_t* data, size_t size) {
    Digest32 out;
    unsigned int len = 0;
    if (EVP_DigestInit_ex2(ctx_, md_, nullptr) != 1 || EVP_DigestUpdate(ctx_, data, size) != 1 ||
        EVP_DigestFinal_ex(ctx_, out.data(), &len) != 1) {
      std::abort();
    }
    return out;
  }

 private:
  EVP_MD* md_;
  EVP_MD_CTX* ctx_;
};

Digest32 Sha256Fast(const uint8_t* data, size_t size) {
  thread_local ThreadSha256 hasher;
  return hasher.Hash(data, size);
}

}  // namespace

Digest32 HashLeaf(ByteSpan leaf) {
  // One contiguous buffer for the common fixed-size leaf keeps this a single
  // update; larger inputs go through the incremental hasher.
  uint8_t buf[1 + 512];
  if (leaf.size() <= 512) {
    buf[0] = kLeafPrefix;
    std::copy(leaf.begin(), leaf.end(), buf + 1);
    return Sha256Fast(buf, 1 + leaf.size());
  }
  Sha256Hasher hasher;
  hasher.Update(ByteSpan(&kLeafPrefix, 1));
  hasher.Update(leaf);
  return hasher.Finish();
}

Digest32 HashChildren(const Digest32& left, const Digest32& right) {
  uint8_t buf[1 + 32 + 32];
  buf[0] = kNodePrefix;
  std::copy(left.begin(), left.end(), buf + 1);
  std::copy(right.begin(), right.end(), buf + 33);
  return Sha256Fast(buf, sizeof(buf));
}

const Digest32& EmptyRoot() {
  static const Digest32 kEmpty = Sha256(ByteSpan());
  return kEmpty;
}

}  // namespace attestd::ledger
