#pragma once
// Accounts as every store holds them, and what a store can keep of their credentials. A
// migration reads Accounts from one store, converts them for another with convert_account, and
// writes them: the rules of what survives the trip live here, once.

#include "sipcred/digest/digest.hpp"
#include "sipcred/export.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace sipcred {

struct SIPCRED_EXPORT Credential {
  std::optional<HashFunction> hash; // nullopt: the clear password
  std::string value;                // the password, or the HA1 in lowercase hex
  std::string realm;                // the realm the HA1 was computed for; empty for clear text

  bool is_clear_text() const { return !hash.has_value(); }
  friend bool operator==(const Credential&, const Credential&) = default;
};

struct SIPCRED_EXPORT Account {
  std::string user;      // the name itself (URL-unescaped); empty for a bare-domain identity
  std::string domain;    //
  std::string auth_user; // the digest username when it differs from the user; may be empty
  std::string phone;     // may be empty
  std::vector<Credential> credentials;
  std::size_t line = 0; // where a file store holds it (1-based), for messages; 0: unknown

  std::string identity() const; // "user@domain", or "domain" for an empty user
  // The digest username a client sends, and hashes into A1: the auth user when set, else the
  // user (Flexisip's default user-id).
  const std::string& digest_username() const { return auth_user.empty() ? user : auth_user; }
  const Credential* clear_text() const;
  const Credential* hash_for(HashFunction hash, std::string_view realm) const;
};

// What a store keeps of an account's credentials.
struct SIPCRED_EXPORT CredentialNeeds {
  bool clear_text = true;                  // it can hold the clear password
  bool clear_text_only_at_domain = false;  // Flexisip: clear text hashes with the domain
  bool clear_text_replaces_hashes = false; // Flexisip: clear text derives the hashes itself
  std::vector<HashFunction> hashes;        // the HA1s it holds
  std::vector<HashFunction> required;      // without these the account cannot log in there
  std::string realm;                       // the realm it challenges with; empty: the domain
  std::size_t clear_text_max_length = 0;   // the width of its password column; 0: no limit
  bool keeps_auth_user = false;            // it has a place for a user-id
  bool keeps_phone = false;                // it has a place for a phone number
  // Flexisip: clear text is hashed with the user, never the user-id, so it serves only an
  // account whose digest username is its user.
  bool clear_text_hashes_user = false;
};

struct SIPCRED_EXPORT Conversion {
  Account account;                  // the credentials the target keeps
  std::vector<std::string> dropped; // what the target cannot hold ("SHA-512-256 hash", ...)
  std::string unconvertible;        // why the account cannot be written; empty when it can
};

// The account as the target keeps it: clear text where the target holds it (and can use it),
// every hash the target holds derived from the clear text, else copied from a stored hash of the
// same algorithm for the target's realm. Hashes are of the digest username the account has in
// the target (its user when the target has no place for a user-id): a stored hash of another
// name, or for another realm, is never copied. An account that would lack a required
// credential, or keep none, is unconvertible.
SIPCRED_EXPORT Conversion convert_account(const Account& source, const CredentialNeeds& needs);

} // namespace sipcred
