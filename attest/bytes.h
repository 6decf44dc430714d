// Byte buffers, fixed-size byte strings, and strict hex / base64 codecs.
//
// Thread safety: every function here is pure and safe to call concurrently.
// Parsers are strict: they reject, with a message naming the offset or the
// length got vs want, anything that is not exactly one canonical encoding.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace attestd {

using Bytes = std::vector<uint8_t>;
using ByteSpan = std::span<const uint8_t>;

// A fixed-size byte string (hash, key, signature). Value type; zero-initialised.
template <size_t N>
struct FixedBytes {
  static constexpr size_t kSize = N;
  std::array<uint8_t, N> bytes{};

  uint8_t* data() { return bytes.data(); }
  const uint8_t* data() const { return bytes.data(); }
  static constexpr size_t size() { return N; }
  ByteSpan span() const { return ByteSpan(bytes.data(), N); }
  auto begin() const { return bytes.begin(); }
  auto end() const { return bytes.end(); }
  uint8_t& operator[](size_t i) { return bytes[i]; }
  const uint8_t& operator[](size_t i) const { return bytes[i]; }
  friend bool operator==(const FixedBytes&, const FixedBytes&) = default;
  friend auto operator<=>(const FixedBytes&, const FixedBytes&) = default;

  // Copies exactly N bytes; InvalidArgument "<what>: got K bytes, want N" otherwise.
  [[nodiscard]] static absl::StatusOr<FixedBytes> FromSpan(ByteSpan in, std::string_view what = "value");
};

using Digest32 = FixedBytes<32>;     // SHA-256 or Keccak-256 output
using Salt32 = FixedBytes<32>;       // commitment salt
using Address20 = FixedBytes<20>;    // Ethereum address
using Signature65 = FixedBytes<65>;  // r || s || v, v in {27, 28}

// Lowercase hex, no prefix.
std::string HexEncode(ByteSpan in);
template <size_t N>
std::string HexEncode(const FixedBytes<N>& in) { return HexEncode(in.span()); }
// "0x" + lowercase hex: how Ethereum JSON-RPC and its tools write data,
// hashes and addresses (addresses for display use ToChecksumAddress).
std::string Hex0x(ByteSpan in);
template <size_t N>
std::string Hex0x(const FixedBytes<N>& in) { return Hex0x(in.span()); }

// Decodes hex (either case). A "0x"/"0X" prefix is accepted only when
// allow_0x is set. Odd length or a non-hex character is InvalidArgument with
// the offset of the first bad character.
[[nodiscard]] absl::StatusOr<Bytes> HexDecode(std::string_view hex, bool allow_0x = true);

// Decodes hex that must hold exactly N bytes; `what` names the field in errors.
template <size_t N>
[[nodiscard]] absl::StatusOr<FixedBytes<N>> HexDecodeFixed(std::string_view hex, std::string_view what = "value") {
  ASSIGN_OR_RETURN(Bytes raw, HexDecode(hex));
  return FixedBytes<N>::FromSpan(raw, what);
}

// Standard base64 (RFC 4648 section 4) with padding.
std::string Base64Encode(ByteSpan in);
// Strict: requires canonical padding, rejects whitespace, URL-safe characters
// and non-zero trailing bits.
[[nodiscard]] absl::StatusOr<Bytes> Base64Decode(std::string_view in);

// Big-endian encoding of an unsigned integer into the last bytes of a word.
void PutBigEndian64(uint64_t v, uint8_t out8[8]);
uint64_t GetBigEndian64(const uint8_t in8[8]);

// Overwrites memory in a way the optimiser may not remove. For secrets.
void SecureWipe(void* p, size_t n);

inline ByteSpan AsBytes(std::string_view s) {
  return ByteSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

template <size_t N>
absl::StatusOr<FixedBytes<N>> FixedBytes<N>::FromSpan(ByteSpan in, std::string_view what) {
  if (in.size() != N) {
    return absl::InvalidArgumentError(std::string(what) + ": got " + std::to_string(in.size()) +
                                      " bytes, want " + std::to_string(N));
  }
  FixedBytes out;
  std::copy(in.begin(), in.end(), out.bytes.begin());
  return out;
}

}  // namespace attestd
