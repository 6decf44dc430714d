#include "ledger/store_format.h"

#include <bit>

namespace attestd::ledger {
namespace {

constexpr uint8_t kHeadVersion = 1;
constexpr size_t kHeadFixedSize = 1 + 8 + 8 + 32 + 1;

void AppendU64(std::string& out, uint64_t v) {
  uint8_t be[8];
  PutBigEndian64(v, be);
  out.append(reinterpret_cast<const char*>(be), 8);
}

uint64_t ReadU64(std::string_view in, size_t offset) {
  return GetBigEndian64(reinterpret_cast<const uint8_t*>(in.data() + offset));
}

}  // namespace

std::string LeafKey(uint64_t index) {
  std::string key;
  AppendU64(key, index);
  return key;
}

std::string NodeKey(int level, uint64_t index) {
  std::string key(1, static_cast<char>(level));
  AppendU64(key, index);
  return key;
}

std::string CheckpointKey(uint64_t size) { return LeafKey(size); }

std::string RequestIdKey(ByteSpan request_id32, uint64_t index) {
  std::string key(reinterpret_cast<const char*>(request_id32.data()), request_id32.size());
  AppendU64(key, index);
  return key;
}

std::string EncodeU64Value(uint64_t value) {
  std::string out;
  AppendU64(out, value);
  return out;
}

absl::StatusOr<uint64_t> DecodeIndexKey(std::string_view key, std::string_view what) {
  if (key.size() != 8) {
    return absl::DataLossError(std::string(what) + " key: got " + std::to_string(key.size()) + " bytes, want 8");
  }
  return ReadU64(key, 0);
}

absl::StatusOr<NodeId> DecodeNodeKey(std::string_view key) {
  if (key.size() != 9) {
    return absl::DataLossError("node key: got " + std::to_string(key.size()) + " bytes, want 9");
  }
  NodeId id{static_cast<uint8_t>(key[0]), ReadU64(key, 1)};
  if (id.level > kMaxLevel) {
    return absl::DataLossError("node key: got level " + std::to_string(id.level) + ", want <= 63");
  }
  return id;
}

std::string EncodeHead(const LogHead& head) {
  std::string out;
  out.reserve(kHeadFixedSize + 32 * head.frontier.size());
  out.push_back(static_cast<char>(kHeadVersion));
  AppendU64(out, head.size);
  AppendU64(out, head.last_checkpoint_size);
  out.append(reinterpret_cast<const char*>(head.last_checkpoint_root.data()), 32);
  out.push_back(static_cast<char>(head.frontier.size()));
  for (const Digest32& h : head.frontier) out.append(reinterpret_cast<const char*>(h.data()), 32);
  return out;
}

absl::StatusOr<LogHead> DecodeHead(std::string_view value) {
  if (value.size() < kHeadFixedSize) {
    return absl::DataLossError("head: got " + std::to_string(value.size()) + " bytes, want at least " +
                               std::to_string(kHeadFixedSize));
  }
  if (static_cast<uint8_t>(value[0]) != kHeadVersion) {
    return absl::DataLossError("head: got version " + std::to_string(static_cast<uint8_t>(value[0])) +
                               ", want 1");
  }
  LogHead head;
  head.size = ReadU64(value, 1);
  head.last_checkpoint_size = ReadU64(value, 9);
  std::copy(value.begin() + 17, value.begin() + 49, head.last_checkpoint_root.bytes.begin());
  size_t count = static_cast<uint8_t>(value[49]);
  size_t want_count = static_cast<size_t>(std::popcount(head.size));
  if (count != want_count) {
    return absl::DataLossError("head: frontier has " + std::to_string(count) + " hashes, want " +
                               std::to_string(want_count) + " for size " + std::to_string(head.size));
  }
  if (value.size() != kHeadFixedSize + 32 * count) {
    return absl::DataLossError("head: got " + std::to_string(value.size()) + " bytes, want " +
                               std::to_string(kHeadFixedSize + 32 * count));
  }
  if (head.last_checkpoint_size > head.size) {
    return absl::DataLossError("head: last checkpoint size " + std::to_string(head.last_checkpoint_size) +
                               " exceeds tree size " + std::to_string(head.size));
  }
  head.frontier.resize(count);
  for (size_t i = 0; i < count; ++i) {
    const char* p = value.data() + kHeadFixedSize + 32 * i;
    std::copy(p, p + 32, reinterpret_cast<char*>(head.frontier[i].data()));
  }
  return head;
}


}  // namespace attestd::ledger
