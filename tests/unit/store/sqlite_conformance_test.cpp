// The conformance suite (store_conformance.hpp) for SQLite, in each server's schema. SQL code
// of its own file: it links libsipcred-sql's internal copy, the file stores only the core.

#include "store/store_conformance.hpp"

namespace sipcred::test {
namespace {

StoreCase sqlite_case(std::string name, Schema schema, HashFunction algorithm = HashFunction::Md5,
                      std::string realm = "") {
  StoreOptions options;
  options.schema = schema;
  options.algorithm = algorithm;
  options.realm = std::move(realm);
  return {name, [] { return temp_file_location("sqlite3://db=", "accounts.db"); }, options};
}

INSTANTIATE_TEST_SUITE_P(
    Sqlite, StoreConformance,
    testing::Values(
        sqlite_case("flexisip", Schema::Flexisip), sqlite_case("kamailio", Schema::Kamailio),
        sqlite_case("kamailio_sha256", Schema::Kamailio, HashFunction::Sha256),
        sqlite_case("flexiapi", Schema::Flexiapi), sqlite_case("opensips", Schema::Opensips),
        sqlite_case("asterisk", Schema::Asterisk),
        // Hashes of a realm other than the domain (--realm), ha1b's included: one
        // schema is enough, each SQLite case costs half a second of fsyncs.
        sqlite_case("kamailio_realm", Schema::Kamailio, HashFunction::Md5, "realm.example.com")),
    store_case_name);

} // namespace
} // namespace sipcred::test
