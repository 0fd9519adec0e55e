#include "database_error.hpp"

#include "mysql_error.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

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

ErrorKind postgresql_error_kind(std::string_view sqlstate) {
  const auto is = [&](std::string_view code) { return sqlstate == code; };
  if (sqlstate.starts_with("08") || is("57P01") || is("57P02") || is("57P03"))
    return ErrorKind::Unavailable; // connection exception, server shut down or starting
  if (is("53100") || sqlstate.starts_with("58")) return ErrorKind::Io; // disk full, I/O error
  if (is("42501") || is("25006")) // insufficient privilege, read-only transaction
    return ErrorKind::NoPermission;
  if (sqlstate.starts_with("53") || sqlstate.starts_with("40") || is("55P03"))
    return ErrorKind::TempFail; // out of resources, serialization/deadlock, lock not available
  return ErrorKind::DataError;
}

ErrorKind database_error_kind(const soci::soci_error& error) {
  if (const auto* sqlite = dynamic_cast<const soci::sqlite3_soci_error*>(&error))
    return sqlite_error_kind(sqlite->result());
  if (const auto* postgresql = dynamic_cast<const soci::postgresql_soci_error*>(&error)) {
    const std::string state = postgresql->sqlstate();
    if (!state.empty() && state.find_first_not_of('0') != std::string::npos)
      return postgresql_error_kind(state);
  }
  if (auto kind = mysql_error_kind(error)) return *kind;
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

} // namespace sipcred
