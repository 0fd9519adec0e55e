// init, add, rotate, remove, import: the commands that change the file. Each one makes a plan
// of its options and secrets, which the library's edit engine (userdb::EditSession) applies
// under the file's lock, and renders the outcome.

#include "algorithm_option.hpp"
#include "commands.hpp"
#include "counted.hpp"
#include "diagnostic_output.hpp"
#include "edit_target.hpp"

#include "sipcred/account/password.hpp"
#include "sipcred/formats/import_list.hpp"
#include "sipcred/store/store.hpp"
#include "sipcred/util/atomic_file.hpp"
#include "sipcred/util/error.hpp"

#include <algorithm>
#include <iostream>
#include <memory>

#include <unistd.h>

namespace sipcred::user_tool {
namespace {

using userdb::CredentialPolicy;
using userdb::EditStatus;
using userdb::Identity;

std::string describe(const CredentialPolicy& policy, bool userdb_prefixes) {
  std::string text = policy.clear_text ? "clear text" : "";
  for (HashFunction hash : policy.hashes)
    text += (text.empty() ? "" : ", ") +
            std::string(userdb_prefixes ? *userdb_prefix(hash) : hash_name(hash));
  return text;
}

void say(const Options& options, const std::string& message) {
  if (!options.quiet) std::cerr << "sipcred-user: " << message << '\n';
}

void warn_about(const Options& options, const Identity& identity, const CredentialPolicy& p) {
  if (p.clear_text)
    say(options, "note: the password of " + identity.text() + " is stored in clear text");
  else if (!p.realm.empty() && p.realm != identity.domain)
    say(options, "note: hashes of " + identity.text() + " use realm '" + p.realm +
                     "': the server must challenge with that realm");
}

// Passwords are asked before the store is locked: a person typing must not block other
// writers. On a terminal, an unlocked look first spares typing a password for nothing.
bool asks_terminal(const Options& options) {
  return options.password.file.empty() && !options.password.from_stdin &&
         options.password.generate_length == 0 && ::isatty(STDIN_FILENO);
}

// Whether a plan asks for kinds of credential, which a rotation then gives every line.
bool asks_kinds(const Options& options) {
  return !options.algorithms.empty() || options.clear_text;
}

std::string new_password(const Options& options, const Identity& identity) {
  return cli::read_password(options.password, "New password for " + identity.text() + ": ",
                            /*confirm=*/true);
}

int already_exists(const EditTarget& target, const Identity& identity) {
  std::cerr << "sipcred-user: " << identity.text() << " already exists in " << target.name()
            << "; use 'sipcred-user rotate' to change its password\n";
  return exit_negative;
}

int not_found(const EditTarget& target, const std::string& identities) {
  std::cerr << "sipcred-user: not found in " << target.name() << ": " << identities << '\n';
  return exit_negative;
}

// After the store is written, and only then: a generated password shown for a failed edit
// would be a password that works nowhere. A dry run shows none.
void report_done(const Options& options, const EditTarget& target, std::string_view done,
                 const Identity& identity, const std::string& password,
                 const CredentialPolicy& policy) {
  if (options.dry_run) return;
  if (options.password.generate_length > 0) {
    std::cout << password << '\n' << std::flush;
    if (!std::cout)
      throw Error(ErrorKind::Io, target.name() + " was changed, but the generated password "
                                                 "could not be written to standard output");
  }
  warn_about(options, identity, policy);
  say(options, std::string(done) + " " + identity.text() + " (" +
                   describe(policy, target.names_userdb_prefixes()) + ")");
}

} // namespace

CredentialPolicy requested_policy(const Options& options) {
  CredentialPolicy policy;
  policy.clear_text = options.clear_text;
  policy.realm = options.realm;
  if (!names_userdb(options)) {
    // Another store: the hashes asked for, else (none) every hash it holds; clear text beside
    // them where its server reads both (Kamailio's password column).
    policy.hashes = options.algorithms.empty() ? std::vector<HashFunction>{}
                                               : cli::hash_algorithms(options.algorithms);
    return policy;
  }
  if (!options.algorithms.empty() && options.clear_text)
    throw Error(ErrorKind::Usage, "--clrtxt stores the clear text only (Flexisip derives MD5 "
                                  "and SHA-256 from it): leave out -a");
  policy.hashes = cli::userdb_algorithms(options.algorithms);
  return policy;
}

int run_init(const Options& options) {
  if (names_userdb(options)) {
    AtomicFile::create(options.file, userdb::Document().content());
    say(options, "created " + options.file);
    return exit_success;
  }
  if (options.dry_run) throw Error(ErrorKind::Usage, "init has no --dry-run");
  // A database: the schema's tables, created in one transaction (and an SQLite file, 0600).
  std::unique_ptr<Store> store = open_other_store(options, /*create_schema=*/true);
  store->begin_edit()->commit();
  say(options, "created the " +
                   (options.schema.empty() ? std::string("flexisip") : options.schema) +
                   " tables in " + parse_locator(options.file).display() +
                   " (those there already were kept)");
  return exit_success;
}

int run_add(const Options& options) {
  userdb::AddPlan plan{
      {userdb::parse_identity(options.identities.at(0)), options.auth_user, options.phone, {}, {}},
      {}};
  const Identity& identity = plan.account.identity;
  plan.policy = requested_policy(options);
  const auto target = open_edit_target(options);
  target->check(plan);
  if (asks_terminal(options) && target->preview(plan) == EditStatus::Exists)
    return already_exists(*target, identity);
  std::string password = new_password(options, identity);
  const cli::WipedOnExit wiped(password);
  plan.account.password = password;

  const userdb::EditResult result = target->apply(plan);
  if (result.status == EditStatus::Exists) return already_exists(*target, identity);
  report_done(options, *target, "added", identity, password, result.policy);
  return exit_success;
}

int run_rotate(const Options& options) {
  userdb::RotatePlan plan{
      {userdb::parse_identity(options.identities.at(0)), options.auth_user, {}, {}, {}},
      {requested_policy(options), asks_kinds(options)}};
  const Identity& identity = plan.account.identity;
  const auto target = open_edit_target(options);
  target->check(plan);
  if (asks_terminal(options) && target->preview(plan) == EditStatus::NotFound)
    return not_found(*target, identity.text());
  std::string password = new_password(options, identity);
  const cli::WipedOnExit wiped(password);
  plan.account.password = password;

  const userdb::EditResult result = target->apply(plan);
  if (result.status == EditStatus::NotFound) return not_found(*target, identity.text());
  report_done(options, *target, "rotated", identity, password, result.policy);
  return exit_success;
}

int run_remove(const Options& options) {
  userdb::RemovePlan plan;
  for (const std::string& text : options.identities)
    plan.identities.push_back(userdb::parse_identity(text));

  const auto target = open_edit_target(options);
  const userdb::EditResult result = target->apply(plan);
  if (result.status == EditStatus::NotFound) {
    std::string missing;
    for (const Identity& identity : result.missing)
      missing += (missing.empty() ? "" : ", ") + identity.text();
    return not_found(*target, missing + " (nothing was removed)");
  }
  if (options.dry_run) return exit_success;
  say(options,
      "removed " +
          cli::counted(result.removed_lines, target->names_userdb_prefixes() ? "line" : "account") +
          " from " + target->name());
  return exit_success;
}

namespace {

std::vector<ImportRecord> read_records(const Options& options) {
  const bool from_stdin = options.import_from == "-";
  const std::string name = from_stdin ? "<stdin>" : options.import_from;
  const std::string content = read_file(from_stdin ? "/dev/stdin" : options.import_from);
  std::vector<Diagnostic> diagnostics;
  std::vector<ImportRecord> records = read_import_list(
      content, options.import_format == "jsonl" ? ImportFormat::JsonLines : ImportFormat::Csv,
      diagnostics);
  for (const ImportRecord& record : records)
    if (record.password.empty() && options.import_generate == 0)
      diagnostics.push_back(
          Diagnostic{"SC205", Severity::Error, record.line, 1,
                     "no password for " + record.identity + " (give one, or use --generate)"});
  std::stable_sort(diagnostics.begin(), diagnostics.end(),
                   [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });
  cli::print_diagnostics(std::cerr, name, diagnostics);
  if (const std::size_t errors = cli::count_errors(diagnostics))
    throw Error(ErrorKind::DataError,
                name + ": " + cli::counted(errors, "error") + " in the list (nothing was changed)");
  return records;
}

std::string record_place(const Options& options, const ImportRecord& record) {
  return (options.import_from == "-" ? std::string("<stdin>") : options.import_from) + ":" +
         std::to_string(record.line);
}

} // namespace

int run_import(const Options& options) {
  std::vector<ImportRecord> records = read_records(options);
  userdb::ImportPlan plan{{}, {requested_policy(options), asks_kinds(options)}};
  const CredentialPolicy& requested = plan.request.policy;
  for (const ImportRecord& record : records) {
    const std::string place = record_place(options, record);
    try {
      plan.accounts.push_back(
          {userdb::parse_identity(record.identity), record.auth_user, record.phone, {}, place});
    } catch (const Error& error) {
      throw Error(error.kind(), place + ": " + error.what());
    }
  }
  const auto target = open_edit_target(options);
  target->check(plan);
  std::vector<std::pair<std::string, std::string>> generated; // identity, password
  // The list's passwords, wiped however the command ends (see cli::WipedOnExit).
  struct ListWiped {
    std::vector<ImportRecord>& records;
    std::vector<std::pair<std::string, std::string>>& generated;
    ~ListWiped() {
      for (ImportRecord& record : records) cli::wipe(record.password);
      for (auto& pair : generated) cli::wipe(pair.second);
    }
  } const list_wiped{records, generated};
  for (std::size_t i = 0; i < records.size(); ++i) {
    ImportRecord& record = records[i];
    if (record.password.empty()) {
      record.password = generate_password(options.import_generate);
      generated.emplace_back(record.identity, record.password);
    }
    plan.accounts[i].password = record.password;
  }

  const userdb::EditResult result = target->apply(plan);
  if (options.dry_run) return exit_success;
  const std::size_t added = result.added, rotated = result.rotated;
  if (!generated.empty()) {
    std::cout << "identity,password\n";
    for (const auto& [identity, password] : generated)
      std::cout << identity << ',' << password << '\n';
    std::cout << std::flush;
    if (!std::cout)
      throw Error(ErrorKind::Io, target->name() + " was changed, but the generated passwords "
                                                  "could not be written to standard output");
  }
  if (!requested.realm.empty())
    say(options, "note: the new hashes use realm '" + requested.realm +
                     "': the server must challenge with that realm");
  if (requested.clear_text) say(options, "note: the passwords are stored in clear text");
  say(options, "imported " + cli::counted(records.size(), "user") + " into " + target->name() +
                   ": " + std::to_string(added) + " added, " + std::to_string(rotated) +
                   " rotated");
  return exit_success;
}

} // namespace sipcred::user_tool
