#include "database_error.hpp"

#include "sql_backend_module.hpp"

#include <soci/soci.h>

#include <sqlite3.h>

namespace sipcred {

ErrorKind sqlite_error_kind(int result) {
  switch (result & 0xff) {
  case SQLITE_FULL:
  case SQLITE_IOERR: return ErrorKind::Io;
  case SQLITE_BUSY:
  case SQLITE_LOCKED: return ErrorKind::TempFail;
  case SQLITE_CANTOPEN: return ErrorKind::NoInput;
  case SQLITE_READONLY:
  case SQLITE_PERM:
  case SQLITE_AUTH: return ErrorKind::NoPermission;
  default: return ErrorKind::DataError;
  }
}

ErrorKind database_error_kind(const soci::soci_error& error) {
  for (const SqlBackendModule* module : loaded_backend_modules())
    if (const std::optional<ErrorKind> kind = module->error_kind(error)) return *kind;
  // SOCI's own category, when the backend set one (a lost PostgreSQL connection has no
  // SQLSTATE).
  switch (error.get_error_category()) {
  case soci::soci_error::connection_error: return ErrorKind::Unavailable;
  case soci::soci_error::system_error: return ErrorKind::Io;
  default: return ErrorKind::DataError;
  }
}

std::string database_reason(const std::string& what) {
  std::string text = what;
  static constexpr std::string_view no_connection = "Cannot establish connection to the database.";
  if (text.starts_with(no_connection)) text.erase(0, no_connection.size());
  // SOCI appends the statement and bound values, which may hold a password.
  for (const char* appended : {" while executing", " while preparing", " with :"})
    if (const auto at = text.find(appended); at != std::string::npos) text.erase(at);
  // One line: libpq's reason comes on several ("...failed: Connection refused\n\tIs the
  // server running...").
  std::string reason;
  bool space = false;
  for (const char c : text) {
    if (c == '\n' || c == '\t' || c == '\r' || c == ' ') {
      space = !reason.empty();
      continue;
    }
    if (space) reason += ' ';
    space = false;
    reason += c;
  }
  // SOCI's SQLite backend puts its function before SQLite's words.
  static constexpr std::string_view sqlite_prefix = "sqlite3_statement_backend::";
  if (reason.starts_with(sqlite_prefix))
    if (const auto colon = reason.find(": "); colon != std::string::npos)
      reason.erase(0, colon + 2);
  return reason;
}

bool is_duplicate_key(const soci::soci_error& error) {
  for (const SqlBackendModule* module : loaded_backend_modules())
    if (module->duplicate_key(error)) return true;
  return false;
}

} // namespace sipcred
