#include "attest/bytes.h"

#include <openssl/crypto.h>

namespace attestd {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kBase64Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::string HexEncode(ByteSpan in) {
  std::string out(in.size() * 2, '0');
  for (size_t i = 0; i < in.size(); ++i) {
    out[2 * i] = kHexDigits[in[i] >> 4];
    out[2 * i + 1] = kHexDigits[in[i] & 0xf];
  }
  return out;
}

std::string Hex0x(ByteSpan in) { return "0x" + HexEncode(in); }

absl::StatusOr<Bytes> HexDecode(std::string_view hex, bool allow_0x) {
  size_t offset = 0;
  if (hex.size() >= 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) {
    if (!allow_0x) return absl::InvalidArgumentError("hex: unexpected 0x prefix");
    offset = 2;
  }
  std::string_view digits = hex.substr(offset);
  if (digits.size() % 2 != 0) {
    return absl::InvalidArgumentError("hex: odd number of digits (" + std::to_string(digits.size()) + ")");
  }
  Bytes out(digits.size() / 2);
  for (size_t i = 0; i < digits.size(); i += 2) {
    int hi = HexValue(digits[i]);
    int lo = HexValue(digits[i + 1]);
    if (hi < 0 || lo < 0) {
      size_t bad = offset + i + (hi < 0 ? 0 : 1);
      return absl::InvalidArgumentError("hex: invalid character at offset " + std::to_string(bad));
    }
    out[i / 2] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

std::string Base64Encode(ByteSpan in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = uint32_t{in[i]} << 16 | uint32_t{in[i + 1]} << 8 | in[i + 2];
    out += kBase64Alphabet[v >> 18];
    out += kBase64Alphabet[(v >> 12) & 63];
    out += kBase64Alphabet[(v >> 6) & 63];
    out += kBase64Alphabet[v & 63];
  }
  size_t rest = in.size() - i;
  if (rest == 1) {
    uint32_t v = uint32_t{in[i]} << 16;
    out += kBase64Alphabet[v >> 18];
    out += kBase64Alphabet[(v >> 12) & 63];
    out += "==";
  } else if (rest == 2) {
    uint32_t v = uint32_t{in[i]} << 16 | uint32_t{in[i + 1]} << 8;
    out += kBase64Alphabet[v >> 18];
    out += kBase64Alphabet[(v >> 12) & 63];
    out += kBase64Alphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

absl::StatusOr<Bytes> Base64Decode(std::string_view in) {
  if (in.size() % 4 != 0) {
    return absl::InvalidArgumentError("base64: length " + std::to_string(in.size()) + " is not a multiple of 4");
  }
  size_t padding = 0;
  if (!in.empty() && in.back() == '=') padding = (in.size() >= 2 && in[in.size() - 2] == '=') ? 2 : 1;
  Bytes out;
  out.reserve(in.size() / 4 * 3);
  for (size_t i = 0; i < in.size(); i += 4) {
    bool last_group = i + 4 == in.size();
    uint32_t v = 0;
    for (size_t j = 0; j < 4; ++j) {
      char c = in[i + j];
      bool is_padding_slot = last_group && j >= 4 - padding;
      if (is_padding_slot) {
        if (c != '=') return absl::InvalidArgumentError("base64: bad padding at offset " + std::to_string(i + j));
        v <<= 6;
        continue;
      }
      int d = Base64Value(c);
      if (d < 0) return absl::InvalidArgumentError("base64: invalid character at offset " + std::to_string(i + j));
      v = v << 6 | static_cast<uint32_t>(d);
    }
    out.push_back(static_cast<uint8_t>(v >> 16));
    if (!(last_group && padding == 2)) out.push_back(static_cast<uint8_t>(v >> 8));
    if (!(last_group && padding >= 1)) out.push_back(static_cast<uint8_t>(v));
    if (last_group && padding == 2 && (v & 0xffff) != 0) {
      return absl::InvalidArgumentError("base64: non-zero trailing bits");
    }
    if (last_group && padding == 1 && (v & 0xff) != 0) {
      return absl::InvalidArgumentError("base64: non-zero trailing bits");
    }
  }
  return out;
}

void PutBigEndian64(uint64_t v, uint8_t out8[8]) {
  for (int i = 7; i >= 0; --i) {
    out8[i] = static_cast<uint8_t>(v);
    v >>= 8;
  }
}

uint64_t GetBigEndian64(const uint8_t in8[8]) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | in8[i];
  return v;
}

void SecureWipe(void* p, size_t n) { OPENSSL_cleanse(p, n); }

}  // namespace attestd
