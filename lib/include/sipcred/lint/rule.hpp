#pragma once
// A lint rule: its stable code, severity and explanation (sipcred::lint::rules()).

#include "sipcred/export.hpp"
#include "sipcred/util/diagnostic.hpp"

#include <string_view>

namespace sipcred::lint {

struct SIPCRED_EXPORT Rule {
  std::string_view code; // "SC312"
  Severity severity;
  std::string_view title;       // one line
  std::string_view explanation; // one paragraph: what is wrong, what the server does, the fix
  // Off: reported only when asked for (sipcred-lint --enable CODE, or `enable =` in a project
  // file), for rules most setups do not want.
  bool on_by_default = true;
};

} // namespace sipcred::lint
