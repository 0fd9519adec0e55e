#pragma once
// A problem found in input data, with where it is and how bad it is. Parsers and lint rules
// return these instead of throwing, so that a user sees every problem of a file at once.

#include "sipcred/export.hpp"
#include <cstddef>
#include <string>
#include <string_view>

namespace sipcred {

// Error: the server would refuse the data. Warning: the server accepts it but silently ignores
// or drops something. Note: harmless, worth knowing.
enum class Severity { Error, Warning, Note };

SIPCRED_EXPORT std::string_view severity_name(Severity severity); // "error", "warning", "note"

struct SIPCRED_EXPORT Diagnostic {
  std::string_view code; // stable identifier, e.g. "SC107"; always a string literal
  Severity severity = Severity::Error;
  std::size_t line = 0;   // 1-based
  std::size_t column = 0; // 1-based, counted in characters (UTF-8 code points)
  std::string message;    // what is wrong and what was expected; never contains a secret
};

} // namespace sipcred
