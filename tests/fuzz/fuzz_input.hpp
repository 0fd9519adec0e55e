#pragma once
// What every target shares: the input as text, and the "long input" form of the regex paths,
// which repeats a short input up to 64 KiB so that a matcher that recurses per character, or
// backtracks, is reached by inputs the fuzzer can still mutate.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace sipcred::fuzz {

inline std::string_view text_of(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

inline std::string repeated_to_64k(std::string_view text) {
  std::string out;
  if (text.empty()) return out;
  out.reserve(64 * 1024);
  while (out.size() + text.size() <= 64 * 1024) out.append(text);
  return out;
}

// A property that must hold: a failed one is a crash libFuzzer records, with its input.
inline void require(bool holds) {
  if (!holds) std::abort();
}

} // namespace sipcred::fuzz
