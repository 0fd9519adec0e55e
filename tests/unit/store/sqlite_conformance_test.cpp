// The conformance suite (store_conformance.hpp) for SQLite, in each server's schema. SQL code
// of its own file: it links libsipcred-sql's internal copy, the file stores only the core.

#include "store/store_conformance.hpp"

namespace sipcred::test {
namespace {

StoreCase sqlite_case(std::string name, Schema schema, HashFunction algorithm = HashFunction::Md5) {
  StoreOptions options;
  options.schema = schema;
  options.algorithm = algorithm;
  return {name, [] { return temp_file_location("sqlite3://db=", "accounts.db"); }, options};
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformance,
                         testing::Values(sqlite_case("flexisip", Schema::Flexisip),
                                         sqlite_case("kamailio", Schema::Kamailio),
                                         sqlite_case("kamailio_sha256", Schema::Kamailio,
                                                     HashFunction::Sha256),
                                         sqlite_case("opensips", Schema::Opensips)),
                         store_case_name);

} // namespace
} // namespace sipcred::test
