// The unit tests' main: the store table holds the SQL stores too, as in the tools that open
// them (sipcred-migrate, -lint, -sim), before any test runs.
#include "sipcred/sql/sql_stores.hpp"

#include <gtest/gtest.h>

int main(int argc, char** argv) {
  sipcred::sql::add_sql_stores();
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
