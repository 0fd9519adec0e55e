#include "audit_options.hpp"

#include "password_input.hpp"
#include "progress_bar.hpp"
#include "schema_option.hpp"
#include "store_list.hpp"

#include <filesystem>

namespace sipcred::cli {
namespace {

std::size_t word_list_bytes(const std::vector<std::string>& paths) {
  std::size_t total = 0;
  for (const std::string& path : paths) {
    std::error_code error;
    const auto size = std::filesystem::file_size(path, error);
    if (!error) total += static_cast<std::size_t>(size);
  }
  return total;
}

} // namespace

void add_audit_options(CLI::App& app, AuditOptions& o) {
  auto* audit = app.add_option("--audit", o.request.store,
                               "Audit the credentials of STORE (or of the store a flexisip.conf "
                               "names): weak, shared and exposed passwords. STORE is " +
                                   store_forms())
                    ->type_name("STORE");
  app.add_option("--wordlist", o.request.wordlists,
                 "With --audit: a word list (one candidate a line) to try on every account; "
                 "may be repeated")
      ->type_name("FILE")
      ->needs(audit);
  app.add_option("--min-length", o.request.min_length,
                 "With --audit: report clear-text passwords shorter than N (default 8; 0: off)")
      ->type_name("N")
      ->needs(audit);
  app.add_flag("--show-passwords", o.request.show_passwords,
               "With --audit: name the weak password found in each finding")
      ->needs(audit);
  app.add_option("--schema", o.schema,
                 "With --audit of an SQL store: its schema, " + schema_names() +
                     " (default: flexisip)")
      ->type_name("SCHEMA")
      ->needs(audit);
  app.add_option("--realm", o.request.store_options.realm,
                 "With --audit: the realm of the store's hashes (default: each domain)")
      ->type_name("REALM")
      ->needs(audit);
  app.add_flag("--db-password-stdin", o.db_password_stdin,
               "With --audit of a PostgreSQL or MySQL store: read its password from standard "
               "input")
      ->needs(audit);
  app.add_option("--threads", o.request.threads,
                 "With --audit: hashing threads (default: one a core)")
      ->type_name("N")
      ->needs(audit);
}

bool audit_requested(const AuditOptions& o) { return !o.request.store.empty(); }

std::vector<lint::Finding> run_audit(AuditOptions& o, const std::string& config, bool quiet) {
  o.request.config = config;
  o.request.store_options.schema = schema_option(o.schema);
  if (o.db_password_stdin) {
    PasswordOptions from_stdin;
    from_stdin.from_stdin = true;
    o.request.db_password = read_password(from_stdin, "Database password: ");
  }
  const WipedOnExit wiped(o.request.db_password);
  // Started now, so that it counts the reading of the store toward its one second.
  ProgressBar bar("bytes of word lists", word_list_bytes(o.request.wordlists), quiet);
  return lint::audit(o.request, [&](std::size_t done, std::size_t) { bar.update(done); });
}

} // namespace sipcred::cli
