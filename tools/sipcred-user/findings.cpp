#include "findings.hpp"

#include "counted.hpp"
#include "diagnostic_output.hpp"

#include "sipcred/util/atomic_file.hpp"
#include "sipcred/util/error.hpp"

#include <algorithm>
#include <iostream>

namespace sipcred::user_tool {

void Findings::take(std::vector<Diagnostic> diagnostics) {
  std::vector<Diagnostic> errors;
  for (Diagnostic& d : diagnostics)
    (d.severity == Severity::Error ? errors : m_kept).push_back(std::move(d));
  if (errors.empty()) return;
  cli::print_diagnostics(std::cerr, m_path, errors, true);
  report({}); // the count of the others
  throw Error(ErrorKind::DataError,
              m_path + ": " + cli::counted(errors.size(), "error") +
                  ": Flexisip would refuse this file; fix it first (nothing was changed)");
}

void Findings::report(const std::set<std::size_t>& lines,
                      const std::vector<Diagnostic>& written) const {
  if (m_quiet) return;
  std::vector<Diagnostic> shown = written;
  std::size_t warnings = 0, notes = 0;
  for (const Diagnostic& d : m_kept) {
    if (lines.count(d.line))
      shown.push_back(d);
    else
      ++(d.severity == Severity::Warning ? warnings : notes);
  }
  cli::print_diagnostics(std::cerr, m_path, shown, false);
  if (warnings + notes == 0) return;
  using cli::counted;
  std::cerr << "sipcred-user: "
            << (warnings == 0 ? counted(notes, "note")
                : notes == 0  ? counted(warnings, "warning")
                              : counted(warnings, "warning") + " and " + counted(notes, "note"))
            << " elsewhere in " << m_path << "; run 'sipcred lint --userdb " << m_path << "'\n";
}

void Findings::forget(const std::set<std::size_t>& lines) {
  std::erase_if(m_kept, [&](const Diagnostic& d) { return lines.count(d.line) > 0; });
}

userdb::Document load_userdb(const std::string& path, Findings& findings) {
  std::vector<Diagnostic> diagnostics;
  userdb::Document document = userdb::Document::parse(read_file(path), diagnostics);
  findings.take(std::move(diagnostics));
  return document;
}

} // namespace sipcred::user_tool
