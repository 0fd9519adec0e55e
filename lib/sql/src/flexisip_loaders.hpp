#pragma once
// The bulk loader of new accounts into Flexisip's tables for a session's database: what a
// migration into empty tables and an import into any use.

#include "batch_loader.hpp"
#include "sql_schema.hpp"

#include <soci/soci.h>

#include <functional>
#include <memory>

namespace sipcred {

// COPY on PostgreSQL, multi-row INSERTs on SQLite, LOAD DATA LOCAL INFILE on MySQL; nullptr
// where the database gives no way to load in bulk (a PostgreSQL accounts table whose id has no
// sequence). `replay` writes an account of a refused batch alone.
std::unique_ptr<BatchLoader> make_flexisip_loader(soci::session& session, Dialect dialect,
                                                  std::function<void(const Account&)> replay);

} // namespace sipcred
