#pragma once
// SQL stores through SOCI: SQLite, PostgreSQL and MySQL/MariaDB, in the Flexisip, Kamailio or
// OpenSIPS schema.

#include "sipcred/store/store.hpp"

#include <memory>

namespace sipcred {

// Error(Unavailable) when the database cannot be reached, Error(NoInput) for an SQLite file
// that does not exist (unless options.create_schema: then it is created, mode 0600).
std::unique_ptr<Store> open_sql_store(const Locator& locator, const StoreOptions& options);

} // namespace sipcred
