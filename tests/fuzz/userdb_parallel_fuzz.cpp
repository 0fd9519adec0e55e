// The scan on two threads reports what one scan does, in line order, and visits every line.
#include "fuzz_input.hpp"

#include "sipcred/userdb/userdb.hpp"
#include "userdb/userdb_scan.hpp"

#include <algorithm>
#include <atomic>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sipcred;
  const std::string_view text = fuzz::text_of(data, size);
  std::vector<Diagnostic> one, two;
  std::size_t lines = 0;
  userdb::scan_lines(text, one, [&](const userdb::Line&, std::size_t) { ++lines; });
  std::atomic<std::size_t> visited = 0;
  userdb::scan_lines_in_parallel(text, two, [&](const userdb::Line&) { ++visited; });
  fuzz::require(visited == lines);
  fuzz::require(std::equal(one.begin(), one.end(), two.begin(), two.end(),
                           [](const Diagnostic& a, const Diagnostic& b) {
                             return a.code == b.code && a.line == b.line && a.column == b.column;
                           }));
  return 0;
}
