#include "sipcred/userdb/edit_session.hpp"

#include "diagnostic_output.hpp"

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
              m_path + ": " + std::to_string(errors.size()) +
                  (errors.size() == 1 ? " error" : " errors") +
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
  const auto counted = [](std::size_t n, const char* what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
  };
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

void scan_userdb(const std::string& path, const LineVisitor& visit) {
  std::vector<Diagnostic> diagnostics;
  userdb::scan_lines_in_parallel(read_file(path), diagnostics, visit);
  Findings(path, true).take(std::move(diagnostics));
}

EditSession::EditSession(const std::string& path, bool quiet, const LineVisitor& visit)
    : m_findings(path, quiet), m_file(path), m_content(m_file.view()), m_edits(m_content) {
  std::vector<Diagnostic> diagnostics;
  userdb::scan_lines_in_parallel(m_content, diagnostics, visit);
  m_findings.take(std::move(diagnostics));
}

void EditSession::commit() {
  m_file.replace(m_edits.pieces());
  if (m_findings.quiet()) return;
  // The lines the command wrote, numbered as in the original (appended ones after its last):
  // their old findings are gone with them, and their new text is checked instead. Numbering
  // counts the line ends of the file up to the last edit: only done when there is something to
  // report (a rotate of a large clean file costs no extra pass).
  auto changes = m_edits.changes();
  std::sort(changes.begin(), changes.end(),
            [](const auto& a, const auto& b) { return a.offset < b.offset; });
  const auto check = [&](bool numbered, std::set<std::size_t>& edited,
                         std::vector<Diagnostic>& written) {
    std::size_t line = 1, counted = 0;
    for (const auto& change : changes) {
      if (numbered)
        line += static_cast<std::size_t>(
            std::count(m_content.begin() + counted, m_content.begin() + change.offset, '\n'));
      counted = change.offset;
      std::string_view text = change.text;
      std::size_t number = line;
      if (change.offset == m_content.size()) {
        // Appended: after an unterminated last line, the text starts by ending it.
        if (!m_content.empty() && m_content.back() != '\n') {
          text.remove_prefix(text.find('\n') + 1);
          ++number;
        }
      } else {
        edited.insert(line);
      }
      while (!text.empty()) {
        const std::size_t end = text.find('\n');
        const std::string_view one = text.substr(0, end == std::string_view::npos ? end : end + 1);
        userdb::parse_line(one, number++, written);
        text.remove_prefix(one.size());
      }
    }
  };
  std::set<std::size_t> edited;
  std::vector<Diagnostic> written;
  check(false, edited, written);
  if (m_findings.empty() && written.empty()) return;
  edited.clear();
  written.clear();
  check(true, edited, written);
  m_findings.forget(edited);
  m_findings.report({}, written);
}

} // namespace sipcred::user_tool
