// sipcred-lint's whole job as a library call: read the named files, lint each in the context
// the config gives, and order the findings.

#include "sipcred/lint/lint.hpp"

#include "sipcred/util/atomic_file.hpp"
#include "sipcred/util/error.hpp"

#include "lint/findings.hpp"
#include "lint/rule_table.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <sys/stat.h>

namespace sipcred::lint {
namespace {

void add_findings(std::vector<Finding>& findings, const std::string& file,
                  std::vector<Finding> found) {
  std::stable_sort(found.begin(), found.end(), [](const Finding& a, const Finding& b) {
    return a.diagnostic.line != b.diagnostic.line ? a.diagnostic.line < b.diagnostic.line
                                                  : a.diagnostic.column < b.diagnostic.column;
  });
  findings.reserve(findings.size() + found.size());
  for (Finding& f : found) {
    f.file = file;
    findings.push_back(std::move(f));
  }
}

std::optional<unsigned> permissions(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return std::nullopt;
  return static_cast<unsigned>(info.st_mode & 0777);
}

void lint_userdb_file(std::vector<Finding>& findings, const std::string& path,
                      const AuthContext& context) {
  add_findings(findings, path, userdb_findings(read_file(path), context, permissions(path)));
}

} // namespace

std::vector<Finding> lint(const Request& request) {
  std::vector<Finding> findings;
  AuthContext context;
  if (!request.config.empty()) {
    const std::string content = read_file(request.config);
    std::vector<Diagnostic> diagnostics;
    // Suppression comments are applied once the file-path finding below is in.
    const ConfigFacts facts =
        lint_flexisip_config(config::FlexisipConfig::parse(content, diagnostics), diagnostics);
    context = facts.context;
    // The config's own userdb, unless --userdb names the one to check instead.
    std::vector<Finding> userdb_findings;
    if (request.userdb.empty() && facts.file_backend && !facts.file_path.empty()) {
      try {
        lint_userdb_file(userdb_findings, facts.file_path, context);
      } catch (const Error& error) {
        if (error.kind() != ErrorKind::NoInput) throw;
        diagnostics.push_back(
            finding("SC331", facts.file_path_line, facts.file_path_column,
                    std::string("cannot read the userdb named by file-path: ") + error.what()));
      }
    }
    add_findings(findings, request.config,
                 ini_findings(content, '#', FileKind::FlexisipConfig, std::move(diagnostics)));
    std::move(userdb_findings.begin(), userdb_findings.end(), std::back_inserter(findings));
  }
  if (!request.userdb.empty()) lint_userdb_file(findings, request.userdb, context);
  if (!request.pjsip.empty()) {
    add_findings(findings, request.pjsip, pjsip_findings(read_file(request.pjsip)));
  }
  return findings;
}

namespace {

// `text` from `from` on, every character but a line end replaced by '*' (so that columns stay
// where they were).
void mask(std::string& text, std::size_t from) {
  for (std::size_t i = from; i < text.size(); ++i)
    if (text[i] != '\r' && text[i] != '\n') text[i] = '*';
}

void mask_value_of(std::string& line, std::initializer_list<std::string_view> secret_keys) {
  const std::size_t equals = line.find('=');
  if (equals == std::string::npos) return;
  std::string_view key = std::string_view(line).substr(0, equals);
  while (!key.empty() && (key.front() == ' ' || key.front() == '\t')) key.remove_prefix(1);
  while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.remove_suffix(1);
  for (std::string_view secret : secret_keys)
    if (iequals(key, secret)) return mask(line, equals + 1);
}

} // namespace

std::string redact_line(FileKind kind, std::string_view line) {
  std::string out(line);
  switch (kind) {
  case FileKind::FlexisipConfig: mask_value_of(out, {"soci-connection-string"}); break;
  case FileKind::Pjsip:
    mask_value_of(out,
                  {"password", "password_digest", "md5_cred", "oauth_secret", "refresh_token"});
    break;
  case FileKind::Store: mask(out, 0); break;
  case FileKind::Userdb: {
    if (out.starts_with('#')) break;
    // Every word after the identity and before ';' is a credential: keep its prefix only.
    const std::size_t end = std::min(out.find(';'), out.size());
    std::size_t pos = 0;
    bool first = true;
    while (pos < end) {
      while (pos < end && (out[pos] == ' ' || out[pos] == '\t')) ++pos;
      const std::size_t start = pos;
      while (pos < end && out[pos] != ' ' && out[pos] != '\t') ++pos;
      if (pos == start) break;
      if (!first) {
        const std::size_t colon = out.find(':', start);
        const std::size_t from = colon < pos ? colon + 1 : start;
        for (std::size_t i = from; i < pos; ++i)
          if (out[i] != '\r' && out[i] != '\n') out[i] = '*';
      }
      first = false;
    }
    break;
  }
  }
  return out;
}

} // namespace sipcred::lint
