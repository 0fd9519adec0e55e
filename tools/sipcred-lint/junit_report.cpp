// JUnit XML, as GitLab's and Jenkins' test reports read it: one failed test case a finding,
// in one test suite; a passing case when there is none, so that the report is never empty.

#include "report.hpp"

namespace sipcred::cli {
namespace {

// Length of the valid UTF-8 sequence at text[i], 0 when there is none (an overlong form, a
// surrogate or a stray byte).
std::size_t utf8_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  const std::size_t n = lead < 0x80 ? 1 : lead >= 0xC2 && lead <= 0xDF ? 2
                                      : lead >= 0xE0 && lead <= 0xEF   ? 3
                                      : lead >= 0xF0 && lead <= 0xF4   ? 4
                                                                       : 0;
  if (n == 0 || i + n > text.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  if ((lead == 0xE0 && byte(i + 1) < 0xA0) || (lead == 0xED && byte(i + 1) > 0x9F) ||
      (lead == 0xF0 && byte(i + 1) < 0x90) || (lead == 0xF4 && byte(i + 1) > 0x8F))
    return 0;
  return n;
}

// Text for an XML attribute or element: markup characters as entities, what XML 1.0 cannot
// hold (control characters but tab, LF and CR; invalid UTF-8, from a file's bytes quoted in
// a message) as U+FFFD.
std::string xml_escape(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    const std::size_t n = utf8_length(text, i);
    if (n > 1) {
      out.append(text.substr(i, n));
      i += n;
      continue;
    }
    ++i;
    switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    case '\'': out += "&apos;"; break;
    case '\t': out += "&#9;"; break;
    case '\n': out += "&#10;"; break;
    case '\r': out += "&#13;"; break;
    default:
      if (n == 0 || static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
        out += "\xEF\xBF\xBD";
      else
        out += c;
    }
  }
  return out;
}

} // namespace

void print_junit(std::ostream& out, const std::vector<lint::Finding>& findings) {
  const std::string count = std::to_string(std::max<std::size_t>(findings.size(), 1));
  const std::string failures = std::to_string(findings.size());
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<testsuites name=\"sipcred-lint\" tests=\"" << count << "\" failures=\"" << failures
      << "\" errors=\"0\">\n"
      << "  <testsuite name=\"sipcred-lint\" tests=\"" << count << "\" failures=\"" << failures
      << "\" errors=\"0\" skipped=\"0\">\n";
  if (findings.empty())
    out << "    <testcase name=\"no findings\" classname=\"sipcred-lint\"/>\n";
  for (const lint::Finding& f : findings) {
    const Diagnostic& d = f.diagnostic;
    const std::string where =
        f.file + ":" + std::to_string(d.line) + ":" + std::to_string(d.column);
    out << "    <testcase name=\"" << xml_escape(std::string(d.code) + " " + where)
        << "\" classname=\"" << xml_escape(f.file.empty() ? "sipcred-lint" : f.file) << "\">\n"
        << "      <failure type=\"" << severity_name(d.severity) << "\" message=\""
        << xml_escape(d.message) << "\">" << xml_escape(where + ": " +
                                                        std::string(severity_name(d.severity)) +
                                                        ": " + d.message + " [" +
                                                        std::string(d.code) + "]")
        << "</failure>\n"
        << "    </testcase>\n";
  }
  out << "  </testsuite>\n</testsuites>\n";
}

} // namespace sipcred::cli
