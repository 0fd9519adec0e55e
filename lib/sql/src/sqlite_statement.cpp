#include "sqlite_statement.hpp"

#include "database_error.hpp"
#include "sipcred/util/error.hpp"

#include <soci/sqlite3/soci-sqlite3.h>

namespace sipcred {

using namespace sqlite_api; // where SOCI's header declares the SQLite C API

struct SqliteStatement::Handles {
  sqlite3* connection = nullptr;
  sqlite3_stmt* statement = nullptr;
};

namespace {

sqlite3* connection_of(soci::session& session) {
  auto* backend = session.get_backend_name() == "sqlite3"
                      // Debian's SOCI exports no type information for its backends.
                      ? static_cast<soci::sqlite3_session_backend*>(session.get_backend())
                      : nullptr;
  if (!backend) {
    throw Error(ErrorKind::Internal, "not an SQLite session");
  }
  return backend->conn_;
}

} // namespace

SqliteStatement::SqliteStatement(soci::session& session, const std::string& sql)
    : m_handles(std::make_unique<Handles>()) {
  m_handles->connection = connection_of(session);
  if (sqlite3_prepare_v2(m_handles->connection, sql.c_str(), static_cast<int>(sql.size()),
                         &m_handles->statement, nullptr) != SQLITE_OK) {
    throw DatabaseError(sqlite3_errmsg(m_handles->connection),
                        sqlite_error_kind(sqlite3_extended_errcode(m_handles->connection)));
  }
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(m_handles->statement); }

void SqliteStatement::text(int index, std::string_view value) {
  sqlite3_bind_text(m_handles->statement, index, value.data(), static_cast<int>(value.size()),
                    SQLITE_STATIC);
}

void SqliteStatement::integer(int index, long long value) {
  sqlite3_bind_int64(m_handles->statement, index, value);
}

void SqliteStatement::null(int index) { sqlite3_bind_null(m_handles->statement, index); }

long long SqliteStatement::run() {
  while (next_row()) {
  }
  return sqlite3_last_insert_rowid(m_handles->connection);
}

bool SqliteStatement::next_row() {
  const int result = sqlite3_step(m_handles->statement);
  if (result == SQLITE_ROW) return true;
  if (result != SQLITE_DONE) fail();
  sqlite3_reset(m_handles->statement);
  return false;
}

void SqliteStatement::fail() {
  const int extended = sqlite3_extended_errcode(m_handles->connection);
  const std::string message = sqlite3_errmsg(m_handles->connection);
  sqlite3_reset(m_handles->statement);
  if (extended == SQLITE_CONSTRAINT_UNIQUE || extended == SQLITE_CONSTRAINT_PRIMARYKEY) {
    throw DuplicateKey(message);
  }
  throw DatabaseError(message, sqlite_error_kind(extended));
}

bool SqliteStatement::column_null(int index) const {
  return sqlite3_column_type(m_handles->statement, index) == SQLITE_NULL;
}

bool SqliteStatement::column_is_text(int index) const {
  return sqlite3_column_type(m_handles->statement, index) == SQLITE_TEXT;
}

long long SqliteStatement::column_integer(int index) const {
  return sqlite3_column_int64(m_handles->statement, index);
}

std::string_view SqliteStatement::column_text(int index) const {
  const auto* text =
      reinterpret_cast<const char*>(sqlite3_column_text(m_handles->statement, index));
  return text ? std::string_view(text, static_cast<std::size_t>(
                                           sqlite3_column_bytes(m_handles->statement, index)))
              : std::string_view();
}

long long SqliteStatement::changes() const { return sqlite3_changes64(m_handles->connection); }

void set_sqlite_cache_kib(soci::session& session, long long kib) {
  session << "PRAGMA cache_size = " + std::to_string(-kib);
}

} // namespace sipcred
