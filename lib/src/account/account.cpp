#include "sipcred/account/account.hpp"

#include <algorithm>

namespace sipcred {

std::string Account::identity() const { return user.empty() ? domain : user + "@" + domain; }

const Credential* Account::clear_text() const {
  for (const auto& credential : credentials) {
    if (credential.is_clear_text()) {
      return &credential;
    }
  }
  return nullptr;
}

const Credential* Account::hash_for(HashFunction hash, std::string_view realm) const {
  for (const auto& credential : credentials) {
    if (credential.hash == hash && credential.realm == realm) {
      return &credential;
    }
  }
  return nullptr;
}

namespace {

std::string describe(const Credential& credential) {
  if (credential.is_clear_text()) {
    return "clear-text password";
  }
  return std::string(hash_name(*credential.hash)) + " hash for realm \"" + credential.realm + "\"";
}

bool contains(const std::vector<HashFunction>& hashes, HashFunction hash) {
  return std::find(hashes.begin(), hashes.end(), hash) != hashes.end();
}

} // namespace

Conversion convert_account(const Account& source, const CredentialNeeds& needs) {
  Conversion result;
  // Every field but the credentials, which are chosen below.
  result.account = Account{source.user, source.domain, source.auth_user, source.phone, {}};
  auto& kept = result.account.credentials;
  const std::string& realm = needs.realm.empty() ? source.domain : needs.realm;
  const Credential* clear = source.clear_text();

  if (!source.auth_user.empty() && !needs.keeps_auth_user) {
    // A store without a place for it looks its accounts up by the user, so that is the name
    // its clients must send (Kamailio's default kamailio.cfg goes further: auth_check flag 1
    // refuses a digest username other than the From and To user).
    result.dropped.push_back("user-id \"" + source.auth_user + "\" (its clients must now " +
                             "authenticate as \"" + source.user + "\")");
    result.account.auth_user.clear();
  }
  if (!source.phone.empty() && !needs.keeps_phone) {
    result.dropped.push_back("phone \"" + source.phone + "\"");
    result.account.phone.clear();
  }
  // What a client of the target sends, and hashes: stored hashes of another name are useless.
  const std::string& username = result.account.digest_username();
  const bool hashes_carry_over = source.digest_username() == username;
  bool clear_kept = false;
  if (clear && needs.clear_text) {
    if (needs.clear_text_only_at_domain && realm != source.domain) {
      result.dropped.push_back("clear-text password (the server would hash it with the domain, "
                               "not the realm \"" +
                               realm + "\": hashes for the realm are kept)");
    } else if (needs.clear_text_hashes_user && username != source.user) {
      result.dropped.push_back("clear-text password (the server would hash it with the user, "
                               "not the user-id \"" +
                               username + "\": hashes for the user-id are kept)");
    } else if (needs.clear_text_max_length && clear->value.size() > needs.clear_text_max_length) {
      result.dropped.push_back("clear-text password (longer than the " +
                               std::to_string(needs.clear_text_max_length) +
                               " characters of the password column)");
    } else {
      kept.push_back(*clear);
      clear_kept = true;
    }
  }
  if (!(clear_kept && needs.clear_text_replaces_hashes)) {
    for (HashFunction hash : needs.hashes) {
      const Credential* stored = hashes_carry_over ? source.hash_for(hash, realm) : nullptr;
      if (clear) {
        kept.push_back({hash, sipcred::ha1(hash, username, realm, clear->value), realm});
      } else if (stored) {
        kept.push_back(*stored);
      } else if (contains(needs.required, hash)) {
        result.unconvertible =
            "no clear-text password and no " + std::string(hash_name(hash)) + " hash for realm \"" +
            realm + "\"" + (hashes_carry_over ? "" : " and digest username \"" + username + "\"");
      }
    }
  }
  if (!clear && result.unconvertible.empty()) {
    // Hashes the target has no use for: another algorithm, realm or digest username.
    for (const auto& credential : source.credentials) {
      if (std::find(kept.begin(), kept.end(), credential) == kept.end()) {
        result.dropped.push_back(describe(credential));
      }
    }
  }
  if (result.unconvertible.empty() && kept.empty()) {
    result.unconvertible =
        source.credentials.empty() ? "no credential"
        : hashes_carry_over
            ? "no credential the target can use (" + describe(source.credentials.front()) + ")"
            : "no clear-text password, and its hashes are of the user-id \"" +
                  source.digest_username() + "\", which the target cannot keep";
  }
  if (!result.unconvertible.empty()) {
    kept.clear();
    result.dropped.clear();
  }
  return result;
}

} // namespace sipcred
