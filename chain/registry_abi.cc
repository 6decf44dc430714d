#include "chain/registry_abi.h"

#include <algorithm>

#include "attest/keccak256.h"

namespace attestd::chain {
namespace {

Bytes Selector(std::string_view signature) {
  Digest32 hash = Keccak256(signature);
  return Bytes(hash.begin(), hash.begin() + 4);
}

void AppendWord(Bytes& out, ByteSpan word32) { out.insert(out.end(), word32.begin(), word32.end()); }

void AppendUint64Word(Bytes& out, uint64_t value) {
  uint8_t word[32] = {};
  PutBigEndian64(value, word + 24);
  out.insert(out.end(), word, word + 32);
}

absl::StatusOr<uint64_t> Uint64Word(ByteSpan word, std::string_view what) {
  if (std::any_of(word.begin(), word.begin() + 24, [](uint8_t b) { return b != 0; })) {
    return absl::InvalidArgumentError(std::string(what) + ": uint64 word has bits above 64");
  }
  return GetBigEndian64(word.data() + 24);
}

}  // namespace

Bytes EncodeAnchorCall(const Digest32& log_id, uint64_t tree_size, const Digest32& root) {
  Bytes out = Selector("anchor(bytes32,uint64,bytes32)");
  AppendWord(out, log_id.span());
  AppendUint64Word(out, tree_size);
  AppendWord(out, root.span());
  return out;
}

Bytes EncodeRootAtCall(const Digest32& log_id, uint64_t tree_size) {
  Bytes out = Selector("rootAt(bytes32,uint64)");
  AppendWord(out, log_id.span());
  AppendUint64Word(out, tree_size);
  return out;
}

Bytes EncodeLatestCall(const Digest32& log_id) {
  Bytes out = Selector("latest(bytes32)");
  AppendWord(out, log_id.span());
  return out;
}

absl::StatusOr<Digest32> DecodeRootAtResult(ByteSpan data) {
  return Digest32::FromSpan(data, "rootAt return data");
}

absl::StatusOr<LatestAnchor> DecodeLatestResult(ByteSpan data) {
  if (data.size() != 64) {
    return absl::InvalidArgumentError("latest return data: got " + std::to_string(data.size()) +
                                      " bytes, want 64 (is the address an AnchorRegistry?)");
  }
  LatestAnchor out;
  ASSIGN_OR_RETURN(out.tree_size, Uint64Word(data.subspan(0, 32), "latest treeSize"));
  std::copy(data.begin() + 32, data.end(), out.root.bytes.begin());
  return out;
}

Digest32 AnchoredEventTopic() { return Keccak256(std::string_view("Anchored(bytes32,uint64,bytes32)")); }

}  // namespace attestd::chain
