#pragma once
// Small text helpers shared by the library's sources (not part of the public API); ASCII case
// is sipcred/util/ascii.hpp's.

#include "sipcred/util/ascii.hpp"

#include <cstring>
#include <string>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sipcred {

// A space or a tab: what SIP headers, pjsip.conf and CSV lists call whitespace.
constexpr bool is_blank(char c) { return c == ' ' || c == '\t'; }

// `text` without the spaces and tabs at both ends.
constexpr std::string_view trim(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
}

// `text` without the bytes of `set` at its end.
constexpr std::string_view trim_end(std::string_view text, std::string_view set) {
  while (!text.empty() && set.find(text.back()) != std::string_view::npos) text.remove_suffix(1);
  return text;
}

// `length` bytes as 2 x `length` lowercase hex digits at `into` (digests as userdbs store them).
// Digests are written 16 bytes at a time with SSE2, part of every x86-64 CPU: a byte at a time,
// the hex of a SHA-256 HA1 took as long as its hashing in sipcred-convert.
inline void write_hex(char* into, const unsigned char* bytes, std::size_t length) {
  std::size_t i = 0;
#if defined(__SSE2__)
  const __m128i nibble = _mm_set1_epi8(0x0f);
  // A nibble n becomes '0' + n, plus the gap from '9' + 1 to 'a' when n > 9.
  const auto as_digits = [](__m128i n) {
    const __m128i letter = _mm_cmpgt_epi8(n, _mm_set1_epi8(9));
    return _mm_add_epi8(_mm_add_epi8(n, _mm_set1_epi8('0')),
                        _mm_and_si128(letter, _mm_set1_epi8('a' - '0' - 10)));
  };
  for (; i + 16 <= length; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + i));
    const __m128i high = _mm_and_si128(_mm_srli_epi16(v, 4), nibble);
    const __m128i low = _mm_and_si128(v, nibble);
    // Interleaved, high nibble first: the digits of bytes i..i+7, then of i+8..i+15.
    _mm_storeu_si128(reinterpret_cast<__m128i*>(into + 2 * i),
                     as_digits(_mm_unpacklo_epi8(high, low)));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(into + 2 * i + 16),
                     as_digits(_mm_unpackhi_epi8(high, low)));
  }
#endif
  // The tail, and everything on a build without SSE2.
  static constexpr char digits[] = "0123456789abcdef";
  for (; i < length; ++i) {
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

// Calls visit(line, number) for each line of `text` (1-based numbers), without its line end
// (LF, or CRLF); a last line without a line end counts, an empty text has none.
template <class Visit> void for_each_line(std::string_view text, Visit&& visit) {
  std::size_t number = 0;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    visit(line, ++number);
  }
}

} // namespace sipcred
