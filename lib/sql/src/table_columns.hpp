#pragma once
// The columns an existing table has, as each dialect's catalog tells them: for schemas whose
// tables vary between the servers' versions (OpenSIPS' rpid) or carry columns of another
// program (the Flexisip Account Manager's spaces and accounts).

#include "sql_schema.hpp"

#include <soci/soci.h>

#include <string>
#include <string_view>
#include <vector>

namespace sipcred {

struct TableColumn {
  std::string name; // in lowercase
  // NOT NULL without a default and not generated (auto-increment, serial, identity): an INSERT
  // must give it a value.
  bool required = false;
};

// The columns of `table`, in their order; none when there is no such table.
std::vector<TableColumn> table_columns(soci::session& session, Dialect dialect,
                                       std::string_view table);

} // namespace sipcred
