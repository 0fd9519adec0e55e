// GitHub Actions workflow commands: one annotation a finding, as @actions/core's issueCommand
// writes them ("::error file=F,line=L,col=C,title=T::MESSAGE").

#include "report.hpp"

namespace sipcred::cli {
namespace {

// What @actions/core escapes: in the message '%', CR and LF; in a property ':' and ',' too.
std::string escape(std::string_view text, bool property) {
  std::string out;
  for (const char c : text) {
    if (c == '%')
      out += "%25";
    else if (c == '\r')
      out += "%0D";
    else if (c == '\n')
      out += "%0A";
    else if (property && c == ':')
      out += "%3A";
    else if (property && c == ',')
      out += "%2C";
    else
      out += c;
  }
  return out;
}

std::string_view command(Severity severity) {
  switch (severity) {
  case Severity::Error: return "error";
  case Severity::Warning: return "warning";
  case Severity::Note: return "notice";
  }
  return "error";
}

} // namespace

void print_github(std::ostream& out, const std::vector<lint::Finding>& findings) {
  for (const lint::Finding& f : findings) {
    const Diagnostic& d = f.diagnostic;
    out << "::" << command(d.severity) << ' ';
    if (!f.file.empty()) out << "file=" << escape(f.file, true) << ',';
    if (d.line > 0) out << "line=" << d.line << ',';
    if (d.line > 0 && d.column > 0) out << "col=" << d.column << ',';
    out << "title=" << escape(d.code, true) << "::" << escape(d.message, false) << '\n';
  }
}

} // namespace sipcred::cli
