#pragma once
// sipcred-lint's renderings of the same findings: compiler-style text and JSON (report.cpp),
// and the formats CI systems read, each in a file named after it.

#include "sipcred/lint/lint.hpp"

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace sipcred::cli {

struct Summary {
  std::size_t errors = 0, warnings = 0, notes = 0;
};
Summary summarize(const std::vector<lint::Finding>& findings);

// "FILE:LINE:COL: error: MESSAGE [CODE]" a line ("FILE: ..." for a finding without a line),
// then the summary line. With `show_source`
// (a terminal), each finding is followed by its source line, secrets masked, and a caret.
// With `errors_only` (-q), warnings, notes and the summary are left out.
// `baselined`: findings a baseline left out, said on the summary line.
void print_text(std::ostream& out, const std::vector<lint::Finding>& findings, bool show_source,
                bool errors_only, std::size_t baselined = 0);

// {"diagnostics":[{code,severity,file,line,column,message,subject}],
//  "summary":{errors,warnings,notes,codes:{CODE:count}}}
void print_json(std::ostream& out, const std::vector<lint::Finding>& findings);

// SARIF 2.1.0 with every rule of the table and one result per finding (sarif_report.cpp).
void print_sarif(std::ostream& out, const std::vector<lint::Finding>& findings,
                 std::string_view version);
// A rule's SARIF name: its title in UpperCamelCase ("bad version line": BadVersionLine).
std::string rule_name(const lint::Rule& rule);

// GitLab Code Quality JSON (gitlab_report.cpp).
void print_gitlab(std::ostream& out, const std::vector<lint::Finding>& findings);
// GitHub Actions workflow commands, one annotation a finding (github_report.cpp).
void print_github(std::ostream& out, const std::vector<lint::Finding>& findings);
// JUnit XML, one failed test case a finding (junit_report.cpp).
void print_junit(std::ostream& out, const std::vector<lint::Finding>& findings);

// "SC312 (error): bad boolean" and the explanation.
void print_explanation(std::ostream& out, const lint::Rule& rule);

} // namespace sipcred::cli
