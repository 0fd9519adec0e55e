// init, add, rotate, remove, import: the commands that change the file. Each one locks the
// file, parses it, changes only the lines of the users it names, and replaces it atomically.

#include "algorithm_option.hpp"
#include "commands.hpp"
#include "diagnostic_output.hpp"
#include "sipcred/userdb/edit_session.hpp"

#include "sipcred/account/password.hpp"
#include "sipcred/formats/import_list.hpp"
#include "sipcred/util/atomic_file.hpp"
#include "sipcred/util/error.hpp"

#include <algorithm>
#include <atomic>
#include <iostream>
#include <mutex>
#include <unordered_map>

#include <unistd.h>

namespace sipcred::user_tool {
namespace {

using userdb::CredentialPolicy;
using userdb::EntrySpec;
using userdb::Identity;

std::string describe(const CredentialPolicy& policy) {
  if (policy.clear_text) return "clear text";
  std::string text;
  for (HashFunction hash : policy.hashes)
    text += (text.empty() ? "" : ", ") + std::string(*userdb_prefix(hash));
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
                     "': Flexisip must challenge with that realm (realm= in its config)");
}

// The auth line of a user with its new credentials.
std::string auth_line(const Identity& identity, userdb::Credentials credentials,
                      std::string user_id, std::string phone) {
  // The first token after ';' is the user-id: a phone alone needs it written out, and the
  // user-id defaults to the user anyway.
  if (user_id.empty() && !phone.empty()) user_id = identity.user;
  return userdb::format_auth_line(EntrySpec{identity.user, identity.domain, std::move(credentials),
                                            std::move(user_id), std::move(phone)});
}

// A line of a user the command changes, copied out of the one-pass scan.
struct FoundLine {
  std::string_view text; // in the session's content
  std::string user_id, phone;
  CredentialPolicy policy; // the kinds of credential it has
};

FoundLine found_line(const userdb::Line& line) {
  return {line.text, std::string(line.entry.user_id), std::string(line.entry.phone),
          userdb::policy_of(line.entry)};
}

bool is_user(const userdb::Line& line, const Identity& identity) {
  return line.kind == userdb::LineKind::Auth && userdb::same_user(line.entry, identity);
}

// The policy for a line that already has credentials: its own kinds, changed only where the
// command line says so. A clear text that could never match (a user-id other than the user)
// becomes the default hashes, which can.
CredentialPolicy rotation_policy(const Options& options, const Identity& identity,
                                 const FoundLine& line) {
  const CredentialPolicy requested = requested_policy(options);
  CredentialPolicy policy = line.policy;
  if (!options.algorithms.empty() || options.clear_text) {
    policy.hashes = requested.hashes;
    policy.clear_text = requested.clear_text;
  } else if (policy.clear_text && !userdb::clear_text_can_match(identity.user, line.user_id)) {
    policy = CredentialPolicy{};
  }
  policy.realm = requested.realm;
  return policy;
}

// Passwords are asked before the file is locked: a person typing must not block other
// writers. On a terminal, an unlocked look first spares typing a password for nothing.
bool asks_terminal(const Options& options) {
  return options.password.file.empty() && !options.password.from_stdin &&
         options.password.generate_length == 0 && ::isatty(STDIN_FILENO);
}

bool exists_unlocked(const Options& options, const Identity& identity) {
  std::atomic<bool> exists = false;
  scan_userdb(options.file, [&](const userdb::Line& line) {
    if (is_user(line, identity)) exists = true;
  });
  return exists;
}

// rotate --auth-user picks one account of a user that has several (one per user-id).
bool is_rotated(const Options& options, const userdb::Line& line, const Identity& identity) {
  return is_user(line, identity) &&
         (options.auth_user.empty() ||
          userdb::auth_user_of(line.entry) == userdb::url_unescape(options.auth_user));
}

// The lines a rotate will change, found without the lock; their new credentials are checked
// now, so that a person is not asked a password for a change that would be refused.
std::vector<FoundLine> rotation_precheck(const Options& options, const Identity& identity) {
  std::vector<FoundLine> lines;
  std::mutex found;
  scan_userdb(options.file, [&](const userdb::Line& line) {
    if (!is_rotated(options, line, identity)) return;
    const std::lock_guard lock(found);
    lines.push_back(found_line(line));
  });
  for (const FoundLine& line : lines)
    userdb::check_policy(identity, rotation_policy(options, identity, line), line.user_id);
  return lines;
}

std::string new_password(const Options& options, const Identity& identity) {
  return cli::read_password(options.password, "New password for " + identity.text() + ": ",
                            /*confirm=*/true);
}

int already_exists(const Options& options, const Identity& identity) {
  std::cerr << "sipcred-user: " << identity.text() << " already exists in " << options.file
            << "; use 'sipcred-user rotate' to change its password\n";
  return exit_negative;
}

int not_found(const Options& options, const std::string& identities) {
  std::cerr << "sipcred-user: not found in " << options.file << ": " << identities << '\n';
  return exit_negative;
}

// After the file is written, and only then: a generated password shown for a failed edit
// would be a password that works nowhere.
void report_done(const Options& options, std::string_view done, const Identity& identity,
                 const std::string& password, const CredentialPolicy& policy) {
  if (options.password.generate_length > 0) {
    std::cout << password << '\n' << std::flush;
    if (!std::cout)
      throw Error(ErrorKind::Io, options.file + " was changed, but the generated password "
                                                "could not be written to standard output");
  }
  warn_about(options, identity, policy);
  say(options, std::string(done) + " " + identity.text() + " (" + describe(policy) + ")");
}

} // namespace

