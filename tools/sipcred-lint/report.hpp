#pragma once
// sipcred-lint's three renderings of the same findings: compiler-style text, JSON and SARIF.

#include "sipcred/lint/lint.hpp"

#include <ostream>
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
void print_text(std::ostream& out, const std::vector<lint::Finding>& findings, bool show_source,
                bool errors_only);

// {"diagnostics":[{code,severity,file,line,column,message[,subject]}],
//  "summary":{errors,warnings,notes,codes:{CODE:count}}}
void print_json(std::ostream& out, const std::vector<lint::Finding>& findings);

// SARIF 2.1.0 with every rule of the table and one result per finding.
void print_sarif(std::ostream& out, const std::vector<lint::Finding>& findings,
                 std::string_view version);

// "SC312 (error): bad boolean" and the explanation.
void print_explanation(std::ostream& out, const lint::Rule& rule);

} // namespace sipcred::cli
