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
  return {
      {{"accounts",
        {"CREATE TABLE accounts (" + id_column(dialect, true) +
         ", username VARCHAR(64) NOT NULL, domain VARCHAR(64) NOT NULL, phone VARCHAR(64) NULL, "
         "activated BOOLEAN NOT NULL DEFAULT FALSE, "
         "CONSTRAINT accounts_username_domain_unique UNIQUE (username, domain))" +
         table_options(dialect)}},
       {"passwords",
        {"CREATE TABLE passwords (" + id_column(dialect, true) + ", account_id " + account_id +
         " NOT NULL, password VARCHAR(255) NOT NULL, "
         "algorithm VARCHAR(10) NOT NULL DEFAULT 'MD5', "
         "CONSTRAINT passwords_account_id_foreign FOREIGN KEY (account_id) "
         "REFERENCES accounts (id) ON DELETE CASCADE, "
         "CONSTRAINT passwords_account_id_algorithm_unique UNIQUE (account_id, algorithm))" +
         table_options(dialect)}}},
      std::nullopt};
}

SchemaTables kamailio_tables(Dialect dialect) {
  std::string username_index = "CREATE INDEX subscriber_username_idx ON subscriber (username)";
  return {{{"version", {version_table(dialect, true)}},
           {"subscriber",
            {"CREATE TABLE subscriber (" + id_column(dialect, false) +
                 ", username VARCHAR(64) DEFAULT '' NOT NULL, domain VARCHAR(64) DEFAULT '' NOT "
                 "NULL, password VARCHAR(64) DEFAULT '' NOT NULL, ha1 VARCHAR(128) DEFAULT '' NOT "
                 "NULL, ha1b VARCHAR(128) DEFAULT '' NOT NULL, "
                 "CONSTRAINT subscriber_account_idx UNIQUE (username, domain))" +
                 table_options(dialect),
             username_index}}},
          TableVersion{"subscriber", 7}};
}

SchemaTables opensips_tables(Dialect dialect) {
  return {{{"version", {version_table(dialect, false)}},
           {"subscriber",
            {"CREATE TABLE subscriber (" + id_column(dialect, false) +
                 ", username VARCHAR(64) DEFAULT '' NOT NULL, domain VARCHAR(64) DEFAULT '' NOT "
                 "NULL, password VARCHAR(25) DEFAULT '' NOT NULL, ha1 VARCHAR(64) DEFAULT '' NOT "
                 "NULL, ha1_sha256 VARCHAR(64) DEFAULT '' NOT NULL, ha1_sha512t256 VARCHAR(64) "
                 "DEFAULT '' NOT NULL, CONSTRAINT account_idx UNIQUE (username, domain))" +
                 table_options(dialect),
             "CREATE INDEX username_idx ON subscriber (username)"}}},
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
