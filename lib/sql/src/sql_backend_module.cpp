#include "sql_backend_module.hpp"

#include "database_error.hpp"
#include "sipcred/util/library_folder.hpp"

#include <soci/sqlite3/soci-sqlite3.h>

#include <dlfcn.h>

#include <array>
#include <filesystem>
#include <mutex>

namespace soci {
extern "C" backend_factory const* factory_sqlite3();
}

extern "C" {
__attribute__((weak)) const sipcred::SqlBackendModule* sipcred_sql_postgresql_module();
__attribute__((weak)) const sipcred::SqlBackendModule* sipcred_sql_mysql_module();
}

namespace sipcred {

namespace {

std::optional<ErrorKind> sqlite_kind(const soci::soci_error& error) {
  if (const auto* sqlite = dynamic_cast<const soci::sqlite3_soci_error*>(&error))
    return sqlite_error_kind(sqlite->result());
  return std::nullopt;
}

bool sqlite_duplicate_key(const soci::soci_error& error) {
  const auto* sqlite = dynamic_cast<const soci::sqlite3_soci_error*>(&error);
  return sqlite && (sqlite->result() & 0xff) == SQLITE_CONSTRAINT;
}

const SqlBackendModule sqlite_module{soci::factory_sqlite3, sqlite_kind, sqlite_duplicate_key,
                                     nullptr, nullptr};

struct ModuleFile {
  const char* file;                    // in sipcred/ beside libsipcred(-sql)
  const char* scheme;                  // for the message
  const SqlBackendModule* (*linked)(); // the entry point, when linked in
};

ModuleFile module_file(Dialect dialect) {
  if (dialect == Dialect::Postgresql)
    return {"sql-postgresql.so", "postgresql://", sipcred_sql_postgresql_module};
  return {"sql-mysql.so", "mysql://", sipcred_sql_mysql_module};
}

const SqlBackendModule* load(Dialect dialect) {
  const ModuleFile module = module_file(dialect);
  if (module.linked) return module.linked();
  const std::filesystem::path path = library_folder() / "sipcred" / module.file;
  const char* entry =
      dialect == Dialect::Postgresql ? "sipcred_sql_postgresql_module" : "sipcred_sql_mysql_module";
  // Kept loaded to the end: SOCI's backend and the client library live in it.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  void* symbol = handle ? dlsym(handle, entry) : nullptr;
  if (!symbol) {
    const char* why = dlerror();
    throw Error(ErrorKind::Unavailable,
                std::string(module.scheme) + " needs the module " + path.string() +
                    " of libsipcred-sql, which cannot be loaded (" + (why ? why : "no entry") +
                    "): install it (Debian: the package libsipcred-sql0 and the client library "
                    "it names)");
  }
  return reinterpret_cast<const SqlBackendModule* (*)()>(symbol)();
}

std::mutex modules_mutex;
std::array<const SqlBackendModule*, 2> modules{}; // PostgreSQL, MySQL

} // namespace

const SqlBackendModule& backend_module(Dialect dialect) {
  if (dialect == Dialect::Sqlite) return sqlite_module;
  const std::lock_guard lock(modules_mutex);
  const SqlBackendModule*& module = modules[dialect == Dialect::Postgresql ? 0 : 1];
  if (!module) module = load(dialect);
  return *module;
}

std::vector<const SqlBackendModule*> loaded_backend_modules() {
  std::vector<const SqlBackendModule*> loaded{&sqlite_module};
  const std::lock_guard lock(modules_mutex);
  for (const SqlBackendModule* module : modules)
    if (module) loaded.push_back(module);
  return loaded;
}

std::unique_ptr<PostgresqlCopy> open_postgresql_copy(soci::session& session) {
  return backend_module(Dialect::Postgresql).postgresql_copy(session);
}

} // namespace sipcred
