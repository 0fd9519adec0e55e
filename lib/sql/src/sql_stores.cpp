#include "sipcred/sql/sql_stores.hpp"

#include "sql_store.hpp"

#include "sipcred/store/store.hpp"

namespace sipcred::sql {

void add_sql_stores() { add_database_stores(open_sql_store); }

} // namespace sipcred::sql

// What the core's add_database_stores() looks up when it loads this library on demand. A raw
// pointer, owned by the caller: a C-linkage function cannot return a unique_ptr.
extern "C" SIPCRED_SQL_EXPORT sipcred::Store*
sipcred_sql_open_store(const sipcred::Locator& locator, const sipcred::StoreOptions& options) {
  return sipcred::open_sql_store(locator, options).release();
}
