#pragma once
// Diagnostics as compilers print them, so that editors and CI annotate the right place.

#include "sipcred/util/diagnostic.hpp"

#include <ostream>
#include <string_view>
#include <vector>

namespace sipcred::cli {

// "FILE:LINE:COL: error: MESSAGE [CODE]", one a line; with `errors_only`, warnings and notes
// are left out.
void print_diagnostics(std::ostream& out, std::string_view file,
                       const std::vector<Diagnostic>& diagnostics, bool errors_only = false);

std::size_t count_errors(const std::vector<Diagnostic>& diagnostics);

} // namespace sipcred::cli
