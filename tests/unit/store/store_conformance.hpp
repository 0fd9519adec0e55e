#pragma once
// The store conformance suite: what every Store does, whatever holds its accounts. The cases
// (store_conformance.cpp) ask the store itself what it can keep (needs(), refusal()) instead of
// knowing each store; a new store costs one StoreCase in an INSTANTIATE_TEST_SUITE_P, in any
// test binary that links the suite (the file stores and SQLite in unit_tests, PostgreSQL and
// MariaDB in tests/integration/store_conformance_sql.cpp).

#include "sipcred/store/store.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

namespace sipcred::test {

// Where the store of one test lives: empty at the start of the test, gone at its end.
class StoreLocation {
public:
  virtual ~StoreLocation() = default;
  virtual std::string locator() const = 0;
  // The file holding the store, for byte-for-byte comparisons; "" for a database server.
  virtual std::string file() const { return {}; }
  // Empties the store again. Called with no store of it open.
  virtual void reset() = 0;
};

// A file (or SQLite database) in a temporary directory of its own: `prefix` + its path.
std::unique_ptr<StoreLocation> temp_file_location(std::string prefix, std::string name);

struct StoreCase {
  std::string name; // the test name's suffix: letters, digits and '_'
  std::function<std::unique_ptr<StoreLocation>()> location;
  StoreOptions options;
  // Whether a writer can change a store that exists already; false for the text formats,
  // which sipcred writes as new files only (a commit over an existing one is CannotCreate).
  bool rewrites = true;
  // Whether the store holds the accounts of one domain only (a FreeSWITCH directory of user
  // files, whose domain --realm gives): then it must refuse an account of another domain
  // rather than write it where it would read back in the wrong domain.
  bool one_domain = false;
};

inline std::ostream& operator<<(std::ostream& out, const StoreCase& c) { return out << c.name; }

// For INSTANTIATE_TEST_SUITE_P's last argument.
inline std::string store_case_name(const testing::TestParamInfo<StoreCase>& info) {
  return info.param.name;
}

class StoreConformance : public testing::TestWithParam<StoreCase> {
public:
  void SetUp() override;
  void TearDown() override;

  const StoreOptions& options() const { return GetParam().options; }
  StoreLocation& location() { return *m_location; }
  // A new Store object on the test's location, opened as the tools open one.
  std::unique_ptr<Store> open() const;

private:
  std::unique_ptr<StoreLocation> m_location;
};

} // namespace sipcred::test
