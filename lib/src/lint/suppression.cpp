#include "lint/suppression.hpp"

#include "sipcred/config/flexisip_config.hpp"

#include "lint/rule_table.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <set>
#include <utility>

namespace sipcred::lint {

void Suppressions::read_comment(std::string_view text, std::size_t line, std::size_t column,
                                std::vector<Diagnostic>& diagnostics) {
  constexpr std::string_view tool = "sipcred-lint";
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  std::size_t at = 0;
  while (at < text.size() && is_blank(text[at])) ++at;
  if (text.substr(at, tool.size()) != tool) return;
  const auto malformed = [&](std::size_t offset, std::string what) {
    diagnostics.push_back(finding("SC001", line, column + config::count_columns(text.substr(0, offset)),
                                  std::move(what) + ": expected 'sipcred-lint: disable=CODE[,CODE...]'"));
  };
  at += tool.size();
  if (at >= text.size() || text[at] != ':') return malformed(at, "no ':' after sipcred-lint");
  ++at;
  while (at < text.size() && is_blank(text[at])) ++at;
  constexpr std::string_view disable = "disable=";
  if (text.substr(at, disable.size()) != disable)
    return malformed(at, "unknown sipcred-lint directive");
  at += disable.size();
  std::vector<Code> codes;
  while (true) {
    while (at < text.size() && is_blank(text[at])) ++at;
    std::size_t end = at;
    while (end < text.size() && text[end] != ',' && !is_blank(text[end])) ++end;
    const std::string_view code = text.substr(at, end - at);
    if (code.empty()) return malformed(at, "no code");
    const auto rule = std::find_if(std::begin(table::rule_table), std::end(table::rule_table),
                                   [&](const Rule& r) { return iequals(r.code, code); });
    if (rule == std::end(table::rule_table)) {
      diagnostics.push_back(
          finding("SC001", line, column + config::count_columns(text.substr(0, at)),
                  "unknown code '" + std::string(code) +
                      "' in a sipcred-lint comment: it disables nothing (codes are listed in "
                      "sipcred-lint(1))"));
      return;
    }
    codes.push_back({rule->code, column + config::count_columns(text.substr(0, at))});
    at = end;
    while (at < text.size() && is_blank(text[at])) ++at;
    if (at == text.size()) break;
    if (text[at] != ',') return malformed(at, "unexpected text after the codes");
    ++at;
  }
  m_codes[line] = std::move(codes);
}

void Suppressions::apply(std::vector<Finding>& findings, FileKind kind) const {
  if (m_codes.empty()) return;
  std::set<std::pair<std::size_t, std::string_view>> used; // comment line, code
  std::erase_if(findings, [&](const Finding& f) {
    if (f.diagnostic.line <= 1) return false;
    const auto it = m_codes.find(f.diagnostic.line - 1);
    if (it == m_codes.end()) return false;
    for (const Code& code : it->second)
      if (code.code == f.diagnostic.code) {
        used.emplace(it->first, code.code);
        return true;
      }
    return false;
  });
  for (const auto& [line, codes] : m_codes)
    for (const Code& code : codes)
      if (!used.contains({line, code.code}))
        findings.push_back(Finding{{},
                                   kind,
                                   finding("SC002", line, code.column,
                                           "this comment disables " + std::string(code.code) +
                                               " on line " + std::to_string(line + 1) +
                                               ", which has no " + std::string(code.code) +
                                               " finding: remove the code"),
                                   {}});
}

} // namespace sipcred::lint
