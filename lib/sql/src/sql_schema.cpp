#include "sql_schema.hpp"

namespace sipcred {

namespace {

// An auto-increment primary key, as each server's scripts declare it.
std::string id_column(Dialect dialect, bool big) {
  switch (dialect) {
  case Dialect::Sqlite: return "id INTEGER PRIMARY KEY NOT NULL";
  case Dialect::Postgresql:
    return big ? "id BIGSERIAL PRIMARY KEY NOT NULL" : "id SERIAL PRIMARY KEY NOT NULL";
  case Dialect::Mysql:
    return big ? "id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY NOT NULL"
               : "id INT(10) UNSIGNED AUTO_INCREMENT PRIMARY KEY NOT NULL";
  }
  return {};
}

std::string table_options(Dialect dialect) {
  return dialect == Dialect::Mysql ? " ENGINE=InnoDB" : "";
}

// A table's unique key. SQLite gets a separate unique index (as Laravel's migrations of
// Flexisip's account manager create it): one declared in CREATE TABLE cannot be dropped, and
// a bulk load into an empty table drops its indexes and builds them again afterwards.
struct UniqueKey {
  std::string name, table, columns;
  // The clause for CREATE TABLE ("" on SQLite), then the statements that follow it.
  std::string clause(Dialect dialect) const {
    return dialect == Dialect::Sqlite ? "" : ", CONSTRAINT " + name + " UNIQUE (" + columns + ")";
  }
  std::vector<std::string> after(Dialect dialect) const {
    if (dialect != Dialect::Sqlite) {
      return {};
    }
    return {"CREATE UNIQUE INDEX " + name + " ON " + table + " (" + columns + ")"};
  }
};

TableDefinition table(std::string_view name, std::string create, const UniqueKey& key,
                      Dialect dialect, std::vector<std::string> indexes = {}) {
  TableDefinition definition{name, {std::move(create)}};
  for (auto& statement : key.after(dialect)) {
    definition.statements.push_back(std::move(statement));
  }
  for (auto& statement : indexes) {
    definition.statements.push_back(std::move(statement));
  }
  return definition;
}

// Kamailio's version table has an id; OpenSIPS' has none.
std::string version_table(Dialect dialect, bool with_id) {
  return "CREATE TABLE version (" + (with_id ? id_column(dialect, false) + ", " : std::string()) +
         "table_name VARCHAR(32) NOT NULL, table_version INTEGER DEFAULT 0 NOT NULL, "
         "CONSTRAINT version_table_name_idx UNIQUE (table_name))" +
         table_options(dialect);
}

SchemaTables flexisip_tables(Dialect dialect) {
  std::string account_id = dialect == Dialect::Sqlite       ? "INTEGER"
                           : dialect == Dialect::Postgresql ? "BIGINT"
                                                            : "BIGINT UNSIGNED";
  const UniqueKey account_key{"accounts_username_domain_unique", "accounts", "username, domain"};
  const UniqueKey password_key{"passwords_account_id_algorithm_unique", "passwords",
                               "account_id, algorithm"};
  return {
      {table("accounts",
             "CREATE TABLE accounts (" + id_column(dialect, true) +
                 ", username VARCHAR(64) NOT NULL, domain VARCHAR(64) NOT NULL, phone VARCHAR(64) "
                 "NULL, activated BOOLEAN NOT NULL DEFAULT FALSE" +
                 account_key.clause(dialect) + ")" + table_options(dialect),
             account_key, dialect),
       table("passwords",
             "CREATE TABLE passwords (" + id_column(dialect, true) + ", account_id " + account_id +
                 " NOT NULL, password VARCHAR(255) NOT NULL, "
                 "algorithm VARCHAR(10) NOT NULL DEFAULT 'MD5', "
                 "CONSTRAINT passwords_account_id_foreign FOREIGN KEY (account_id) "
                 "REFERENCES accounts (id) ON DELETE CASCADE" +
                 password_key.clause(dialect) + ")" + table_options(dialect),
             password_key, dialect)},
      std::nullopt};
}

SchemaTables kamailio_tables(Dialect dialect) {
  const UniqueKey key{"subscriber_account_idx", "subscriber", "username, domain"};
  return {{{"version", {version_table(dialect, true)}},
           table("subscriber",
                 "CREATE TABLE subscriber (" + id_column(dialect, false) +
                     ", username VARCHAR(64) DEFAULT '' NOT NULL, domain VARCHAR(64) DEFAULT '' "
                     "NOT NULL, password VARCHAR(64) DEFAULT '' NOT NULL, ha1 VARCHAR(128) "
                     "DEFAULT '' NOT NULL, ha1b VARCHAR(128) DEFAULT '' NOT NULL" +
                     key.clause(dialect) + ")" + table_options(dialect),
                 key, dialect, {"CREATE INDEX subscriber_username_idx ON subscriber (username)"})},
          TableVersion{"subscriber", 7}};
}

SchemaTables opensips_tables(Dialect dialect) {
  const UniqueKey key{"account_idx", "subscriber", "username, domain"};
  return {{{"version", {version_table(dialect, false)}},
           table("subscriber",
                 "CREATE TABLE subscriber (" + id_column(dialect, false) +
                     ", username VARCHAR(64) DEFAULT '' NOT NULL, domain VARCHAR(64) DEFAULT '' "
                     "NOT NULL, password VARCHAR(25) DEFAULT '' NOT NULL, ha1 VARCHAR(64) DEFAULT "
                     "'' NOT NULL, ha1_sha256 VARCHAR(64) DEFAULT '' NOT NULL, ha1_sha512t256 "
                     "VARCHAR(64) DEFAULT '' NOT NULL" +
                     key.clause(dialect) + ")" + table_options(dialect),
                 key, dialect, {"CREATE INDEX username_idx ON subscriber (username)"})},
          TableVersion{"subscriber", 8}};
}

} // namespace

SchemaTables schema_tables(Schema schema, Dialect dialect) {
  switch (schema) {
  case Schema::Flexisip: return flexisip_tables(dialect);
  case Schema::Kamailio: return kamailio_tables(dialect);
  case Schema::Opensips: return opensips_tables(dialect);
  }
  return {};
}

} // namespace sipcred
