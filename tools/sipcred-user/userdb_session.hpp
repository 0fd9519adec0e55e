#pragma once
// Opening a userdb the way every sipcred-user command does: a file Flexisip would refuse is
// refused too (its diagnostics printed), and edits go through one locked AtomicFile.

#include "sipcred/atomic_file.hpp"
#include "sipcred/line_edits.hpp"
#include "sipcred/userdb.hpp"

#include <functional>
#include <string>

namespace sipcred::user_tool {

// Sees every line of the file once; called from two threads at once on large files (see
// userdb::scan_lines_in_parallel), so what it records must be guarded.
using LineVisitor = std::function<void(const userdb::Line&)>;

// Prints the diagnostics of `path` on stderr (warnings and notes only when not `quiet`) and
// throws Error(DataError) when there is an error.
void refuse_on_errors(const std::vector<Diagnostic>& diagnostics, const std::string& path,
                      bool quiet);

// For reading commands: the whole document (no lock needed: AtomicFile replaces files whole).
userdb::Document load_userdb(const std::string& path, bool quiet);

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
  void commit() { m_file.replace(m_edits.pieces()); }

private:
  AtomicFile m_file;
  std::string_view m_content; // the locked file, mapped
  userdb::LineEdits m_edits;  // views into m_content
};

} // namespace sipcred::user_tool
