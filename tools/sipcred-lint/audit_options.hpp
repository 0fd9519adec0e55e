#pragma once
// sipcred-lint --audit: its options, and the audit run with a progress bar on a terminal.

#include "sipcred/lint/audit.hpp"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace sipcred::cli {

struct AuditOptions {
  lint::AuditRequest request;
  std::string schema;
  bool db_password_stdin = false;
};

// --audit STORE, --wordlist FILE..., --min-length N, --show-passwords, --schema, --realm,
// --threads, --db-password-stdin.
void add_audit_options(CLI::App& app, AuditOptions& options);

// Whether --audit was given.
bool audit_requested(const AuditOptions& options);

// The audit's findings; `config` (CONFIG, when given) is the store's context.
std::vector<lint::Finding> run_audit(AuditOptions& options, const std::string& config, bool quiet);

} // namespace sipcred::cli
