// The table of stores in a program that links the core alone (this test binary has no
// libsipcred-sql), then once the SQL stores are added, as sipcred-migrate does at start-up.
#include "sipcred/sql/sql_stores.hpp"
#include "sipcred/store/store.hpp"
#include "sipcred/util/error.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

using namespace sipcred;

namespace {

std::string usage_error_of(const std::string& locator) {
  try {
    parse_locator(locator);
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::Usage) << locator;
    return error.what();
  }
  ADD_FAILURE() << locator << " was accepted";
  return {};
}

bool has(std::string_view prefix) {
  const auto& table = store_backends();
  return std::any_of(table.begin(), table.end(),
                     [&](const StoreBackend& b) { return b.prefix == prefix; });
}

} // namespace

// One test, in order: the table is process-wide, and adding is for start-up only.
TEST(StoreTable, DatabasesAreThereOnlyOnceAdded) {
  // The core: the file stores, each with its prefix, form and description.
  for (std::string_view prefix : {"", "htdigest:", "pjsip:", "csv:", "jsonl:", "freeswitch:"})
    EXPECT_TRUE(has(prefix)) << prefix;
  EXPECT_FALSE(has("sqlite3://"));
  EXPECT_EQ(parse_locator("htdigest:/etc/h").kind, StoreKind::Htdigest);
  EXPECT_EQ(parse_locator("htdigest:/etc/h").display(), "htdigest:/etc/h");
  EXPECT_EQ(parse_locator("freeswitch:/etc/freeswitch/directory/default").kind,
            StoreKind::Freeswitch);
  EXPECT_EQ(parse_locator("freeswitch:/etc/d").path, "/etc/d");
  const std::string refused = usage_error_of("sqlite3://db=/tmp/users.db");
  EXPECT_NE(refused.find("no SQL stores"), std::string::npos) << refused;
  EXPECT_NE(refused.find("libsipcred-sql"), std::string::npos) << refused;
  // A Locator built by hand (as a flexisip.conf reader does) is refused the same way.
  try {
    open_store(Locator{StoreKind::Sql, "", "sqlite3", "db=/tmp/users.db"}, StoreOptions{});
    ADD_FAILURE() << "opened an SQL store without libsipcred-sql";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::Usage);
    EXPECT_NE(std::string(error.what()).find("no SQL stores"), std::string::npos);
  }

  sql::add_sql_stores();
  const std::size_t size = store_backends().size();
  EXPECT_EQ(size, 9u);
  sql::add_sql_stores(); // the same prefixes again replace, never duplicate
  EXPECT_EQ(store_backends().size(), size);
  const Locator sqlite = parse_locator("sqlite3://db=/tmp/users.db");
  EXPECT_EQ(sqlite.kind, StoreKind::Sql);
  EXPECT_EQ(sqlite.backend, "sqlite3");
  EXPECT_EQ(parse_locator("postgres://dbname=x").backend, "postgresql"); // SOCI's other name
  const std::string unknown = usage_error_of("oracle://x");
  EXPECT_NE(unknown.find("expected sqlite3://, postgresql:// or mysql://"), std::string::npos)
      << unknown;
  EXPECT_NE(usage_error_of("mysql://").find("expected mysql://db=D host=H"), std::string::npos);
}
