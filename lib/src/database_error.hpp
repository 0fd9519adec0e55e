#pragma once
// Refusals from the database through its C API (SqliteInsert, PostgresqlCopy), for the store to
// report under its own name, as it does SOCI's errors.

#include <stdexcept>
#include <string>

namespace sipcred {

class DatabaseError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// A row refused for a unique key the table already holds: an account written earlier in the
// same run (SOURCE lists it twice) or one DEST had. The writer tells which.
class DuplicateKey : public DatabaseError {
public:
  using DatabaseError::DatabaseError;
};

} // namespace sipcred
