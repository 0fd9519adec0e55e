// The database stores of a program that does not link libsipcred-sql (the tools): the library
// is loaded when a database is first opened, from beside this one, so that a command on files
// never maps it, nor SQLite, SOCI and their dependencies (bench/README.md), and the tools run
// where the SQL package is not installed.

#include "sipcred/store/store.hpp"
#include "sipcred/util/library_folder.hpp"

#include <dlfcn.h>

#include <filesystem>
#include <mutex>

namespace sipcred {

namespace {

using Open = std::unique_ptr<Store> (*)(const Locator& locator, const StoreOptions& options);

constexpr const char* sql_library_file = "libsipcred-sql.so.0";

// libsipcred-sql's entry point: the store it opens, owned by the caller.
using OpenEntry = Store* (*)(const Locator& locator, const StoreOptions& options);

struct SqlLibrary {
  OpenEntry open = nullptr;
  std::string failure; // why it could not be loaded
};

const SqlLibrary& sql_library() {
  static std::once_flag once;
  static SqlLibrary library;
  std::call_once(once, [] {
    // Beside this library, as installed (and in the build tree); else where the loader looks.
    const std::filesystem::path beside = library_folder() / sql_library_file;
    void* handle = dlopen(beside.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      library.failure = dlerror();
      handle = dlopen(sql_library_file, RTLD_NOW | RTLD_LOCAL);
    }
    if (!handle) return;
    // Kept loaded to the end: the stores it opens live in it.
    if (void* entry = dlsym(handle, "sipcred_sql_open_store"))
      library.open = reinterpret_cast<OpenEntry>(entry);
    else
      library.failure = std::string(sql_library_file) + " has no sipcred_sql_open_store";
  });
  return library;
}

std::unique_ptr<Store> open_through_sql_library(const Locator& locator,
                                                const StoreOptions& options) {
  const SqlLibrary& library = sql_library();
  if (!library.open)
    throw Error(ErrorKind::Unavailable,
                locator.backend + ":// needs libsipcred-sql, which cannot be loaded (" +
                    library.failure + "): install it (Debian: the package libsipcred-sql0)");
  return std::unique_ptr<Store>(library.open(locator, options));
}

} // namespace

void add_database_stores(Open open) {
  if (!open) open = open_through_sql_library;
  add_store_backend({StoreKind::Sql, "sqlite3://", "sqlite3://db=PATH",
                     "an SQLite database (SOCI connection string)", open});
  add_store_backend({StoreKind::Sql, "postgresql://", "postgresql://dbname=D host=H user=U ...",
                     "a PostgreSQL database (libpq connection string)", open});
  add_store_backend({StoreKind::Sql, "mysql://", "mysql://db=D host=H user=U ...",
                     "a MySQL or MariaDB database (SOCI connection string)", open});
}

} // namespace sipcred
