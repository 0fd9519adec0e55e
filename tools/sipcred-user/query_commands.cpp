// list, show, check: the commands that only read the file. None prints a password or a hash.

#include "commands.hpp"
#include "counted.hpp"
#include "edit_target.hpp"
#include "findings.hpp"

#include "sipcred/store/store.hpp"

#include "sipcred/util/error.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>
#include <optional>
#include <set>

namespace sipcred::user_tool {
namespace {

using userdb::Entry;

struct UserSummary {
  std::string identity;
  std::string auth_user;
  std::string phone;
  std::vector<std::string> algorithms; // what Flexisip can challenge with
  bool clear_text = false;
  std::size_t line = 0;
};

UserSummary summarize(const Entry& entry, std::size_t index) {
  // The digest username a client sends: the user-id or the user, URL-unescaped.
  UserSummary summary{
      entry.identity(), userdb::auth_user_of(entry), std::string(entry.phone), {}, false,
      index + 1};
  const userdb::CredentialPolicy policy = userdb::policy_of(entry);
  summary.clear_text = policy.clear_text;
  for (HashFunction hash : userdb::challenge_hashes(policy))
    summary.algorithms.emplace_back(hash_name(hash));
  return summary;
}

// An account of another store, as a userdb entry is summarized: a clear text that the server
// derives hashes from (Flexisip) counts for those hashes.
UserSummary summarize(const Account& account, const CredentialNeeds& needs) {
  UserSummary summary{account.identity(), account.digest_username(), account.phone, {}, false, 0};
  std::vector<HashFunction> hashes;
  const auto add = [&](HashFunction hash) {
    if (std::find(hashes.begin(), hashes.end(), hash) == hashes.end()) hashes.push_back(hash);
  };
  for (const Credential& credential : account.credentials) {
    if (!credential.is_clear_text()) {
      add(*credential.hash);
      continue;
    }
    summary.clear_text = true;
    if (needs.clear_text_replaces_hashes)
      for (HashFunction hash : needs.hashes) add(hash);
  }
  std::sort(hashes.begin(), hashes.end());
  for (HashFunction hash : hashes) summary.algorithms.emplace_back(hash_name(hash));
  return summary;
}

// The same shape for every store: "line" is null where the store has no lines.
nlohmann::json to_json(const UserSummary& s, bool with_line) {
  nlohmann::json object{{"identity", s.identity},
                        {"auth_user", s.auth_user},
                        {"phone", s.phone},
                        {"algorithms", s.algorithms},
                        {"clear_text", s.clear_text}};
  if (with_line) object["line"] = s.line > 0 ? nlohmann::json(s.line) : nlohmann::json(nullptr);
  return object;
}

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ",") + item;
  return text;
}

// An empty value (no phone, a bare domain's auth user) as '-', so that columns stay columns.
std::string cell(const std::string& value) { return value.empty() ? "-" : value; }

