#pragma once
// The bytes of userdb tokens (identities, credentials, user-ids), tested many at a time, and
// credential prefixes: the scanner spends most of its time here, so everything is inline.

#include "sipcred/userdb/userdb.hpp"

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sipcred::userdb {

constexpr std::array<bool, 256> make_token_table() {
  std::array<bool, 256> table{};
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (char c : std::string_view("-.!%*_+`'~:")) table[static_cast<unsigned char>(c)] = true;
  return table;
}
inline constexpr std::array<bool, 256> token_table = make_token_table();

// The length of the run of token characters that starts `text`. Most bytes of a userdb are
// in tokens (hashes above all), and a byte at a time this loop was a quarter of a scan: with
// SSE2 (every x86-64) it takes 16 bytes a step. Both paths agree on all 256 byte values,
// which a unit test checks through is_token.
inline std::size_t token_length(std::string_view text) {
  std::size_t pos = 0;
#if defined(__SSE2__)
  for (; pos + 16 <= text.size(); pos += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + pos));
    const auto within = [&](char lo, char hi) { // lo <= byte <= hi, unsigned
      const __m128i span = _mm_set1_epi8(static_cast<char>(hi - lo));
      const __m128i offset = _mm_sub_epi8(x, _mm_set1_epi8(lo));
      return _mm_cmpeq_epi8(_mm_max_epu8(offset, span), span);
    };
    const auto equal = [&](char c) { return _mm_cmpeq_epi8(x, _mm_set1_epi8(c)); };
    // Token characters: 0-9 and ':', A-Z, '`' and a-z, '*' '+', '-' '.', and ! % ' _ ~.
    const __m128i ranges = _mm_or_si128(_mm_or_si128(within('0', ':'), within('A', 'Z')),
                                        _mm_or_si128(within('`', 'z'), within('*', '+')));
    const __m128i singles =
        _mm_or_si128(_mm_or_si128(equal('!'), equal('%')), _mm_or_si128(equal('\''), equal('_')));
    const __m128i token =
        _mm_or_si128(_mm_or_si128(ranges, singles), _mm_or_si128(within('-', '.'), equal('~')));
    const unsigned others = ~static_cast<unsigned>(_mm_movemask_epi8(token)) & 0xFFFFu;
    if (others != 0) return pos + static_cast<std::size_t>(std::countr_zero(others));
  }
#endif
  while (pos < text.size() && token_table[static_cast<unsigned char>(text[pos])]) ++pos;
  return pos;
}

// Checks 8 characters at a time whether a hash value is lowercase hex, and whether it holds
// uppercase hex digits: this runs on every hash of a million-user file, and a byte at a time
// it was a third of a scan. The value is made of token characters, all below 0x80, so adding
// a per-byte constant below 0x80 never carries into the next byte.
struct HexCheck {
  bool hex = true;    // only 0-9 a-f A-F
  bool upper = false; // some A-F
};
constexpr std::uint64_t ones = 0x0101010101010101ULL, high_bits = 0x8080808080808080ULL;
constexpr std::uint64_t in_range(std::uint64_t x, unsigned lo, unsigned hi) {
  // Per byte: high bit set when lo <= byte <= hi.
  return (x + (0x80 - lo) * ones) & ~(x + (0x7F - hi) * ones) & high_bits;
}
inline HexCheck check_hex(std::string_view value) {
  HexCheck result;
  std::size_t i = 0;
  for (; i + 8 <= value.size(); i += 8) {
    std::uint64_t x;
    std::memcpy(&x, value.data() + i, 8);
    const std::uint64_t upper = in_range(x, 'A', 'F');
    if ((in_range(x, '0', '9') | in_range(x, 'a', 'f') | upper) != high_bits) result.hex = false;
    if (upper) result.upper = true;
  }
  for (; i < value.size(); ++i) {
    const char c = value[i];
    if (c >= 'A' && c <= 'F')
      result.upper = true;
    else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      result.hex = false;
  }
  return result;
}

inline constexpr std::string_view token_alphabet = "letters, digits and - . ! % * _ + ` ' ~ :";

// The prefix of a credential in lower case, as sipcred writes it ("md5" of md5:...).
inline std::string_view type_name(CredentialType type) {
  switch (type) {
  case CredentialType::ClearText: return "clrtxt";
  case CredentialType::Md5: return "md5";
  case CredentialType::Sha256: return "sha256";
  }
  return "";
}

} // namespace sipcred::userdb
