#include "model/byte_level.h"

#include <cstddef>

#include "model/utf8.h"

namespace attestd::model {
namespace {

bool StandsForItself(int b) {
  return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

void AppendCodePoint(uint32_t cp, std::string& out) {
  // Only U+0000..U+07FF occur in this alphabet.
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

struct Tables {
  std::array<std::string, 256> char_of_byte;
  std::array<int, 0x200> byte_of_code_point;  // -1 where not in the alphabet

  Tables() {
    byte_of_code_point.fill(-1);
    uint32_t next_extra = 0x100;
    for (int b = 0; b < 256; ++b) {
      const uint32_t cp = StandsForItself(b) ? static_cast<uint32_t>(b) : next_extra++;
      AppendCodePoint(cp, char_of_byte[static_cast<size_t>(b)]);
      byte_of_code_point[cp] = b;
    }
  }
};

const Tables& GetTables() {
  static const Tables tables;
  return tables;
}

}  // namespace

std::string_view ByteLevelChar(uint8_t byte) { return GetTables().char_of_byte[byte]; }

void AppendByteLevel(std::string_view bytes, std::string& out) {
  const Tables& t = GetTables();
  for (char c : bytes) out.append(t.char_of_byte[static_cast<uint8_t>(c)]);
}

std::optional<std::string> DecodeByteLevel(std::string_view byte_level) {
  const Tables& t = GetTables();
  std::string out;
  out.reserve(byte_level.size());
  size_t i = 0;
  while (i < byte_level.size()) {
    const auto b0 = static_cast<uint8_t>(byte_level[i]);
    uint32_t cp = 0;
    if (b0 < 0x80) {
      cp = b0;
      i += 1;
    } else {
      const size_t n = Utf8SequenceLength(byte_level.substr(i));
      if (n != 2) return std::nullopt;  // every alphabet character is 1 or 2 bytes
      cp = ((b0 & 0x1Fu) << 6) | (static_cast<uint8_t>(byte_level[i + 1]) & 0x3Fu);
      i += 2;
    }
    if (cp >= t.byte_of_code_point.size() || t.byte_of_code_point[cp] < 0) return std::nullopt;
    out.push_back(static_cast<char>(t.byte_of_code_point[cp]));
  }
  return out;
}

}  // namespace attestd::model
