#pragma once
#include "sipcred/sql/export.hpp"
// libsipcred-sql: accounts in SQLite, PostgreSQL and MySQL/MariaDB databases, in the servers'
// schemas (Flexisip, FlexiAPI, Kamailio, OpenSIPS, Asterisk), through SOCI and the client
// libraries.

namespace sipcred::sql {

// Adds sqlite3://, postgresql:// and mysql:// to the table of stores (sipcred/store/store.hpp),
// so that parse_locator and open_store take them. A program calls it once, at start-up, before
// any thread opens a store; the library does nothing behind a program's back.
SIPCRED_SQL_EXPORT void add_sql_stores();

} // namespace sipcred::sql
