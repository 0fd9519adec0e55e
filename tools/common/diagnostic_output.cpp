#include "diagnostic_output.hpp"

#include <algorithm>

namespace sipcred::cli {

void print_diagnostics(std::ostream& out, std::string_view file,
                       const std::vector<Diagnostic>& diagnostics, bool errors_only) {
  for (const Diagnostic& d : diagnostics)
    if (!errors_only || d.severity == Severity::Error)
      out << file << ':' << d.line << ':' << d.column << ": " << severity_name(d.severity) << ": "
          << d.message << " [" << d.code << "]\n";
}

std::size_t count_errors(const std::vector<Diagnostic>& diagnostics) {
  return static_cast<std::size_t>(
      std::count_if(diagnostics.begin(), diagnostics.end(),
                    [](const Diagnostic& d) { return d.severity == Severity::Error; }));
}

} // namespace sipcred::cli
