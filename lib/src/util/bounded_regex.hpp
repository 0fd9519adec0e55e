#pragma once
// Limits on the ECMAScript regexes sipcred compiles from configuration (realm-regex) and on the
// text it runs them on. libstdc++'s std::regex, which Flexisip uses too, compiles and matches
// by recursion: a deep enough pattern, or a long enough subject, overflows the stack, and a
// count of too many digits overflows an int inside its compiler. Below these limits neither
// happens on a default 8 MiB stack: 10 nested groups under a quantifier overflowed it from
// about 4,000 bytes of subject, 4 times the subject allowed.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sipcred {

// A realm regex runs on a From URI; a longer one is refused unmatched (its host alone could not
// be a DNS name, 253 bytes at most, next to any plausible user part and parameters).
inline constexpr std::size_t max_regex_subject = 1024;
// The longest pattern compiled and its deepest nesting of groups.
inline constexpr std::size_t max_regex_length = 1024;
inline constexpr std::size_t max_regex_nesting = 10;

struct RegexRefusal {
  std::size_t offset; // in the pattern, where the refused construct starts
  std::string reason; // "groups nested deeper than 10", ...
};

// Why `pattern` is not to be compiled, or nullopt when it is within the limits: too long, groups
// nested too deep, a back-reference of more than 3 digits or a repeat count ({n}, {n,m}) of
// more than 5 (none of which a 1 KiB pattern can use).
std::optional<RegexRefusal> refuse_regex(std::string_view pattern);

} // namespace sipcred
