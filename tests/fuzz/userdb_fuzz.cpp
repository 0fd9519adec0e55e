// A userdb: the document is lossless (it formats back to its bytes), a one-pass scan reports
// what the document does, and a file cut in two pieces where end_of_piece allows scans as one.
#include "fuzz_input.hpp"

#include "sipcred/userdb/userdb.hpp"
#include "userdb/userdb_scan.hpp"

#include <algorithm>
#include <vector>

namespace {

using namespace sipcred;

std::vector<Diagnostic> without_duplicates(std::vector<Diagnostic> diagnostics) {
  // SC124 needs every line: scans do not report it.
  std::erase_if(diagnostics, [](const Diagnostic& d) { return d.code == "SC124"; });
  return diagnostics;
}

bool same(const std::vector<Diagnostic>& a, const std::vector<Diagnostic>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const Diagnostic& x, const Diagnostic& y) {
                      return x.code == y.code && x.line == y.line && x.column == y.column &&
                             x.severity == y.severity;
                    });
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(fuzz::text_of(data, size));
  std::vector<Diagnostic> parsed;
  const userdb::Document document = userdb::Document::parse(text, parsed);
  fuzz::require(document.content() == text);

  std::vector<Diagnostic> scanned;
  std::size_t lines = 0;
  userdb::scan_lines(text, scanned, [&](const userdb::Line&, std::size_t) { ++lines; });
  fuzz::require(lines == document.lines().size());
  fuzz::require(same(without_duplicates(parsed), scanned));

  // Two pieces, cut where end_of_piece says a cut is safe in the first half.
  const std::size_t cut = userdb::end_of_piece(std::string_view(text).substr(0, text.size() / 2));
  if (cut > 0) {
    std::vector<Diagnostic> pieces;
    const std::size_t first = userdb::scan_piece(std::string_view(text).substr(0, cut), 1, pieces,
                                                 [](const userdb::Line&, std::size_t) {});
    userdb::scan_piece(std::string_view(text).substr(cut), first + 1, pieces,
                       [](const userdb::Line&, std::size_t) {});
    fuzz::require(same(pieces, scanned));
  }
  return 0;
}
