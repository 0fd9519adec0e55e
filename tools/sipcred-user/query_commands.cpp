// list, show, check: the commands that only read the file. None prints a password or a hash.

#include "commands.hpp"
#include "findings.hpp"

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

nlohmann::json to_json(const UserSummary& s, bool with_line) {
  nlohmann::json object{{"identity", s.identity},
                        {"auth_user", s.auth_user},
                        {"phone", s.phone},
                        {"algorithms", s.algorithms},
                        {"clear_text", s.clear_text}};
  if (with_line) object["line"] = s.line;
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
  std::cerr << "sipcred-user: not found in " << options.file << ": " << identity.text()
            << (options.auth_user.empty() ? "" : " with auth user " + options.auth_user) << '\n';
  return exit_negative;
}

} // namespace

int run_list(const Options& options) {
  Findings findings(options.file, options.quiet);
  const userdb::Document document = load_userdb(options.file, findings);
  findings.report({});
  std::vector<UserSummary> users;
  const auto& lines = document.lines();
  for (std::size_t i = 0; i < lines.size(); ++i)
    if (lines[i].kind == userdb::LineKind::Auth &&
        (options.domain.empty() || lines[i].entry.domain == options.domain))
      users.push_back(summarize(lines[i].entry, i));
  if (options.json) {
    nlohmann::json array = nlohmann::json::array();
    for (const UserSummary& u : users) array.push_back(to_json(u, false));
    std::cout << array.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  } else {
    print_table(users);
  }
  return exit_success;
}

int run_show(const Options& options) {
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
  if (options.json) {
    std::cout << to_json(user, true).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
              << '\n';
  } else {
    std::cout << "identity:   " << user.identity << "\n"
              << "line:       " << user.line << "\n"
              << "auth user:  " << cell(user.auth_user) << "\n"
              << "phone:      " << cell(user.phone) << "\n"
              << "algorithms: " << cell(join(user.algorithms)) << "\n"
              << "clear text: " << (user.clear_text ? "yes" : "no") << "\n";
  }
  // Flexisip uses the last line of an account; earlier ones are named so they can be cleaned.
  for (std::size_t index : account->ignored)
    if (!options.quiet)
      std::cerr << "sipcred-user: note: " << identity.text() << " also on line " << index + 1
                << ", which Flexisip ignores\n";
  return exit_success;
}

int run_check(const Options& options) {
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
