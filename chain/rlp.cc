#include "chain/rlp.h"

namespace attestd::chain {
namespace {

// Appends the header for a payload of `length` bytes: short form offset+len
// below 56 bytes, long form (offset+55+len-of-len) followed by the length.
void AppendHeader(Bytes& out, size_t length, uint8_t short_offset) {
  if (length < 56) {
    out.push_back(static_cast<uint8_t>(short_offset + length));
    return;
  }
  uint8_t be[8];
  PutBigEndian64(length, be);
  size_t first = 0;
  while (first < 7 && be[first] == 0) ++first;
  out.push_back(static_cast<uint8_t>(short_offset + 55 + (8 - first)));
  out.insert(out.end(), be + first, be + 8);
}

}  // namespace

Bytes RlpString(ByteSpan bytes) {
  Bytes out;
  if (bytes.size() == 1 && bytes[0] < 0x80) {
    out.push_back(bytes[0]);
    return out;
  }
  out.reserve(bytes.size() + 9);
  AppendHeader(out, bytes.size(), 0x80);
  out.insert(out.end(), bytes.begin(), bytes.end());
  return out;
}

Bytes RlpUint(uint64_t value) {
  uint8_t be[8];
  PutBigEndian64(value, be);
  return RlpUintBytes(ByteSpan(be, 8));
}

Bytes RlpUintBytes(ByteSpan big_endian) {
  size_t first = 0;
  while (first < big_endian.size() && big_endian[first] == 0) ++first;
  return RlpString(big_endian.subspan(first));
}

Bytes RlpList(std::span<const Bytes> encoded_items) {
  size_t length = 0;
  for (const Bytes& item : encoded_items) length += item.size();
  Bytes out;
  out.reserve(length + 9);
  AppendHeader(out, length, 0xc0);
  for (const Bytes& item : encoded_items) out.insert(out.end(), item.begin(), item.end());
  return out;
}

}  // namespace attestd::chain
