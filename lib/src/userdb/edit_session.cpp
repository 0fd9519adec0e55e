#include "sipcred/userdb/edit_session.hpp"
#include "userdb/userdb_scan.hpp"

#include "userdb/line_applier.hpp"

#include "sipcred/store/store.hpp"
#include "sipcred/util/error.hpp"

#include <algorithm>

namespace sipcred::userdb {
namespace {

// One pass over `content` for `applier`; the warnings and notes are returned, the errors thrown.
std::vector<Diagnostic> scan(const std::string& path, std::string_view content,
                             LineApplier& applier) {
  std::vector<Diagnostic> diagnostics;
  scan_lines_in_parallel(content, diagnostics, [&](const Line& line) { applier.visit(line); });
  if (std::any_of(diagnostics.begin(), diagnostics.end(),
                  [](const Diagnostic& d) { return d.severity == Severity::Error; }))
    throw InvalidStoreData(path, std::move(diagnostics));
  return diagnostics;
}

} // namespace

EditStatus preview(const std::string& path, const EditPlan& plan) {
  const std::string content = read_file(path);
  LineApplier applier(plan);
  scan(path, content, applier);
  return applier.preview();
}

EditSession::EditSession(const std::string& path, const EditPlan& plan)
    : m_file(path), m_content(m_file.view()), m_edits(m_content) {
  LineApplier applier(plan);
  m_findings = scan(path, m_content, applier);
  m_result = applier.apply(m_edits);
}

void EditSession::commit() {
  if (m_result.status != EditStatus::Done)
    throw Error(ErrorKind::Internal, "EditSession: commit of an edit that was not made");
  m_file.replace(m_edits.pieces());
}

EditSession::Written EditSession::written() const {
  auto changes = m_edits.changes();
  std::sort(changes.begin(), changes.end(),
            [](const auto& a, const auto& b) { return a.offset < b.offset; });
  const auto check = [&](bool numbered, Written& written) {
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
        written.replaced.insert(line);
      }
      while (!text.empty()) {
        const std::size_t end = text.find('\n');
        const std::string_view one = text.substr(0, end == std::string_view::npos ? end : end + 1);
        parse_line(one, number++, written.findings);
        text.remove_prefix(one.size());
      }
    }
  };
  Written written;
  check(false, written);
  if (m_findings.empty() && written.findings.empty()) return {};
  written = {};
  check(true, written);
  return written;
}

EditSession::Changed EditSession::changed() const {
  auto changes = m_edits.changes();
  std::sort(changes.begin(), changes.end(),
            [](const auto& a, const auto& b) { return a.offset < b.offset; });
  Changed changed;
  std::size_t line = 1, counted = 0;
  for (const auto& change : changes) {
    line += static_cast<std::size_t>(
        std::count(m_content.begin() + counted, m_content.begin() + change.offset, '\n'));
    counted = change.offset;
    if (change.offset < m_content.size()) {
      changed.replaced.insert(line);
      continue;
    }
    std::string_view text = change.text;
    // After an unterminated last line, appended text starts by ending it.
    if (!m_content.empty() && m_content.back() != '\n') text.remove_prefix(text.find('\n') + 1);
    changed.appended += static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  }
  return changed;
}

} // namespace sipcred::userdb
