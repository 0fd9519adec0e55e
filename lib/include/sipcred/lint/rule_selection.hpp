#pragma once
// Which rules are reported: each rule's default from the table (Rule::on_by_default), then
// what the caller enables and disables, the last word winning. Works on any findings, so
// that every source of findings (lint, audit) is selected the same way.

#include "sipcred/export.hpp"
#include "sipcred/lint/lint.hpp"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sipcred::lint {

class SIPCRED_EXPORT RuleSelection {
public:
  // `code` is a code of the table (find_rule): Error(Usage) otherwise.
  void enable(std::string_view code);
  void disable(std::string_view code);
  bool enabled(std::string_view code) const;
  // Removes the findings of the rules not enabled.
  void apply(std::vector<Finding>& findings) const;

private:
  void set(std::string_view code, bool on);
  std::map<std::string, bool, std::less<>> m_overrides; // canonical code -> on
};

} // namespace sipcred::lint
