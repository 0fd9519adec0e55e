#pragma once
// Small text helpers shared by the library's sources (not part of the public API).

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

} // namespace sipcred
