#include "database_error.hpp"

#include <gtest/gtest.h>

#include <sqlite3.h>

using namespace sipcred;

// What each database's codes mean, stated once (database_error.hpp); the CLI tests cause a
// full disk, a closed port and a held SQLite lock for real.
TEST(DatabaseError, SqliteCodes) {
  EXPECT_EQ(sqlite_error_kind(SQLITE_FULL), ErrorKind::Io);
  EXPECT_EQ(sqlite_error_kind(SQLITE_IOERR_WRITE), ErrorKind::Io);
  EXPECT_EQ(sqlite_error_kind(SQLITE_BUSY), ErrorKind::TempFail);
  EXPECT_EQ(sqlite_error_kind(SQLITE_LOCKED_SHAREDCACHE), ErrorKind::TempFail);
  EXPECT_EQ(sqlite_error_kind(SQLITE_CONSTRAINT_NOTNULL), ErrorKind::DataError);
}

TEST(DatabaseError, PostgresqlStates) {
  EXPECT_EQ(postgresql_error_kind("08006"), ErrorKind::Unavailable); // connection_failure
  EXPECT_EQ(postgresql_error_kind("57P01"), ErrorKind::Unavailable); // admin_shutdown
  EXPECT_EQ(postgresql_error_kind("53100"), ErrorKind::Io);          // disk_full
  EXPECT_EQ(postgresql_error_kind("58030"), ErrorKind::Io);          // io_error
  EXPECT_EQ(postgresql_error_kind("53300"), ErrorKind::TempFail);    // too_many_connections
  EXPECT_EQ(postgresql_error_kind("40001"), ErrorKind::TempFail);    // serialization_failure
  EXPECT_EQ(postgresql_error_kind("40P01"), ErrorKind::TempFail);    // deadlock_detected
  EXPECT_EQ(postgresql_error_kind("55P03"), ErrorKind::TempFail);    // lock_not_available
  EXPECT_EQ(postgresql_error_kind("23505"), ErrorKind::DataError);   // unique_violation
  EXPECT_EQ(postgresql_error_kind("22001"), ErrorKind::DataError);   // string_data_right_truncation
}

TEST(DatabaseError, ReasonIsTheDatabasesOwnOnOneLine) {
  EXPECT_EQ(database_reason("Cannot establish connection to the database.\nconnection to server "
                            "at \"127.0.0.1\", port 9 failed: Connection refused\n\tIs the "
                            "server running on that host and accepting TCP/IP connections?\n"),
            "connection to server at \"127.0.0.1\", port 9 failed: Connection refused Is the "
            "server running on that host and accepting TCP/IP connections?");
  EXPECT_EQ(database_reason("sqlite3_statement_backend::loadOne: database or disk is full while "
                            "executing \"INSERT INTO accounts VALUES (:p)\" with :p=\"secret\"."),
            "database or disk is full");
}