void print_table(const std::vector<UserSummary>& users) {
  const std::vector<std::string> header = {"IDENTITY", "AUTH-USER", "PHONE", "ALGORITHMS"};
  std::vector<std::size_t> width(header.size());
  auto cells = [](const UserSummary& u) {
    return std::vector<std::string>{cell(u.identity), cell(u.auth_user), cell(u.phone),
                                    cell(join(u.algorithms)) +
                                        (u.clear_text ? " (clear text)" : "")};
  };
  for (std::size_t c = 0; c < header.size(); ++c) width[c] = header[c].size();
  for (const UserSummary& u : users) {
    const auto row = cells(u);
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  auto print = [&](const std::vector<std::string>& row) {
    for (std::size_t c = 0; c < row.size(); ++c)
      std::cout << row[c]
                << (c + 1 == row.size() ? "\n" : std::string(width[c] - row[c].size() + 2, ' '));
  };
  print(header);
  for (const UserSummary& u : users) print(cells(u));
}

int report_not_found(const Options& options, const userdb::Identity& identity) {
  std::cerr << "sipcred-user: not found in " << parse_locator(options.file).display() << ": "
            << identity.text()
            << (options.auth_user.empty() ? "" : " with auth user " + options.auth_user) << '\n';
  return exit_negative;
}

void print_json(const nlohmann::json& value) {
  std::cout << value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

void print_user(const UserSummary& user) {
  std::cout << "identity:   " << user.identity << "\n"
            << "line:       " << (user.line > 0 ? std::to_string(user.line) : "-") << "\n"
            << "auth user:  " << cell(user.auth_user) << "\n"
            << "phone:      " << cell(user.phone) << "\n"
            << "algorithms: " << cell(join(user.algorithms)) << "\n"
            << "clear text: " << (user.clear_text ? "yes" : "no") << "\n";
}

int print_list(const Options& options, const std::vector<UserSummary>& users) {
  if (options.json) {
    nlohmann::json array = nlohmann::json::array();
    for (const UserSummary& u : users) array.push_back(to_json(u, false));
    print_json(array);
  } else {
    print_table(users);
  }
  return exit_success;
}

// The account as the server reads it when that user authenticates.
std::optional<Account> look_up(Store& store, const userdb::Identity& identity,
                               const std::string& auth_user) {
  return store.lookup(Account{userdb::url_unescape(identity.user),
                              identity.domain,
                              userdb::url_unescape(auth_user),
                              {},
                              {}});
}

int list_store(const Options& options) {
  const std::unique_ptr<Store> store = open_other_store(options);
  const CredentialNeeds needs = store->needs();
  std::vector<UserSummary> users;
  store->read([&](Account&& account) {
    if (options.domain.empty() || account.domain == options.domain)
      users.push_back(summarize(account, needs));
  });
  return print_list(options, users);
}

int show_store(const Options& options) {
  const userdb::Identity identity = userdb::parse_identity(options.identities.at(0));
  const std::unique_ptr<Store> store = open_other_store(options);
  const std::optional<Account> account =
      store->stored(userdb::url_unescape(identity.user), identity.domain);
  if (!account || (!options.auth_user.empty() &&
                   userdb::url_unescape(options.auth_user) != account->digest_username()))
    return report_not_found(options, identity);
  const UserSummary user = summarize(*account, store->needs());
  if (options.json)
    print_json(to_json(user, true));
  else
    print_user(user);
  return exit_success;
}

// Each credential the server reads for the user, checked as a client answers: HA1 of its
// digest username, the realm the store keeps, the password; plus the HA1s kept for the other
// digest usernames the server accepts (Kamailio's ha1b).
int check_store(const Options& options) {
  const userdb::Identity identity = userdb::parse_identity(options.identities.at(0));
  std::string password =
      cli::read_password(options.password, "Password of " + identity.text() + ": ");
  const cli::WipedOnExit wiped(password);
  const std::unique_ptr<Store> store = open_other_store(options);
  const std::optional<Account> account = look_up(*store, identity, options.auth_user);
  if (!account) return report_not_found(options, identity);
  std::vector<Account> read{*account};
  for (const OtherDigestUsername& other : store->other_digest_usernames(*account)) {
    Account as_other = *account;
    as_other.auth_user = other.username;
    if (std::optional<Account> found = store->lookup(as_other)) read.push_back(*found);
  }
  std::string differs;
  std::size_t checked = 0;
  for (const Account& one : read)
    for (const Credential& credential : one.credentials) {
      ++checked;
      const bool matches =
          credential.is_clear_text()
              ? credential.value == password
              : credential.value == ha1(*credential.hash, one.digest_username(),
                                        credential.realm.empty() ? one.domain : credential.realm,
                                        password);
      if (!matches)
        differs += (differs.empty() ? "" : ", ") +
                   (credential.is_clear_text() ? std::string("the clear text")
                                               : std::string(hash_name(*credential.hash))) +
                   (one.digest_username() == account->digest_username()
                        ? ""
                        : " of digest username " + one.digest_username());
    }
  const std::string name = parse_locator(options.file).display();
  if (checked == 0) {
    std::cerr << "sipcred-user: " << identity.text() << " has no credential in " << name
              << " that its server reads\n";
    return exit_negative;
  }
  if (!differs.empty()) {
    std::cerr << "sipcred-user: " << identity.text() << ": the password does not match " << differs
              << " in " << name << '\n';
    return exit_negative;
  }
  if (!options.quiet)
    std::cerr << "sipcred-user: " << identity.text() << ": the password matches ("
              << cli::counted(checked, "credential") << ")\n";
  return exit_success;
}

} // namespace

int run_list(const Options& options) {
  if (!names_userdb(options)) return list_store(options);
  Findings findings(options.file, options.quiet);
  const userdb::Document document = load_userdb(options.file, findings);
  findings.report({});
  std::vector<UserSummary> users;
  const auto& lines = document.lines();
  for (std::size_t i = 0; i < lines.size(); ++i)
    if (lines[i].kind == userdb::LineKind::Auth &&
        (options.domain.empty() || lines[i].entry.domain == options.domain))
      users.push_back(summarize(lines[i].entry, i));
  return print_list(options, users);
}

int run_show(const Options& options) {
  if (!names_userdb(options)) return show_store(options);
  const userdb::Identity identity = userdb::parse_identity(options.identities.at(0));
  Findings findings(options.file, options.quiet);
  const userdb::Document document = load_userdb(options.file, findings);
  const std::optional<userdb::AccountLines> account =
      userdb::find_account(document, identity, options.auth_user);
  if (!account) return report_not_found(options, identity);
  std::set<std::size_t> lines{account->line + 1};
  for (std::size_t index : account->ignored) lines.insert(index + 1);
  findings.report(lines);
  const UserSummary user = summarize(document.lines()[account->line].entry, account->line);
  if (options.json)
    print_json(to_json(user, true));
  else
    print_user(user);
  // Flexisip uses the last line of an account; earlier ones are named so they can be cleaned.
  for (std::size_t index : account->ignored)
    if (!options.quiet)
      std::cerr << "sipcred-user: note: " << identity.text() << " also on line " << index + 1
                << ", which Flexisip ignores\n";
  return exit_success;
}

int run_check(const Options& options) {
  if (!names_userdb(options)) return check_store(options);
  const userdb::Identity identity = userdb::parse_identity(options.identities.at(0));
  std::string password =
      cli::read_password(options.password, "Password of " + identity.text() + ": ");
  const cli::WipedOnExit wiped(password);
  Findings findings(options.file, options.quiet);
  const userdb::Document document = load_userdb(options.file, findings);
  const std::optional<userdb::AccountLines> account =
      userdb::find_account(document, identity, options.auth_user);
  if (!account) return report_not_found(options, identity);
  const std::size_t line = account->line + 1;
  findings.report({line});
  const userdb::Entry& entry = document.lines()[account->line].entry;
  if (!entry.effective_credentials().empty() &&
      entry.effective_credentials().front()->type == userdb::CredentialType::ClearText &&
      !userdb::clear_text_can_match(entry.user, entry.user_id)) {
    std::cerr << "sipcred-user: " << identity.text() << ": the account on line " << line
              << " can never log in: Flexisip hashes its clear text with the user, but a client "
                 "hashes its user-id '"
              << entry.user_id << "' (rotate it to store hashes)\n";
    return exit_negative;
  }
  std::string differs;
  for (const auto& check : userdb::check_password(entry, password, options.realm))
    if (!check.matches)
      differs += (differs.empty() ? "" : ", ") + std::string(check.credential->prefix) +
                 " (column " + std::to_string(check.credential->column) + ")";
  if (!differs.empty()) {
    std::cerr << "sipcred-user: " << identity.text() << ": the password does not match " << differs
              << " on line " << line << '\n';
    return exit_negative;
  }
  if (!options.quiet)
    std::cerr << "sipcred-user: " << identity.text() << ": the password matches (line " << line
              << ")\n";
  return exit_success;
}

} // namespace sipcred::user_tool
