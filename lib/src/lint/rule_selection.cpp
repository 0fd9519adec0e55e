#include "sipcred/lint/rule_selection.hpp"

#include "sipcred/util/error.hpp"

namespace sipcred::lint {

void RuleSelection::enable(std::string_view code) { set(code, true); }
void RuleSelection::disable(std::string_view code) { set(code, false); }

void RuleSelection::set(std::string_view code, bool on) {
  const Rule* rule = find_rule(code);
  if (!rule)
    throw Error(ErrorKind::Usage,
                "unknown code '" + std::string(code) + "': codes are listed in sipcred-lint(1)");
  m_overrides[std::string(rule->code)] = on;
}

bool RuleSelection::enabled(std::string_view code) const {
  if (const auto it = m_overrides.find(code); it != m_overrides.end()) return it->second;
  const Rule* rule = find_rule(code);
  return !rule || rule->on_by_default;
}

void RuleSelection::apply(std::vector<Finding>& findings) const {
  // Codes are few and findings may be millions: each code is looked up once.
  std::map<std::string_view, bool> known;
  std::erase_if(findings, [&](const Finding& f) {
    const auto [it, added] = known.try_emplace(f.diagnostic.code);
    if (added) it->second = enabled(f.diagnostic.code);
    return !it->second;
  });
}

} // namespace sipcred::lint