CredentialPolicy requested_policy(const Options& options) {
  CredentialPolicy policy;
  policy.clear_text = options.clear_text;
  policy.realm = options.realm;
  if (!options.algorithms.empty() && options.clear_text)
    throw Error(ErrorKind::Usage, "--clrtxt stores the clear text only (Flexisip derives MD5 "
                                  "and SHA-256 from it): leave out -a");
  policy.hashes = cli::userdb_algorithms(options.algorithms);
  return policy;
}

int run_init(const Options& options) {
  AtomicFile::create(options.file, userdb::Document().content());
  say(options, "created " + options.file);
  return exit_success;
}

int run_add(const Options& options) {
  const Identity identity = userdb::parse_identity(options.identities.at(0));
  if (identity.user.empty() && !options.phone.empty() && options.auth_user.empty())
    throw Error(ErrorKind::Usage, "a bare-domain identity needs --auth-user to carry a phone "
                                  "(the first token after ';' is the user-id)");
  const CredentialPolicy policy = requested_policy(options);
  userdb::check_policy(identity, policy, options.auth_user);
  if (asks_terminal(options) && exists_unlocked(options, identity))
    return already_exists(options, identity);
  std::string password = new_password(options, identity);
  const cli::WipedOnExit wiped(password);

  std::atomic<bool> exists = false;
  EditSession session(options.file, options.quiet, [&](const userdb::Line& line) {
    if (is_user(line, identity)) exists = true;
  });
  if (exists) return already_exists(options, identity);
  session.edits().append(
      auth_line(identity, userdb::make_credentials(identity, password, policy, options.auth_user),
                options.auth_user, options.phone));
  session.commit();
  report_done(options, "added", identity, password, policy);
  return exit_success;
}

int run_rotate(const Options& options) {
  const Identity identity = userdb::parse_identity(options.identities.at(0));
  userdb::check_policy(identity, requested_policy(options), options.auth_user);
  if (asks_terminal(options) && rotation_precheck(options, identity).empty())
    return not_found(options, identity.text());
  std::string password = new_password(options, identity);
  const cli::WipedOnExit wiped(password);

  std::vector<FoundLine> lines;
  std::mutex found;
  EditSession session(options.file, options.quiet, [&](const userdb::Line& line) {
    if (!is_rotated(options, line, identity)) return;
    const std::lock_guard lock(found);
    lines.push_back(found_line(line));
  });
  if (lines.empty()) return not_found(options, identity.text());
  // Every line of the user gets the new password: an old one must not stay usable anywhere.
  CredentialPolicy policy;
  for (const FoundLine& line : lines) {
    policy = rotation_policy(options, identity, line);
    session.edits().replace(
        line.text,
        auth_line(identity, userdb::make_credentials(identity, password, policy, line.user_id),
                  line.user_id, line.phone));
  }
  session.commit();
  report_done(options, "rotated", identity, password, policy);
  return exit_success;
}

int run_remove(const Options& options) {
  std::vector<Identity> identities;
  for (const std::string& text : options.identities)
    identities.push_back(userdb::parse_identity(text));

  std::vector<bool> found(identities.size(), false);
  std::vector<std::string_view> doomed;
  std::mutex recording;
  EditSession session(options.file, options.quiet, [&](const userdb::Line& line) {
    bool matched = false;
    for (const Identity& identity : identities) matched = matched || is_user(line, identity);
    if (!matched) return;
    const std::lock_guard lock(recording); // each line is visited once: recorded once
    for (std::size_t i = 0; i < identities.size(); ++i)
      if (is_user(line, identities[i])) found[i] = true;
    doomed.push_back(line.text);
  });
  std::string missing;
  for (std::size_t i = 0; i < identities.size(); ++i)
    if (!found[i]) missing += (missing.empty() ? "" : ", ") + identities[i].text();
  if (!missing.empty()) return not_found(options, missing + " (nothing was removed)");
  for (std::string_view line : doomed) session.edits().erase(line);
  session.commit();
  say(options, "removed " + std::to_string(doomed.size()) +
                   (doomed.size() == 1 ? " line" : " lines") + " from " + options.file);
  return exit_success;
}

