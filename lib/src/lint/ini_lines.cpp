// flexisip.conf and pjsip.conf read line by line for what their parsers drop: comments (for
// sipcred-lint comments) and the setting each finding's line is on.

#include "lint/findings.hpp"
#include "lint/suppression.hpp"

#include "sipcred/config/flexisip_config.hpp"

#include "util/text.hpp"

#include <algorithm>
#include <unordered_map>

namespace sipcred::lint {

std::vector<Finding> ini_findings(std::string_view content, char comment, FileKind kind,
                                  std::vector<Diagnostic> diagnostics) {
  // Only the lines that have findings need a subject.
  std::unordered_map<std::size_t, std::string> subjects;
  for (const Diagnostic& d : diagnostics) subjects.emplace(d.line, std::string());
  Suppressions suppressions;
  std::string section;
  for_each_line(content, [&](std::string_view line, std::size_t number) {
    const std::size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos) return;
    if (line[first] == comment) {
      suppressions.read_comment(line.substr(first + 1), number,
                                config::count_columns(line.substr(0, first + 1)) + 1, diagnostics);
      return;
    }
    std::string subject;
    if (line[first] == '[') {
      const std::size_t close = line.find(']', first);
      if (close == std::string_view::npos) return;
      section = "[" + std::string(trim(line.substr(first + 1, close - first - 1))) + "]";
      subject = section;
    } else {
      // "key=value", pjsip.conf's "key => value" too.
      const std::size_t equals = line.find('=');
      if (equals == std::string_view::npos) return;
      subject = section + (section.empty() ? "" : " ") +
                std::string(trim(line.substr(first, equals - first)));
    }
    if (const auto it = subjects.find(number); it != subjects.end()) it->second = subject;
  });
  std::vector<Finding> findings;
  findings.reserve(diagnostics.size());
  for (Diagnostic& d : diagnostics) {
    std::string subject = subjects[d.line]; // SC001's comment lines: none
    findings.push_back(Finding{{}, kind, std::move(d), std::move(subject)});
  }
  suppressions.apply(findings, kind);
  return findings;
}

} // namespace sipcred::lint
