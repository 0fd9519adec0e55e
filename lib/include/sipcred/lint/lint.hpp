#pragma once
// Lint rules for an authentication setup: Flexisip's flexisip.conf and the userdb it names,
// cross-checked together, and Asterisk's pjsip.conf auth objects. Each rule has a stable code,
// a severity and an explanation, all in one table (rules()) that sipcred-lint --explain, its
// SARIF output and its man page share. Findings never hold a password or a hash.

#include "sipcred/config/flexisip_config.hpp"
#include "sipcred/digest/digest.hpp"
#include "sipcred/export.hpp"
#include "sipcred/lint/rule.hpp"
#include "sipcred/util/diagnostic.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sipcred::lint {

// Every rule, userdb parse codes (SC1xx) included, in code order.
SIPCRED_EXPORT std::span<const Rule> rules();
// The rule of a code (case-insensitive), or nullptr.
SIPCRED_EXPORT const Rule* find_rule(std::string_view code);

// Store: another account file (htdigest, CSV, ...), whose lines are never shown.
enum class FileKind { FlexisipConfig, Userdb, Pjsip, Store };

// A Diagnostic with the file it is about, named as the caller or the config named it.
struct SIPCRED_EXPORT Finding {
  std::string file;
  FileKind kind = FileKind::FlexisipConfig;
  Diagnostic diagnostic;
  std::string subject; // what the finding is about, stable across edits: "user@domain" for an account, "[section] key" for a config value; empty when none
};

// What the authentication module would do with the users of a store.
struct SIPCRED_EXPORT AuthContext {
  bool from_config = false; // false: Flexisip's defaults, auth-domains unknown (not checked)
  std::vector<std::string> auth_domains;
  std::vector<HashFunction> algorithms{HashFunction::Md5}; // available-algorithms
  std::optional<std::string> fixed_realm;                  // `realm`, unless it is a regex
};

// What the config says about its store, for the caller to lint next.
struct SIPCRED_EXPORT ConfigFacts {
  AuthContext context;
  bool file_backend = false; // db-implementation=file (the default)
  std::string file_path;     // as written; empty when not set
  std::size_t file_path_line = 0, file_path_column = 0;
  // db-implementation=soci: soci-backend (default mysql), soci-connection-string and
  // soci-password-request (empty: not set) as written.
  bool soci_backend_used = false;
  std::string soci_backend, soci_connection, soci_password_request;
};

// Rules of flexisip.conf alone (syntax, [module::Authentication], the soci request).
// The functions on a file's content leave out what a `sipcred-lint: disable=CODE` comment on
// the line above a finding disables, and report a malformed one (SC001).
SIPCRED_EXPORT ConfigFacts lint_flexisip_config(std::string_view content,
                                                std::vector<Diagnostic>& diagnostics);
// The same on a config already read (its syntax diagnostics already reported; no comments:
// nothing suppressed).
SIPCRED_EXPORT ConfigFacts lint_flexisip_config(const config::FlexisipConfig& config,
                                                std::vector<Diagnostic>& diagnostics);

// A userdb (parse rules SC1xx and cross-checks SC4xx) in `context`. `mode` holds the file's
// permission bits, when known, for the check of who may read it.
SIPCRED_EXPORT void lint_userdb(std::string content, const AuthContext& context,
                                std::optional<unsigned> mode, std::vector<Diagnostic>& diagnostics);

// Asterisk type=auth objects by Asterisk's load rules.
SIPCRED_EXPORT void lint_pjsip(std::string_view content, std::vector<Diagnostic>& diagnostics);

// Files to lint; an empty path is not given. A given userdb replaces the config's file-path.
struct SIPCRED_EXPORT Request {
  std::string config;
  std::string userdb;
  std::string pjsip;
};

// Lints everything the request names, the config's userdb included, findings ordered by file,
// line and column, each with its subject, suppression comments applied (every rule is
// reported: RuleSelection chooses which to keep). Throws Error(NoInput) when a file named in the request cannot be read; a
// userdb that only the config names becomes a finding instead.
SIPCRED_EXPORT std::vector<Finding> lint(const Request& request);

// `line` of a file of that kind with every secret (password, hash, connection string) masked,
// for showing the source of a finding.
SIPCRED_EXPORT std::string redact_line(FileKind kind, std::string_view line);

} // namespace sipcred::lint
