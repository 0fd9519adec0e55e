#include "sipcred/util/error.hpp"

#include <gtest/gtest.h>

using namespace sipcred;

// The exit codes are a public contract (ARCHITECTURE.md, sipcred(1)): scripts test for them.
TEST(Error, KindsMapToDocumentedExitCodes) {
  EXPECT_EQ(exit_code(ErrorKind::Usage), 2);
  EXPECT_EQ(exit_code(ErrorKind::DataError), 65);
  EXPECT_EQ(exit_code(ErrorKind::NoInput), 66);
  EXPECT_EQ(exit_code(ErrorKind::Unavailable), 69);
  EXPECT_EQ(exit_code(ErrorKind::Internal), 70);
  EXPECT_EQ(exit_code(ErrorKind::CannotCreate), 73);
  EXPECT_EQ(exit_code(ErrorKind::Io), 74);
  EXPECT_EQ(exit_code(ErrorKind::TempFail), 75);
}

TEST(Error, CarriesKindAndMessage) {
  const Error error(ErrorKind::TempFail, "users: locked");
  EXPECT_EQ(error.kind(), ErrorKind::TempFail);
  EXPECT_STREQ(error.what(), "users: locked");
}
