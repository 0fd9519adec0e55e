#include "sipcred/userdb/user_edit.hpp"

#include "sipcred/util/error.hpp"
#include "util/text.hpp"

#include <algorithm>

namespace sipcred::userdb {
std::string Identity::text() const { return user.empty() ? domain : user + "@" + domain; }

Identity parse_identity(std::string_view text) {
  const std::size_t at = text.find('@');
  Identity identity;
  if (at == std::string_view::npos)
    identity.domain = text;
  else {
    identity.user = text.substr(0, at);
    identity.domain = text.substr(at + 1);
    if (!is_token(identity.user))
      throw Error(ErrorKind::DataError, "'" + std::string(text) +
                                            "': the user part must be 1 or more letters, digits "
                                            "and - . ! % * _ + ` ' ~ : (write '@' as %40)");
  }
  if (!is_token(identity.domain))
    throw Error(ErrorKind::DataError, "'" + std::string(text) +
                                          "': expected user@domain, the domain being 1 or more "
                                          "letters, digits and - . ! % * _ + ` ' ~ :");
  return identity;
}

bool clear_text_can_match(std::string_view user, std::string_view user_id) {
  if (user_id.empty() || user_id == user) return true;
  std::string a, b;
  return url_unescape(user, a) == url_unescape(user_id, b);
}

void check_policy(const Identity& identity, const CredentialPolicy& policy,
                  std::string_view user_id) {
  if (policy.clear_text) {
    if (!policy.realm.empty() && policy.realm != identity.domain)
      throw Error(ErrorKind::Usage, "clear text with realm '" + policy.realm +
                                        "': Flexisip hashes clear text with the domain '" +
                                        identity.domain + "', so it would never match");
    if (!clear_text_can_match(identity.user, user_id))
      throw Error(ErrorKind::Usage,
                  "clear text with the user-id '" + std::string(user_id) +
                      "': Flexisip hashes clear text with the user '" + identity.user +
                      "', but a client hashes the user-id it sends, so it would never match; "
                      "store hashes instead (leave out --clrtxt)");
    return;
  }
  if (policy.hashes.empty()) throw Error(ErrorKind::Usage, "no credential to store");
  for (HashFunction hash : policy.hashes) credential_type_of(hash);
}

Credentials make_credentials(const Identity& identity, std::string_view password,
                             const CredentialPolicy& policy, std::string_view user_id) {
  check_policy(identity, policy, user_id);
  if (!is_token(password))
    throw Error(ErrorKind::DataError,
                password.empty() ? "the password is empty"
                                 : "the password contains a character Flexisip's userdb cannot "
                                   "hold: only letters, digits and - . ! % * _ + ` ' ~ : are "
                                   "allowed");
  if (policy.clear_text) return {{CredentialType::ClearText, std::string(password)}};
  const std::string realm = policy.realm.empty() ? identity.domain : policy.realm;
  std::string storage;
  const std::string_view username =
      url_unescape(user_id.empty() ? std::string_view(identity.user) : user_id, storage);
  Credentials credentials;
  for (HashFunction hash : policy.hashes)
    credentials.emplace_back(credential_type_of(hash), ha1(hash, username, realm, password));
  return credentials;
}

std::string user_id_to_write(std::string_view user, std::string_view user_id,
                             std::string_view phone) {
  return std::string(user_id.empty() && !phone.empty() ? user : user_id);
}

bool can_carry_phone(std::string_view user, std::string_view user_id, std::string_view phone) {
  return phone.empty() || !user_id_to_write(user, user_id, phone).empty();
}

void check_phone(const Identity& identity, std::string_view user_id, std::string_view phone) {
  if (!can_carry_phone(identity.user, user_id, phone))
    throw Error(ErrorKind::Usage, "a bare-domain identity needs --auth-user to carry a phone "
                                  "(the first token after ';' is the user-id)");
}

CredentialPolicy policy_of(const Entry& entry) {
  CredentialPolicy policy;
  policy.hashes.clear();
  for (const CredentialToken* credential : entry.effective_credentials()) {
    if (credential->type == CredentialType::ClearText)
      policy.clear_text = true;
    else if (std::find(policy.hashes.begin(), policy.hashes.end(), hash_of(credential->type)) ==
             policy.hashes.end())
      policy.hashes.push_back(hash_of(credential->type));
  }
  return policy;
}

bool same_user(const Entry& entry, const Identity& identity) {
  if (entry.domain != identity.domain) return false;
  if (entry.user == identity.user) return true;
  std::string a, b;
  return url_unescape(entry.user, a) == url_unescape(identity.user, b);
}

std::string auth_user_of(const Entry& entry) {
  return url_unescape(entry.user_id.empty() ? entry.user : entry.user_id);
}

std::vector<std::size_t> find_user(const Document& document, const Identity& identity) {
  std::vector<std::size_t> found;
  const auto& lines = document.lines();
  for (std::size_t i = 0; i < lines.size(); ++i)
    if (lines[i].kind == LineKind::Auth && same_user(lines[i].entry, identity)) found.push_back(i);
  return found;
}

std::optional<AccountLines> find_account(const Document& document, const Identity& identity,
                                         std::string_view auth_user) {
  std::vector<std::string> auth_users; // in order of first appearance
  std::vector<AccountLines> accounts;
  const std::string wanted = url_unescape(auth_user);
  for (std::size_t index : find_user(document, identity)) {
    const std::string one = auth_user_of(document.lines()[index].entry);
    if (!auth_user.empty() && one != wanted) continue;
    const auto known = std::find(auth_users.begin(), auth_users.end(), one);
    if (known == auth_users.end()) {
      auth_users.push_back(one);
      accounts.push_back({index, {}});
      continue;
    }
    AccountLines& account = accounts[static_cast<std::size_t>(known - auth_users.begin())];
    account.ignored.push_back(account.line);
    account.line = index;
  }
  if (accounts.size() > 1) {
    std::string names;
    for (const std::string& name : auth_users) names += (names.empty() ? "" : ", ") + name;
    throw Error(ErrorKind::Usage, identity.text() + " has several accounts (auth users " + names +
                                      "): pick one with --auth-user");
  }
  if (accounts.empty()) return std::nullopt;
  return accounts.front();
}

std::vector<HashFunction> challenge_hashes(const CredentialPolicy& policy) {
  if (policy.clear_text) return {HashFunction::Md5, HashFunction::Sha256};
  return policy.hashes;
}

std::vector<CredentialCheck> check_password(const Entry& entry, std::string_view password,
                                            std::string_view realm) {
  const std::string username = auth_user_of(entry);
  if (realm.empty()) realm = entry.domain;
  std::vector<CredentialCheck> checks;
  for (const CredentialToken* credential : entry.effective_credentials()) {
    bool matches;
    if (credential->type == CredentialType::ClearText)
      matches = credential->value == password && clear_text_can_match(entry.user, entry.user_id);
    else {
      // Flexisip lower-cases stored hashes on load.
      std::string stored(credential->value);
      for (char& c : stored) c = ascii_lower(c);
      matches = stored == ha1(hash_of(credential->type), username, realm, password);
    }
    checks.push_back({credential, matches});
  }
  return checks;
}

} // namespace sipcred::userdb
