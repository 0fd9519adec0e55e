// sipcred-user: add, rotate, remove, list, show and check the users of a Flexisip userdb, or of
// an SQL database in one of the servers' schemas.

#include "algorithm_option.hpp"
#include "commands.hpp"
#include "common_options.hpp"
#include "tool_main.hpp"

#include "sipcred/store/store.hpp"
#include "sipcred/util/error.hpp"

#include <functional>

namespace {

using namespace sipcred;
using user_tool::Options;

// Every command works on a userdb or a database: the locator and what opening one takes.
void add_store(CLI::App& command, Options& options) {
  command
      .add_option("STORE", options.file,
                  "A version:1 userdb file, or a database: sqlite3://db=PATH, "
                  "postgresql://..., mysql://... (see --schema)")
      ->required();
  command
      .add_option("--schema", options.schema,
                  "A database's schema: " + schema_names() + " (default: flexisip)")
      ->type_name("SCHEMA");
  command.add_flag("--db-password-stdin", options.db_password_stdin,
                   "Read the database password from standard input (else libpq's PGPASSWORD "
                   "or ~/.pgpass, or MYSQL_PWD)");
}

// The commands that store no hash still need the realm of a store that does not say it: a
// FreeSWITCH directory of user files (its domain).
void add_store_realm(CLI::App& command, Options& options) {
  command
      .add_option("--realm", options.realm,
                  "Realm of the store's hashes (a FreeSWITCH directory: its domain)")
      ->type_name("REALM");
}

void add_dry_run(CLI::App& command, Options& options) {
  command.add_flag("--dry-run", options.dry_run,
                   "Print what would change (lines or accounts) and write nothing");
}

void add_identity(CLI::App& command, Options& options) {
  command.add_option("IDENTITY", options.identities, "user@domain (or a bare domain)")
      ->required()
      ->expected(1);
}

void add_credential_options(CLI::App& command, Options& options) {
  cli::add_algorithm_list_option(
      command, options.algorithms,
      "Store this hash: md5, sha256 (default both); repeat or separate with commas");
  command.add_flag("--clrtxt", options.clear_text,
                   "Store the clear password instead (Flexisip derives MD5 and SHA-256)");
  command.add_option("--realm", options.realm, "Realm of the hashes (default: the domain)")
      ->type_name("REALM");
}

// Flexisip keeps one account per user-id: a user may have several lines that all count.
void add_account_option(CLI::App& command, Options& options, const char* description) {
  command.add_option("--auth-user", options.auth_user, description)->type_name("ID");
}

int run(int argc, char** argv) {
  sipcred::add_database_stores(); // libsipcred-sql, loaded when a database is opened
  CLI::App app{"Manage the users of a Flexisip version:1 userdb file or of an SQL database, "
               "safely:\nevery edit of a file locks it, changes only the named users' lines and "
               "replaces it\natomically; every edit of a database is one transaction.",
               "sipcred-user"};
  app.require_subcommand(1);
  app.fallthrough(); // -q works after the subcommand too
  Options options;
  cli::add_common_options(app, "sipcred-user", options.quiet);

  std::vector<std::pair<CLI::App*, std::function<int(const Options&)>>> commands;
  auto command = [&](const char* name, const char* description, int (*handler)(const Options&)) {
    CLI::App* sub = app.add_subcommand(name, description);
    commands.emplace_back(sub, handler);
    add_store(*sub, options);
    return sub;
  };

  command("init", "Create an empty userdb (mode 0600; fails if it exists), or a database's tables",
          user_tool::run_init);

  CLI::App* add = command("add", "Add a user; fails if it exists", user_tool::run_add);
  add_identity(*add, options);
  add_dry_run(*add, options);
  cli::add_password_options(*add, options.password, /*offer_generate=*/true);
  add_credential_options(*add, options);
  add->add_option("--auth-user", options.auth_user, "Digest username, when not the user")
      ->type_name("ID");
  add->add_option("--phone", options.phone, "Phone number")->type_name("PHONE");

  CLI::App* rotate = command("rotate",
                             "Give a user a new password, keeping its kinds of "
                             "credential",
                             user_tool::run_rotate);
  add_identity(*rotate, options);
  add_dry_run(*rotate, options);
  cli::add_password_options(*rotate, options.password, /*offer_generate=*/true);
  add_credential_options(*rotate, options);
  add_account_option(*rotate, options,
                     "Only the account with this digest username (default: "
                     "every line of the user)");

  CLI::App* remove = command("remove", "Remove users: all of them, or none if one is missing",
                             user_tool::run_remove);
  remove->add_option("IDENTITY", options.identities, "user@domain ...")->required();
  add_store_realm(*remove, options);
  add_dry_run(*remove, options);

  CLI::App* list =
      command("list", "List the users (never their passwords or hashes)", user_tool::run_list);
  list->add_option("--domain", options.domain, "Only the users of this domain")
      ->type_name("DOMAIN");
  list->add_flag("--json", options.json, "Print a JSON array");
  add_store_realm(*list, options);

  CLI::App* show = command("show", "Show one user and its line", user_tool::run_show);
  add_identity(*show, options);
  show->add_flag("--json", options.json, "Print a JSON object");
  add_store_realm(*show, options);
  add_account_option(*show, options,
                     "The account with this digest username, when the user "
                     "has several");

  CLI::App* check = command("check", "Exit 0 if the password matches every stored credential",
                            user_tool::run_check);
  add_identity(*check, options);
  cli::add_password_options(*check, options.password);
  add_account_option(*check, options,
                     "The account with this digest username, when the user "
                     "has several");
  check
      ->add_option("--realm", options.realm,
                   "Realm the hashes were made with (default: the "
                   "domain)")
      ->type_name("REALM");

  CLI::App* import =
      command("import", "Add or rotate many users in one atomic write", user_tool::run_import);
  import->add_option("--from", options.import_from, "The list: a file, or - for stdin (default)")
      ->type_name("PATH");
  import->add_option("--format", options.import_format, "csv (default) or jsonl")
      ->check(CLI::IsMember({"csv", "jsonl"}))
      ->type_name("FORMAT");
  add_dry_run(*import, options);
  cli::add_generate_option(*import, options.import_generate,
                           "Generate the empty passwords of the list");
  add_credential_options(*import, options);

  cli::parse(app, argc, argv);
  for (const auto& [sub, handler] : commands)
    if (sub->parsed()) return handler(options);
  return exit_success; // unreachable: a subcommand is required
}

} // namespace

int main(int argc, char** argv) {
  return sipcred::cli::run_tool("sipcred-user", [&] { return run(argc, argv); });
}
