#pragma once
// What libsipcred-sql needs of a database besides SQLite, in a module of its own per database
// (lib/sql/modules/, installed in sipcred/ beside the library): a program that opens an SQLite
// database, or none, never loads libpq, libmariadb and their dependencies (krb5, ldap,
// gnutls...), which cost more start-up than all the rest (bench/README.md). SQLite's entry is
// built in.

#include "batch_loader.hpp"
#include "postgresql_copy.hpp"
#include "sql_schema.hpp"

#include "sipcred/util/error.hpp"

#include <soci/soci.h>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace sipcred {

struct SqlBackendModule {
  const soci::backend_factory* (*factory)();
  // The kind of one of the backend's errors (database_error_kind); nullopt for another's.
  std::optional<ErrorKind> (*error_kind)(const soci::soci_error& error);
  // Whether one of its errors is the refusal of a duplicate value for a unique key.
  bool (*duplicate_key)(const soci::soci_error& error);
  // PostgreSQL: COPY and queries through libpq on SOCI's connection; nullptr elsewhere.
  std::unique_ptr<PostgresqlCopy> (*postgresql_copy)(soci::session& session);
  // MySQL: its bulk loader into Flexisip's tables (flexisip_loaders.hpp); nullptr elsewhere.
  std::unique_ptr<BatchLoader> (*flexisip_loader)(soci::session& session,
                                                  std::function<void(const Account&)> replay);
};

// The module of `dialect`, loaded on first use. Error(Unavailable), saying which file and
// package, when it cannot be loaded: the database is out of reach of this installation.
const SqlBackendModule& backend_module(Dialect dialect);
// The modules loaded so far: only those can have raised an error.
std::vector<const SqlBackendModule*> loaded_backend_modules();

} // namespace sipcred

// Each module's one exported symbol. A static build that links a module's objects in (the
// tests' sipcred_sql_internal) defines it, and then no file is loaded.
extern "C" {
const sipcred::SqlBackendModule* sipcred_sql_postgresql_module();
const sipcred::SqlBackendModule* sipcred_sql_mysql_module();
}
