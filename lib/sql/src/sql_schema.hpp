#pragma once
// The tables of each server's schema, in each SQL dialect, as the servers' own scripts create
// them (shared/reference/stores.md; Flexisip: the tables its default soci-password-request reads).

#include "sipcred/store/store.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sipcred {

enum class Dialect { Sqlite, Postgresql, Mysql };

struct TableVersion {
  std::string_view table;
  int version;
};

struct TableDefinition {
  std::string_view name;
  std::vector<std::string> statements; // CREATE TABLE, then its indexes
};

struct SchemaTables {
  std::vector<TableDefinition> tables;     // created in this order
  std::optional<TableVersion> version_row; // the `version` row the server checks
};

SchemaTables schema_tables(Schema schema, Dialect dialect);

// Flexisip's default soci-password-request: what Flexisip runs against the flexisip schema.
inline constexpr std::string_view flexisip_password_request =
    "select password, algorithm from passwords where account_id = (select id from accounts where "
    "username = :id and domain = :domain and activated = true)";

} // namespace sipcred

namespace sipcred {

// The passwords.algorithm of a credential in the flexisip schema: what the server matches exactly.
inline std::string_view flexisip_algorithm(const Credential& credential) {
  return credential.is_clear_text() ? std::string_view("CLRTXT") : hash_name(*credential.hash);
}

} // namespace sipcred
