#pragma once
// Refusals from the database, classified once: what each database's own codes mean for the
// caller (and so for the exit code). SOCI's errors are classified by database_error_kind();
// those of the C APIs used directly (SqliteStatement, PostgresqlCopy) are thrown as
// DatabaseError with their kind already decided, for the store to report under its own name.

#include "sipcred/util/error.hpp"

#include <stdexcept>
#include <string>
#include <string_view>

namespace soci {
class soci_error;
}

namespace sipcred {

class DatabaseError : public std::runtime_error {
public:
  explicit DatabaseError(const std::string& message, ErrorKind kind = ErrorKind::DataError)
      : std::runtime_error(message), m_kind(kind) {}
  ErrorKind kind() const noexcept { return m_kind; }

private:
  ErrorKind m_kind;
};

// A row refused for a unique key the table already holds: an account written earlier in the
// same run (SOURCE lists it twice) or one DEST had. The writer tells which.
class DuplicateKey : public DatabaseError {
public:
  using DatabaseError::DatabaseError;
};

// Disk full and I/O errors: Io; the server unreachable or the connection lost: Unavailable;
// locked, busy, a deadlock or a serialization failure: TempFail; anything else, a constraint
// on the data included: DataError.
ErrorKind sqlite_error_kind(int result);                    // a result code, primary or extended
ErrorKind postgresql_error_kind(std::string_view sqlstate); // the PostgreSQL module's
ErrorKind database_error_kind(const soci::soci_error& error);
// Whether a SOCI error is the refusal of a duplicate value for a unique key.
bool is_duplicate_key(const soci::soci_error& error);

// The database's own reason in SOCI's message, on one line: without SOCI's words around it
// ("Cannot establish connection to the database." before libpq's reason, "while executing"
// and the statement after, which may hold a password).
std::string database_reason(const std::string& what);

} // namespace sipcred
