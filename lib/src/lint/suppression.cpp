#include "lint/suppression.hpp"

#include "sipcred/config/flexisip_config.hpp"

#include "lint/rule_table.hpp"
#include "util/text.hpp"

#include <algorithm>

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
  std::vector<std::string_view> codes;
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
    codes.push_back(rule->code);
    at = end;
    while (at < text.size() && is_blank(text[at])) ++at;
    if (at == text.size()) break;
    if (text[at] != ',') return malformed(at, "unexpected text after the codes");
    ++at;
  }
  m_codes[line] = std::move(codes);
}

void Suppressions::apply(std::vector<Finding>& findings) const {
  if (m_codes.empty()) return;
  std::erase_if(findings, [&](const Finding& f) {
    const auto it = m_codes.find(f.diagnostic.line - 1);
    return f.diagnostic.line > 1 && it != m_codes.end() &&
           std::find(it->second.begin(), it->second.end(), f.diagnostic.code) != it->second.end();
  });
}

} // namespace sipcred::lint
