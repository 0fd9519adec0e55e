// The conformance suite (store_conformance.hpp) for the file stores of the core.

#include "store/store_conformance.hpp"

namespace sipcred::test {
namespace {

StoreCase file_case(std::string name, std::string prefix, bool rewrites, StoreOptions options = {},
                    std::string file = "accounts", bool one_domain = false) {
  return {name, [prefix, file] { return temp_file_location(prefix, file); }, options, rewrites,
          one_domain};
}

StoreOptions realm(std::string realm) {
  StoreOptions options;
  options.realm = std::move(realm);
  return options;
}

INSTANTIATE_TEST_SUITE_P(
    FileStores, StoreConformance,
    testing::Values(file_case("userdb", "", true),
                    // Written as new files only (begin_create).
                    file_case("htdigest", "htdigest:", false), file_case("pjsip", "pjsip:", false),
                    file_case("csv", "csv:", false), file_case("jsonl", "jsonl:", false),
                    // FreeSWITCH directory XML, edited in place: one file of several domains (a
                    // name ending in .xml), and a directory of user files of the domain --realm
                    // names (the suite's domain).
                    file_case("freeswitch_file", "freeswitch:", true, {}, "directory.xml"),
                    file_case("freeswitch_dir", "freeswitch:", true, realm("sip.example.org"),
                              "users", true),
                    // Hashes of a realm other than the domain (--realm). Not htdigest and
                    // pjsip: they keep the realm in place of the domain, which then reads back
                    // as the realm, and nothing in needs() says so.
                    file_case("userdb_realm", "", true, realm("realm.example.com")),
                    file_case("csv_realm", "csv:", false, realm("realm.example.com")),
                    file_case("jsonl_realm", "jsonl:", false, realm("realm.example.com")),
                    file_case("freeswitch_file_realm", "freeswitch:", true,
                              realm("realm.example.com"), "directory.xml")),
    store_case_name);

} // namespace
} // namespace sipcred::test
