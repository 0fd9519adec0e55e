#pragma once
// The userdb scanner: one pass, in pieces for streams, on two threads. Library plumbing behind
// Document::parse, the stores and the edit engine, not API.

#include "sipcred/userdb/userdb.hpp"

#include <cstddef>
#include <functional>
#include <string_view>
#include <vector>

namespace sipcred::userdb {

// One pass over a whole userdb without keeping its lines: `visit` sees every parsed line (its
// storage is reused for a later line: copy what you keep) with its 0-based index. The same
// diagnostics as Document::parse, except duplicate users (SC124), which need every line.
void scan_lines(std::string_view content, std::vector<Diagnostic>& diagnostics,
                const std::function<void(const Line&, std::size_t)>& visit);
// The same on two threads for a large file (a one-pass edit is bound by this scan): `visit`
// is called from both at once, for different lines, in no particular order, so it must be
// thread-safe. The diagnostics are the same, in line order.
void scan_lines_in_parallel(std::string_view content, std::vector<Diagnostic>& diagnostics,
                            const std::function<void(const Line&)>& visit);

// What a scan reports beyond what makes a line invalid.
struct ScanOptions {
  // SC121-SC123: credentials beside a clear text, which Flexisip discards or never uses. A
  // tool that writes and checks exactly those (sipcred-convert) has no use for them, and on a
  // file where every line has some, building their messages cost more than parsing the lines.
  bool report_credentials_beside_clear_text = true;
};
// A userdb in pieces, for streams (see end_of_piece): the lines of `piece`, numbered from
// `first_line_number`, which must be above 1 unless the piece starts the file. Returns the
// number of lines.
std::size_t scan_piece(std::string_view piece, std::size_t first_line_number,
                       std::vector<Diagnostic>& diagnostics,
                       const std::function<void(const Line&, std::size_t)>& visit,
                       ScanOptions options = {});
// Where a piece of `text` can end so that scan_piece on each side gives what one scan would:
// the last place after a bare LF, or after a CRLF followed within `text` by a line that does
// not start with whitespace (only such a line can continue a CRLF comment). 0 when none.
std::size_t end_of_piece(std::string_view text);

} // namespace sipcred::userdb
