#include "util/bounded_regex.hpp"

namespace sipcred {
namespace {

constexpr std::size_t max_backref_digits = 3;
constexpr std::size_t max_count_digits = 5;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::size_t digits_at(std::string_view text, std::size_t at) {
  std::size_t end = at;
  while (end < text.size() && is_digit(text[end])) ++end;
  return end - at;
}

} // namespace

std::optional<RegexRefusal> refuse_regex(std::string_view pattern) {
  if (pattern.size() > max_regex_length)
    return RegexRefusal{max_regex_length, "longer than " + std::to_string(max_regex_length) +
                                              " bytes (" + std::to_string(pattern.size()) + ")"};
  std::size_t depth = 0;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      // \1..\9 start a back-reference, read as one decimal number.
      if (i + 1 < pattern.size() && pattern[i + 1] >= '1' && pattern[i + 1] <= '9' &&
          digits_at(pattern, i + 1) > max_backref_digits)
        return RegexRefusal{i, "a back-reference of more than " +
                                   std::to_string(max_backref_digits) + " digits"};
      ++i; // whatever is escaped is one atom
    } else if (c == '[') {
      // A class holds no groups or counts: skip to its unescaped ']' (one right after '[' or
      // '[^' closes it in ECMAScript, as an empty class).
      for (++i; i < pattern.size() && pattern[i] != ']'; ++i)
        if (pattern[i] == '\\') ++i;
    } else if (c == '(') {
      if (++depth > max_regex_nesting)
        return RegexRefusal{i, "groups nested deeper than " + std::to_string(max_regex_nesting)};
    } else if (c == ')') {
      if (depth > 0) --depth;
    } else if (c == '{') {
      std::size_t at = i + 1;
      std::size_t digits = digits_at(pattern, at);
      if (digits <= max_count_digits && at + digits < pattern.size() &&
          pattern[at + digits] == ',') {
        at += digits + 1;
        digits = digits_at(pattern, at);
      }
      if (digits > max_count_digits)
        return RegexRefusal{i, "a repeat count of more than " + std::to_string(max_count_digits) +
                                   " digits"};
    }
  }
  return std::nullopt;
}

} // namespace sipcred
