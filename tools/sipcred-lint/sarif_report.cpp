// SARIF 2.1.0, as GitHub code scanning reads it and Microsoft's SARIF validator accepts it
// (tests/cli/test_sipcred_lint_formats.py runs the validator).

#include "report.hpp"

#include "sipcred/lint/baseline.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <filesystem>
#include <map>

namespace sipcred::cli {
namespace {

using json = nlohmann::ordered_json;

std::string_view sarif_level(Severity severity) { return severity_name(severity); }

// A file name as a URI reference: relative names stay relative (GitHub resolves them against
// the repository), absolute ones become file:// URIs; anything but unreserved characters and
// '/' is percent-encoded.
std::string sarif_uri(const std::string& file) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out = file.starts_with('/') ? "file://" : "";
  for (const char c : file) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/')
      out += c;
    else
      out.append({'%', hex[byte >> 4], hex[byte & 15]});
  }
  return out;
}

// The current directory with a final '/', as SARIF wants a directory URI.
std::string working_directory() {
  std::error_code error;
  std::string dir = std::filesystem::current_path(error).string();
  if (error || dir.empty()) return "/";
  return dir.ends_with('/') ? dir : dir + '/';
}

} // namespace

std::string rule_name(const lint::Rule& rule) {
  std::string name;
  bool word_start = true;
  for (const char c : rule.title) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      word_start = true;
      continue;
    }
    name += word_start ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    word_start = false;
  }
  return name;
}

void print_sarif(std::ostream& out, const std::vector<lint::Finding>& findings,
                 std::string_view version) {
  json rules = json::array();
  std::map<std::string_view, std::size_t> index;
  for (const lint::Rule& rule : lint::rules()) {
    index[rule.code] = rules.size();
    // "id" first, on a line of its own: the completions read the codes from it.
    rules.push_back(
        {{"id", rule.code},
         {"name", rule_name(rule)},
         {"shortDescription", {{"text", rule.title}}},
         {"fullDescription", {{"text", rule.explanation}}},
         {"help", {{"text", rule.explanation}}},
         {"defaultConfiguration",
          {{"enabled", rule.on_by_default}, {"level", sarif_level(rule.severity)}}}});
  }
  const std::vector<lint::FindingIdentity> identities = lint::identities(findings);
  json results = json::array();
  for (std::size_t i = 0; i < findings.size(); ++i) {
    const lint::Finding& f = findings[i];
    json location{{"artifactLocation", {{"uri", sarif_uri(f.file)}}}};
    if (f.diagnostic.line > 0)
      location["region"] = {{"startLine", f.diagnostic.line},
                            {"startColumn", std::max<std::size_t>(f.diagnostic.column, 1)}};
    json result{{"ruleId", f.diagnostic.code},
                {"level", sarif_level(f.diagnostic.severity)},
                {"message", {{"text", f.diagnostic.message}}}};
    if (!f.file.empty()) {
      json entry{{"physicalLocation", std::move(location)}};
      // A database account has no line: its account is where the finding is.
      if (f.diagnostic.line == 0 && !f.subject.empty())
        entry["logicalLocations"] = json::array({{{"name", f.subject}, {"kind", "object"}}});
      result["locations"] = json::array({std::move(entry)});
    }
    // What code scanning follows across commits: the finding's subject, not its line.
    result["partialFingerprints"] = {
        {"sipcredFingerprint/v1",
         identities[i].fingerprint + ":" + std::to_string(identities[i].occurrence)}};
    if (const auto it = index.find(f.diagnostic.code); it != index.end())
      result["ruleIndex"] = it->second;
    results.push_back(std::move(result));
  }
  const json document{
      {"version", "2.1.0"},
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"runs",
       json::array({{{"tool",
                      {{"driver",
                        {{"name", "sipcred-lint"},
                         {"informationUri", SIPCRED_HOMEPAGE_URL},
                         {"version", version},
                         {"semanticVersion", version},
                         {"rules", std::move(rules)}}}}},
                     // Lets code scanning turn absolute file URIs into repository paths.
                     {"invocations", json::array({{{"executionSuccessful", true},
                                                   {"workingDirectory",
                                                    {{"uri", sarif_uri(working_directory())}}}}})},
                     {"results", std::move(results)}}})}};
  out << document.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
}

} // namespace sipcred::cli