namespace {

// The users of an import list by domain then URL-unescaped user, so that one pass over the
// userdb finds the lines of every listed user without a key per line.
class ImportIndex {
public:
  explicit ImportIndex(const std::vector<ImportRecord>& records) {
    m_users.reserve(records.size());
    for (std::size_t i = 0; i < records.size(); ++i) {
      const Identity identity = userdb::parse_identity(records[i].identity);
      m_users.push_back({userdb::url_unescape(identity.user), identity.domain, {}});
    }
    for (std::size_t i = 0; i < m_users.size(); ++i)
      m_by_domain[m_users[i].domain][m_users[i].user] = i;
  }

  // Called for every line of the userdb, from two threads at once: keeps the lines of
  // listed users.
  void visit(const userdb::Line& line) {
    if (line.kind != userdb::LineKind::Auth) return;
    const auto domain = m_by_domain.find(line.entry.domain);
    if (domain == m_by_domain.end()) return;
    std::string storage;
    const std::string_view user = userdb::url_unescape(line.entry.user, storage);
    if (const auto found = domain->second.find(user); found != domain->second.end()) {
      const std::lock_guard lock(m_recording);
      m_users[found->second].lines.push_back(found_line(line));
    }
  }

  const std::vector<FoundLine>& lines_of(std::size_t record) const { return m_users[record].lines; }

private:
  struct User {
    std::string user, domain;
    std::vector<FoundLine> lines;
  };
  std::mutex m_recording;
  std::vector<User> m_users; // views in the maps point here: reserved, never reallocated
  std::unordered_map<std::string_view, std::unordered_map<std::string_view, std::size_t>>
      m_by_domain;
};

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
    throw Error(ErrorKind::DataError, name + ": " + std::to_string(errors) +
                                          (errors == 1 ? " error" : " errors") +
                                          " in the list (nothing was changed)");
  return records;
}

std::string record_place(const Options& options, const ImportRecord& record) {
  return (options.import_from == "-" ? std::string("<stdin>") : options.import_from) + ":" +
         std::to_string(record.line);
}

} // namespace

int run_import(const Options& options) {
  std::vector<ImportRecord> records = read_records(options);
  const CredentialPolicy requested = requested_policy(options);
  // A new account gets the requested policy: refuse one it cannot serve before any change.
  for (const ImportRecord& record : records) {
    try {
      userdb::check_policy(userdb::parse_identity(record.identity), requested, record.auth_user);
    } catch (const Error& error) {
      throw Error(error.kind(), record_place(options, record) + ": " + error.what());
    }
  }
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
  for (ImportRecord& record : records)
    if (record.password.empty()) {
      record.password = generate_password(options.import_generate);
      generated.emplace_back(record.identity, record.password);
    }

  ImportIndex index(records);
  EditSession session(options.file, options.quiet,
                      [&](const userdb::Line& line) { index.visit(line); });
  std::size_t added = 0, rotated = 0;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const ImportRecord& record = records[i];
    const Identity identity = userdb::parse_identity(record.identity);
    // A record with an auth_user names one account of the user (Flexisip keeps one per
    // user-id): only its lines change, and a user without it gets it as a new account.
    std::vector<FoundLine> lines;
    for (const FoundLine& line : index.lines_of(i))
      if (record.auth_user.empty() ||
          userdb::url_unescape(line.user_id.empty() ? identity.user : line.user_id) ==
              userdb::url_unescape(record.auth_user))
        lines.push_back(line);
    if (lines.empty()) {
      session.edits().append(auth_line(
          identity,
          userdb::make_credentials(identity, record.password, requested, record.auth_user),
          record.auth_user, record.phone));
      ++added;
      continue;
    }
    for (const FoundLine& line : lines) {
      const CredentialPolicy policy = rotation_policy(options, identity, line);
      session.edits().replace(
          line.text,
          auth_line(identity,
                    userdb::make_credentials(identity, record.password, policy, line.user_id),
                    line.user_id, record.phone.empty() ? line.phone : record.phone));
    }
    ++rotated;
  }
  session.commit();
  if (!generated.empty()) {
    std::cout << "identity,password\n";
    for (const auto& [identity, password] : generated)
      std::cout << identity << ',' << password << '\n';
    std::cout << std::flush;
    if (!std::cout)
      throw Error(ErrorKind::Io, options.file + " was changed, but the generated passwords "
                                                "could not be written to standard output");
  }
  if (!requested.realm.empty())
    say(options, "note: the new hashes use realm '" + requested.realm +
                     "': Flexisip must challenge with that realm (realm= in its config)");
  if (requested.clear_text) say(options, "note: the passwords are stored in clear text");
  say(options, "imported " + std::to_string(records.size()) + " users into " + options.file + ": " +
                   std::to_string(added) + " added, " + std::to_string(rotated) + " rotated");
  return exit_success;
}

} // namespace sipcred::user_tool
