// The conformance suite (store_conformance.hpp) for the file stores of the core.

#include "store/store_conformance.hpp"

namespace sipcred::test {
namespace {

StoreCase file_case(std::string name, std::string prefix, bool rewrites) {
  return {name, [prefix] { return temp_file_location(prefix, "accounts"); }, StoreOptions{},
          rewrites};
}

INSTANTIATE_TEST_SUITE_P(FileStores, StoreConformance,
                         testing::Values(file_case("userdb", "", true),
                                         // Written as new files only (begin_create).
                                         file_case("htdigest", "htdigest:", false),
                                         file_case("pjsip", "pjsip:", false),
                                         file_case("csv", "csv:", false),
                                         file_case("jsonl", "jsonl:", false)),
                         store_case_name);

} // namespace
} // namespace sipcred::test
