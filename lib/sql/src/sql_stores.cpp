#include "sipcred/sql/sql_stores.hpp"

#include "sql_store.hpp"

#include "sipcred/store/store.hpp"

namespace sipcred::sql {

void add_sql_stores() { add_database_stores(open_sql_store); }

} // namespace sipcred::sql

// What the core's add_database_stores() looks up when it loads this library on demand.
extern "C" SIPCRED_SQL_EXPORT std::unique_ptr<sipcred::Store>
sipcred_sql_open_store(const sipcred::Locator& locator, const sipcred::StoreOptions& options) {
  return sipcred::open_sql_store(locator, options);
}
