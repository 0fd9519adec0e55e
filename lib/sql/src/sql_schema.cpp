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

// Flexisip's passwords, which the Flexisip Account Manager's tables share: a row per account and
// algorithm, gone with its account.
auto passwords_table(Dialect dialect) {
  const std::string account_id = dialect == Dialect::Sqlite       ? "INTEGER"
                                 : dialect == Dialect::Postgresql ? "BIGINT"
                                                                  : "BIGINT UNSIGNED";
  const UniqueKey password_key{"passwords_account_id_algorithm_unique", "passwords",
                               "account_id, algorithm"};
  return table("passwords",
               "CREATE TABLE passwords (" + id_column(dialect, true) + ", account_id " +
                   account_id +
                   " NOT NULL, password VARCHAR(255) NOT NULL, "
                   "algorithm VARCHAR(10) NOT NULL DEFAULT 'MD5', "
                   "CONSTRAINT passwords_account_id_foreign FOREIGN KEY (account_id) "
                   "REFERENCES accounts (id) ON DELETE CASCADE" +
                   password_key.clause(dialect) + ")" + table_options(dialect),
               password_key, dialect);
}

SchemaTables flexisip_tables(Dialect dialect) {
  const UniqueKey account_key{"accounts_username_domain_unique", "accounts", "username, domain"};
  return {
      {table("accounts",
             "CREATE TABLE accounts (" + id_column(dialect, true) +
                 ", username VARCHAR(64) NOT NULL, domain VARCHAR(64) NOT NULL, phone VARCHAR(64) "
                 "NULL, activated BOOLEAN NOT NULL DEFAULT FALSE" +
                 account_key.clause(dialect) + ")" + table_options(dialect),
             account_key, dialect),
       passwords_table(dialect)},
      std::nullopt};
}

// A date and time column: DATETIME as Laravel's migrations and the facts say (MySQL, SQLite),
// TIMESTAMP in PostgreSQL, which has no DATETIME.
std::string datetime(Dialect dialect) {
  return dialect == Dialect::Postgresql ? "TIMESTAMP" : "DATETIME";
}

// The Flexisip Account Manager's tables, as far as Flexisip and sipcred use them: a space per
// domain (host and name are NOT NULL and UNIQUE in FlexiAPI, filled with the domain by its own
// migrations), accounts with the columns FlexiAPI requires, and passwords as in Flexisip's.
SchemaTables flexiapi_tables(Dialect dialect) {
  const UniqueKey account_key{"accounts_username_domain_unique", "accounts", "username, domain"};
  return {
      {{"spaces",
        {"CREATE TABLE spaces (" + id_column(dialect, true) +
         ", domain VARCHAR(64) NOT NULL, host VARCHAR(255) NOT NULL, name VARCHAR(255) NOT NULL, "
         "super BOOLEAN NOT NULL DEFAULT FALSE, created_at " +
         datetime(dialect) + " NULL, updated_at " + datetime(dialect) +
         " NULL, CONSTRAINT spaces_domain_unique UNIQUE (domain), CONSTRAINT "
         "spaces_host_unique UNIQUE (host), CONSTRAINT spaces_name_unique UNIQUE (name))" +
         table_options(dialect)}},
       table("accounts",
             "CREATE TABLE accounts (" + id_column(dialect, true) +
                 ", username VARCHAR(64) NOT NULL, domain VARCHAR(64) NOT NULL, email "
                 "VARCHAR(64) NULL, phone VARCHAR(64) NULL, display_name VARCHAR(255) NULL, "
                 "activated BOOLEAN NOT NULL DEFAULT FALSE, blocked BOOLEAN NOT NULL DEFAULT "
                 "FALSE, admin BOOLEAN NOT NULL DEFAULT FALSE, ip_address VARCHAR(39) NOT NULL, "
                 "user_agent VARCHAR(256) NOT NULL, created_at " +
                 datetime(dialect) + " NOT NULL, updated_at " + datetime(dialect) +
                 " NULL, CONSTRAINT accounts_domain_foreign FOREIGN KEY (domain) REFERENCES "
                 "spaces (domain) ON DELETE CASCADE" +
                 account_key.clause(dialect) + ")" + table_options(dialect),
             account_key, dialect),
       passwords_table(dialect)},
      std::nullopt};
}

// Asterisk's ps_auths as its alembic migrations make it (20.12 / 21.7 / 22.2 on), auth_type
// checked against the realtime schema's enum. Its unique key is part of CREATE TABLE in every
// dialect: a load never drops it (AsteriskAccess checks each row as it goes).
SchemaTables asterisk_tables(Dialect dialect) {
  return {{{"ps_auths",
            {"CREATE TABLE ps_auths (id VARCHAR(40) NOT NULL, auth_type VARCHAR(40) NULL, "
             "nonce_lifetime INTEGER NULL, md5_cred VARCHAR(40) NULL, password VARCHAR(80) NULL, "
             "realm VARCHAR(255) NULL, username VARCHAR(40) NULL, refresh_token VARCHAR(255) "
             "NULL, oauth_clientid VARCHAR(255) NULL, oauth_secret VARCHAR(255) NULL, "
             "password_digest VARCHAR(1024) NULL, supported_algorithms_uas VARCHAR(1024) NULL, "
             "supported_algorithms_uac VARCHAR(1024) NULL, CONSTRAINT ps_auths_id_key UNIQUE "
             "(id), CONSTRAINT ps_auths_auth_type_check CHECK (auth_type IN ('md5', "
             "'userpass', 'google_oauth')))" +
             table_options(dialect)}}},
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

// OpenSIPS' subscriber, with the rpid column auth_db loads by default (load_credentials "rpid"),
// which the table OpenSIPS 3.6 publishes lacks (opensips issues 3790, 3813).
SchemaTables opensips_tables(Dialect dialect) {
  const UniqueKey key{"account_idx", "subscriber", "username, domain"};
  return {{{"version", {version_table(dialect, false)}},
           table("subscriber",
                 "CREATE TABLE subscriber (" + id_column(dialect, false) +
                     ", username VARCHAR(64) DEFAULT '' NOT NULL, domain VARCHAR(64) DEFAULT '' "
                     "NOT NULL, password VARCHAR(25) DEFAULT '' NOT NULL, ha1 VARCHAR(64) DEFAULT "
                     "'' NOT NULL, ha1_sha256 VARCHAR(64) DEFAULT '' NOT NULL, ha1_sha512t256 "
                     "VARCHAR(64) DEFAULT '' NOT NULL, rpid VARCHAR(255) DEFAULT NULL" +
                     key.clause(dialect) + ")" + table_options(dialect),
                 key, dialect, {"CREATE INDEX username_idx ON subscriber (username)"})},
          TableVersion{"subscriber", 8}};
}

} // namespace

SchemaTables schema_tables(Schema schema, Dialect dialect) {
  switch (schema) {
  case Schema::Flexisip: return flexisip_tables(dialect);
  case Schema::Flexiapi: return flexiapi_tables(dialect);
  case Schema::Kamailio: return kamailio_tables(dialect);
  case Schema::Opensips: return opensips_tables(dialect);
  case Schema::Asterisk: return asterisk_tables(dialect);
  }
  return {};
}

} // namespace sipcred
