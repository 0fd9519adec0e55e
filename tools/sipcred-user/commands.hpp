#pragma once
// The subcommands of sipcred-user, one function each; main.cpp maps the command line onto
// Options. Each returns the exit code.

#include "password_input.hpp"

#include "sipcred/userdb/user_edit.hpp"

#include <string>
#include <vector>

namespace sipcred::user_tool {

struct Options {
  std::string file;   // the store's locator: a userdb path, sqlite3://..., postgresql://...
  std::string schema; // --schema, for a database
  bool db_password_stdin = false; // --db-password-stdin
  bool dry_run = false;
  std::vector<std::string> identities; // one for most commands, several for remove
  cli::PasswordOptions password;
  std::vector<std::string> algorithms; // -a, as typed
  bool clear_text = false;
  std::string realm;
  std::string auth_user;
  std::string phone;
  std::string domain; // list --domain
  bool json = false;
  bool quiet = false;
  std::string import_from = "-";
  std::string import_format = "csv";
  std::size_t import_generate = 0; // import --generate[=LEN]; 0 when not asked
};

int run_init(const Options& options);
int run_add(const Options& options);
int run_rotate(const Options& options);
int run_remove(const Options& options);
int run_import(const Options& options);
int run_list(const Options& options);
int run_show(const Options& options);
int run_check(const Options& options);

// The credential policy that -a, --clrtxt and --realm ask for; Error(Usage) for a mix
// Flexisip cannot use.
userdb::CredentialPolicy requested_policy(const Options& options);

} // namespace sipcred::user_tool
