// The GPT-2 byte-level alphabet: every byte 0..255 is shown as one printable
// Unicode character so that BPE vocabularies can be stored as JSON strings.
// Printable Latin-1 bytes (0x21..0x7E, 0xA1..0xAC, 0xAE..0xFF) stand for
// themselves; the other 68 bytes map, in increasing order, to U+0100.. U+0143
// (so a space is "Ġ" U+0120 and a newline "Ċ" U+010A).
//
// Thread safety: the tables are built once, at first use, in a thread-safe
// function-local static; every function is safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace attestd::model {

// The UTF-8 encoding of the character that stands for `byte`.
std::string_view ByteLevelChar(uint8_t byte);

// Appends the byte-level form of `bytes` (each byte -> its character).
void AppendByteLevel(std::string_view bytes, std::string& out);

// The raw bytes of a byte-level string, or nullopt if it contains a
// character outside the 256-character alphabet (or invalid UTF-8).
std::optional<std::string> DecodeByteLevel(std::string_view byte_level);

}  // namespace attestd::model
