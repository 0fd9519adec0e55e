// GitLab Code Quality: the subset of the CodeClimate issue format that GitLab documents
// (description, check_name, fingerprint, severity, location.path, location.lines.begin),
// with CodeClimate's type and categories so that other CodeClimate readers take it too.

#include "report.hpp"

#include "sipcred/digest/digest.hpp"
#include "sipcred/lint/baseline.hpp"

#include <nlohmann/json.hpp>

namespace sipcred::cli {
namespace {

using json = nlohmann::ordered_json;

// GitLab's severities: info, minor, major, critical, blocker.
std::string_view gitlab_severity(Severity severity) {
  switch (severity) {
  case Severity::Error: return "major";
  case Severity::Warning: return "minor";
  case Severity::Note: return "info";
  }
  return "major";
}

} // namespace

void print_gitlab(std::ostream& out, const std::vector<lint::Finding>& findings) {
  const std::vector<lint::FindingIdentity> identities = lint::identities(findings);
  json issues = json::array();
  for (std::size_t i = 0; i < findings.size(); ++i) {
    const lint::Finding& f = findings[i];
    // Unique in the report, the same for the same finding in the next pipeline.
    const std::string fingerprint = hex_digest(
        HashFunction::Md5, identities[i].fingerprint + ":" + std::to_string(identities[i].occurrence));
    issues.push_back(
        {{"type", "issue"},
         {"check_name", f.diagnostic.code},
         {"description", f.diagnostic.message + " [" + std::string(f.diagnostic.code) + "]"},
         {"categories", json::array({"Bug Risk"})},
         {"fingerprint", fingerprint},
         {"severity", gitlab_severity(f.diagnostic.severity)},
         {"location",
          {{"path", f.file}, {"lines", {{"begin", std::max<std::size_t>(f.diagnostic.line, 1)}}}}}});
  }
  out << issues.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
}

} // namespace sipcred::cli
