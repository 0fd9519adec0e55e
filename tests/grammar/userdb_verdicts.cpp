// For the grammar test: reads userdb files from stdin, each as a 4-byte little-endian length
// then the bytes, and prints one line per file:
//   ERRORS SCAN_AGREES | USER,DOMAIN,USER_ID,PHONE,PREFIX:VALUE,... | ...
// ERRORS is 1 when sipcred reports an error (Flexisip would refuse the file); SCAN_AGREES is
// 1 when scan_lines and Document::parse report the same lines and errors and the document
// writes back the same bytes. Fields are hex ("-" when empty).

#include "sipcred/userdb/userdb.hpp"
#include "userdb/userdb_scan.hpp"

#include <cstdint>
#include <cstdio>
#include <iostream>

using namespace sipcred;
using namespace sipcred::userdb;

namespace {

std::string hex(std::string_view text) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : text) out.append({digits[c >> 4], digits[c & 15]});
  return out.empty() ? "-" : out;
}

std::string fields(const Entry& e) {
  std::string out = hex(e.user) + "," + hex(e.domain) + "," + hex(e.user_id) + "," + hex(e.phone);
  for (const CredentialToken& c : e.credentials) out += "," + hex(c.prefix) + ":" + hex(c.value);
  return out;
}

bool has_error(const std::vector<Diagnostic>& diagnostics) {
  for (const Diagnostic& d : diagnostics)
    if (d.severity == Severity::Error) return true;
  return false;
}

} // namespace

int main() {
  std::ios::sync_with_stdio(false);
  std::uint32_t size;
  while (std::fread(&size, sizeof size, 1, stdin) == 1) {
    std::string data(size, '\0');
    if (size && std::fread(data.data(), 1, size, stdin) != size) return 1;
    std::vector<Diagnostic> parsed, scanned;
    const Document document = Document::parse(data, parsed);
    std::vector<std::string> from_document, from_scan;
    for (const Line& line : document.lines())
      if (line.kind == LineKind::Auth) from_document.push_back(fields(line.entry));
    scan_lines(data, scanned, [&](const Line& line, std::size_t) {
      if (line.kind == LineKind::Auth) from_scan.push_back(fields(line.entry));
    });
    const bool agree = from_document == from_scan && has_error(parsed) == has_error(scanned) &&
                       document.content() == data;
    std::cout << has_error(parsed) << ' ' << agree;
    for (const std::string& entry : from_document) std::cout << " | " << entry;
    std::cout << '\n';
  }
  return 0;
}
