#include "userdb_session.hpp"

#include "diagnostic_output.hpp"

#include "sipcred/error.hpp"

#include <iostream>

namespace sipcred::user_tool {

userdb::Document parse_or_refuse(std::string content, const std::string& path, bool quiet) {
  std::vector<Diagnostic> diagnostics;
  userdb::Document document = userdb::Document::parse(std::move(content), diagnostics);
  cli::print_diagnostics(std::cerr, path, diagnostics, quiet);
  if (const std::size_t errors = cli::count_errors(diagnostics))
    throw Error(ErrorKind::DataError,
                path + ": " + std::to_string(errors) + (errors == 1 ? " error" : " errors") +
                    ": Flexisip would refuse this file; fix it first (nothing was changed)");
  return document;
}

userdb::Document load_userdb(const std::string& path, bool quiet) {
  return parse_or_refuse(read_file(path), path, quiet);
}

EditSession::EditSession(const std::string& path, bool quiet)
    : m_file(path), m_document(parse_or_refuse(m_file.read(), path, quiet)) {}

} // namespace sipcred::user_tool
