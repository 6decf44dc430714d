// Recursive Length Prefix encoding (Ethereum Yellow Paper, appendix B), the
// serialisation under every transaction we sign.
//
// Only encoding: the exporter builds transactions, it never needs to parse
// them (an independent decoder, ethers, checks our bytes in tests).
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <span>

#include "attest/bytes.h"

namespace attestd::chain {

// A byte string item: a single byte below 0x80 is itself; otherwise a length
// prefix (0x80 + len, or 0xb7 + len-of-len for 56 bytes and more) and the bytes.
[[nodiscard]] Bytes RlpString(ByteSpan bytes);

// An unsigned integer item: its minimal big-endian bytes as a string, so zero
// is the empty string 0x80 and no encoding has a leading zero byte.
[[nodiscard]] Bytes RlpUint(uint64_t value);

// An integer given as big-endian bytes of any width (signature r and s):
// leading zero bytes are stripped before encoding as a string.
[[nodiscard]] Bytes RlpUintBytes(ByteSpan big_endian);

// A list item whose payload is the concatenation of already-encoded items.
[[nodiscard]] Bytes RlpList(std::span<const Bytes> encoded_items);

}  // namespace attestd::chain
