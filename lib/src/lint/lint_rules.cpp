// The rule table (rule_table.hpp) as the public API sees it: --explain, SARIF and the man page
// (checked by a test) use it.

#include "sipcred/lint/lint.hpp"

#include "lint/rule_table.hpp"
#include "util/text.hpp"

namespace sipcred::lint {

std::span<const Rule> rules() { return table::rule_table; }

const Rule* find_rule(std::string_view code) {
  for (const Rule& rule : table::rule_table)
    if (iequals(rule.code, code)) return &rule;
  return nullptr;
}

} // namespace sipcred::lint
