// The store conformance suite (unit/store/store_conformance.hpp) against real database
// servers, in each server's schema: test_store_conformance.py starts PostgreSQL and MariaDB,
// creates an empty database in each, and names it in the environment:
//   SIPCRED_TEST_POSTGRESQL=postgresql://dbname=D host=H port=P user=U
//   SIPCRED_TEST_MYSQL=mysql://db=D host=H port=P user=U
// Each test starts from that database emptied of every table.

#include "sipcred/sql/sql_stores.hpp"
#include "store/store_conformance.hpp"

#include <soci/soci.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

// The backends' own headers need the client libraries' headers: their factories alone.
namespace soci {
extern "C" {
backend_factory const* factory_postgresql();
backend_factory const* factory_mysql();
}
} // namespace soci

namespace sipcred::test {
namespace {

constexpr const char* postgresql_variable = "SIPCRED_TEST_POSTGRESQL";
constexpr const char* mysql_variable = "SIPCRED_TEST_MYSQL";

class DatabaseLocation : public StoreLocation {
public:
  explicit DatabaseLocation(std::string locator) : m_locator(std::move(locator)) {}
  std::string locator() const override { return m_locator; }

  // Drops every table of the database (the schema's, and any a failed test left).
  void reset() override {
    const Locator locator = parse_locator(m_locator);
    const bool postgresql = locator.backend == "postgresql";
    soci::session session(postgresql ? *soci::factory_postgresql() : *soci::factory_mysql(),
                          locator.connection);
    if (postgresql) session << "SET client_min_messages = warning"; // no NOTICE per table
    std::vector<std::string> tables;
    {
      soci::rowset<std::string> rows =
          session.prepare << (postgresql ? "SELECT tablename FROM pg_tables WHERE schemaname = "
                                           "current_schema()"
                                         : "SELECT table_name FROM information_schema.tables "
                                           "WHERE table_schema = DATABASE()");
      for (const std::string& table : rows) tables.push_back(table);
    }
    if (!postgresql) session << "SET FOREIGN_KEY_CHECKS = 0";
    for (const std::string& table : tables) {
      session << (postgresql ? "DROP TABLE IF EXISTS \"" + table + "\" CASCADE"
                             : "DROP TABLE IF EXISTS `" + table + "`");
    }
    if (!postgresql) session << "SET FOREIGN_KEY_CHECKS = 1";
  }

private:
  std::string m_locator;
};

std::vector<StoreCase> cases_of(const char* variable) {
  const char* locator = std::getenv(variable);
  if (locator == nullptr || *locator == '\0') return {};
  std::vector<StoreCase> cases;
  for (Schema schema : all_schemas) {
    StoreOptions options;
    options.schema = schema;
    cases.push_back(
        {std::string(schema_name(schema)),
         [text = std::string(locator)] { return std::make_unique<DatabaseLocation>(text); },
         options});
  }
  // Kamailio with `modparam("auth", "algorithm", "SHA-256")`: both columns hold SHA-256.
  StoreOptions sha256;
  sha256.schema = Schema::Kamailio;
  sha256.algorithm = HashFunction::Sha256;
  cases.push_back(
      {"kamailio_sha256",
       [text = std::string(locator)] { return std::make_unique<DatabaseLocation>(text); }, sha256});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(PostgreSQL, StoreConformance,
                         testing::ValuesIn(cases_of(postgresql_variable)), store_case_name);
INSTANTIATE_TEST_SUITE_P(MariaDB, StoreConformance, testing::ValuesIn(cases_of(mysql_variable)),
                         store_case_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(StoreConformance);

} // namespace
} // namespace sipcred::test

int main(int argc, char** argv) {
  sipcred::sql::add_sql_stores();
  testing::InitGoogleTest(&argc, argv);
  if (sipcred::test::cases_of(sipcred::test::postgresql_variable).empty() &&
      sipcred::test::cases_of(sipcred::test::mysql_variable).empty()) {
    std::fprintf(stderr,
                 "store_conformance_sql: set %s or %s to the locator of an empty "
                 "database (test_store_conformance.py does)\n",
                 sipcred::test::postgresql_variable, sipcred::test::mysql_variable);
    return 2;
  }
  return RUN_ALL_TESTS();
}
