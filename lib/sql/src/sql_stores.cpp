#include "sipcred/sql/sql_stores.hpp"

#include "sql_store.hpp"

#include "sipcred/store/store.hpp"

namespace sipcred::sql {

void add_sql_stores() {
  add_store_backend({StoreKind::Sql, "sqlite3://", "sqlite3://db=PATH",
                     "an SQLite database (SOCI connection string)", open_sql_store});
  add_store_backend({StoreKind::Sql, "postgresql://", "postgresql://dbname=D host=H user=U ...",
                     "a PostgreSQL database (libpq connection string)", open_sql_store});
  add_store_backend({StoreKind::Sql, "mysql://", "mysql://db=D host=H user=U ...",
                     "a MySQL or MariaDB database (SOCI connection string)", open_sql_store});
}

} // namespace sipcred::sql
