#pragma once
// Opening a userdb the way every sipcred-user command does: a file Flexisip would refuse is
// refused too (its diagnostics printed), and edits go through one locked AtomicFile.

#include "sipcred/util/atomic_file.hpp"
#include "sipcred/userdb/line_edits.hpp"
#include "sipcred/userdb/userdb.hpp"

#include <functional>
#include <set>
#include <string>
#include <vector>

namespace sipcred::user_tool {

// Sees every line of the file once; called from two threads at once on large files (see
// userdb::scan_lines_in_parallel), so what it records must be guarded.
using LineVisitor = std::function<void(const userdb::Line&)>;

// The warnings and notes of a file a command opened. A command reports those of the lines it
// works on in full and the others in one line: a file that convert left with two warnings a
// user must not bury what the command says under one line per user.
class Findings {
public:
  Findings(std::string path, bool quiet) : m_path(std::move(path)), m_quiet(quiet) {}
  // Prints the errors (all of them) and throws Error(DataError) when there is one; keeps the
  // rest for report().
  void take(std::vector<Diagnostic> diagnostics);
  // Prints, unless quiet, the kept findings on `lines` and those of `written` (lines the
  // command wrote, as they now are), then one line counting the others.
  void report(const std::set<std::size_t>& lines,
              const std::vector<Diagnostic>& written = {}) const;
  // The findings of lines that are no more (replaced or removed).
  void forget(const std::set<std::size_t>& lines);
  bool empty() const { return m_kept.empty(); }
  bool quiet() const { return m_quiet; }

private:
  std::string m_path;
  bool m_quiet;
  std::vector<Diagnostic> m_kept;
};

// For reading commands: the whole document (no lock needed: AtomicFile replaces files whole);
// its warnings and notes go to `findings`, for the command to report.
userdb::Document load_userdb(const std::string& path, Findings& findings);

// One unlocked pass over the file, for a quick look before asking a password.
void scan_userdb(const std::string& path, const LineVisitor& visit);

// For editing commands: the file stays locked from reading to replacing. It is read in one
// pass (`visit` sees every line once, to find what the command changes), and only the edited
// lines are new in what is written back.
class EditSession {
public:
  EditSession(const std::string& path, bool quiet, const LineVisitor& visit);
  EditSession(const EditSession&) = delete;
  EditSession& operator=(const EditSession&) = delete;

  userdb::LineEdits& edits() { return m_edits; }
  // Replaces the file, then reports the findings of the lines written and counts the others.
  void commit();

private:
  Findings m_findings;
  AtomicFile m_file;
  std::string_view m_content; // the locked file, mapped
  userdb::LineEdits m_edits;  // views into m_content
};

} // namespace sipcred::user_tool
