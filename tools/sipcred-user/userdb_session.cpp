#include "userdb_session.hpp"

#include "diagnostic_output.hpp"

#include "sipcred/error.hpp"

#include <iostream>

namespace sipcred::user_tool {

void refuse_on_errors(const std::vector<Diagnostic>& diagnostics, const std::string& path,
                      bool quiet) {
  cli::print_diagnostics(std::cerr, path, diagnostics, quiet);
  if (const std::size_t errors = cli::count_errors(diagnostics))
    throw Error(ErrorKind::DataError,
                path + ": " + std::to_string(errors) + (errors == 1 ? " error" : " errors") +
                    ": Flexisip would refuse this file; fix it first (nothing was changed)");
}

userdb::Document load_userdb(const std::string& path, bool quiet) {
  std::vector<Diagnostic> diagnostics;
  userdb::Document document = userdb::Document::parse(read_file(path), diagnostics);
  refuse_on_errors(diagnostics, path, quiet);
  return document;
}

void scan_userdb(const std::string& path, const LineVisitor& visit) {
  std::vector<Diagnostic> diagnostics;
  userdb::scan_lines_in_parallel(read_file(path), diagnostics, visit);
  refuse_on_errors(diagnostics, path, true);
}

EditSession::EditSession(const std::string& path, bool quiet, const LineVisitor& visit)
    : m_file(path), m_content(m_file.view()), m_edits(m_content) {
  std::vector<Diagnostic> diagnostics;
  userdb::scan_lines_in_parallel(m_content, diagnostics, visit);
  refuse_on_errors(diagnostics, path, quiet);
}

} // namespace sipcred::user_tool
