#pragma once
// Small text helpers shared by the library's sources (not part of the public API).

#include <cstring>
#include <string>
#include <string_view>

namespace sipcred {

constexpr char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

// Hex digests and protocol tokens in lower case (std::tolower asks the locale for each byte).
inline std::string ascii_lowercase(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = ascii_lower(c);
  return lower;
}

// ASCII case-insensitive equality: protocol tokens are ASCII, and locale must not matter.
constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

// `length` bytes as 2 x `length` lowercase hex digits at `into` (digests as userdbs store them).
inline void write_hex(char* into, const unsigned char* bytes, std::size_t length) {
  static constexpr char digits[] = "0123456789abcdef";
  for (std::size_t i = 0; i < length; ++i) {
    into[2 * i] = digits[bytes[i] >> 4];
    into[2 * i + 1] = digits[bytes[i] & 0x0f];
  }
}

// The number of '\n' in `text`. glibc's memchr, line after line, is about six times faster
// than std::count at -O2 (which GCC does not vectorise), and this runs over whole userdbs on
// the thread that feeds the others.
inline std::size_t count_lines(std::string_view text) {
  std::size_t lines = 0;
  const char* at = text.data();
  const char* const end = at + text.size();
  while ((at = static_cast<const char*>(std::memchr(at, '\n', end - at))) != nullptr) {
    ++lines;
    ++at;
  }
  return lines;
}

} // namespace sipcred
