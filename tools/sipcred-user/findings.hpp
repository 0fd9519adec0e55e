#pragma once
// How sipcred-user reports what the library found in a userdb: every error of a file Flexisip
// would refuse, then, for a file it opened, the warnings and notes of the lines a command works
// on in full and the others in one line: a file that convert left with two warnings a user must
// not bury what the command says under one line per user.

#include "sipcred/userdb/userdb.hpp"
#include "sipcred/util/diagnostic.hpp"

#include <set>
#include <string>
#include <vector>

namespace sipcred::user_tool {

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

private:
  std::string m_path;
  bool m_quiet;
  std::vector<Diagnostic> m_kept;
};

// For reading commands: the whole document (no lock needed: AtomicFile replaces files whole);
// its warnings and notes go to `findings`, for the command to report.
userdb::Document load_userdb(const std::string& path, Findings& findings);

} // namespace sipcred::user_tool
