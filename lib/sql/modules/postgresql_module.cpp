// libsipcred-sql's PostgreSQL module (sql_backend_module.hpp): SOCI's PostgreSQL backend, libpq.

#include "database_error.hpp"
#include "libpq_copy.hpp"
#include "sql_backend_module.hpp"

#include <soci/postgresql/soci-postgresql.h>

namespace sipcred {

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

namespace {

std::optional<ErrorKind> error_kind(const soci::soci_error& error) {
  if (const auto* postgresql = dynamic_cast<const soci::postgresql_soci_error*>(&error)) {
    const std::string state = postgresql->sqlstate();
    if (!state.empty() && state.find_first_not_of('0') != std::string::npos)
      return postgresql_error_kind(state);
  }
  return std::nullopt; // a lost connection has no SQLSTATE: SOCI's category says it
}

// PostgreSQL's inserts say a repeat without an error (ON CONFLICT DO NOTHING).
bool duplicate_key(const soci::soci_error& /*error*/) { return false; }

std::unique_ptr<PostgresqlCopy> copy(soci::session& session) {
  return std::make_unique<LibpqCopy>(session);
}

const SqlBackendModule module{soci::factory_postgresql, error_kind, duplicate_key, copy, nullptr};

} // namespace

} // namespace sipcred

extern "C" __attribute__((visibility("default"))) const sipcred::SqlBackendModule*
sipcred_sql_postgresql_module() {
  return &sipcred::module;
}
