#include "ledger/merkle_hash.h"

#include <algorithm>

#include "attest/sha256.h"

namespace attestd::ledger {
namespace {

constexpr uint8_t kLeafPrefix = 0x00;
constexpr uint8_t kNodePrefix = 0x01;

}  // namespace

Digest32 HashLeaf(ByteSpan leaf) {
  // One contiguous buffer for the common fixed-size leaf keeps this a single
  // EVP call; larger inputs go through the incremental hasher.
  uint8_t buf[1 + 512];
  if (leaf.size() <= 512) {
    buf[0] = kLeafPrefix;
    std::copy(leaf.begin(), leaf.end(), buf + 1);
    return Sha256(ByteSpan(buf, 1 + leaf.size()));
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
  return Sha256(ByteSpan(buf, sizeof(buf)));
}

const Digest32& EmptyRoot() {
  static const Digest32 kEmpty = Sha256(ByteSpan());
  return kEmpty;
}

}  // namespace attestd::ledger
