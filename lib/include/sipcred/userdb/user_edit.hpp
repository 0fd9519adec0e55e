#pragma once
// What an administrator does to the users of a userdb: name a user, make the credentials of a
// password, find the user's lines, check a password. Tools call these; Document keeps bytes.

#include "sipcred/digest/digest.hpp"
#include "sipcred/export.hpp"
#include "sipcred/userdb/userdb.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sipcred::userdb {

// A user as named on a command line: "user@domain", or "domain" for an empty user. The user is
// kept as written (URL-escaped, like in the file).
struct SIPCRED_EXPORT Identity {
  std::string user;
  std::string domain;
  std::string text() const; // back to "user@domain"
};

// Error(DataError) naming what is wrong when a part is not a userdb token.
SIPCRED_EXPORT Identity parse_identity(std::string_view text);

// Which credentials to store for a password.
struct SIPCRED_EXPORT CredentialPolicy {
  std::vector<HashFunction> hashes{HashFunction::Md5, HashFunction::Sha256};
  bool clear_text = false; // store the clear text instead: Flexisip derives MD5 and SHA-256
  std::string realm;       // realm of the hashes; empty: the domain, as Flexisip's clrtxt does
};

using Credentials = std::vector<std::pair<CredentialType, std::string>>;

// Whether Flexisip can match a clear text of this account: it hashes clear text with the
// user, while a client hashes the digest username it sends, the user-id when there is one.
// Both as written in a userdb (URL-escaped); an empty user-id is the user.
SIPCRED_EXPORT bool clear_text_can_match(std::string_view user, std::string_view user_id);

// Error(Usage) for a policy Flexisip could not use for this account (`user_id` as written,
// empty for the user): clear text with a realm other than the domain or with a user-id other
// than the user, a hash with no userdb prefix, nothing to store. make_credentials checks it
// too; call it first to refuse before asking for a password.
SIPCRED_EXPORT void check_policy(const Identity& identity, const CredentialPolicy& policy,
                                 std::string_view user_id);

// The credentials of `password` for the account of `identity` with `user_id` (as written,
// empty for the user). A1 hashes the digest username a client sends, URL-unescaped: the
// user-id, else the user. Throws Error(DataError) for a password a userdb cannot hold
// (without showing it), and what check_policy throws.
SIPCRED_EXPORT Credentials make_credentials(const Identity& identity, std::string_view password,
                                            const CredentialPolicy& policy,
                                            std::string_view user_id);

// A phone is the second token after ';' on an auth line, the first being the user-id, so an
// account with a phone needs its user-id written out. The user-id to write for an account
// (`user` and `user_id` as written): its own, else, with a phone, the user (which the user-id
// defaults to anyway); empty when there is none to write.
SIPCRED_EXPORT std::string user_id_to_write(std::string_view user, std::string_view user_id,
                                            std::string_view phone);
// Whether an account can carry its phone: false for a bare-domain identity (no user to write
// as user-id) with a phone and no user-id. Import lists report it, edits refuse it.
SIPCRED_EXPORT bool can_carry_phone(std::string_view user, std::string_view user_id,
                                    std::string_view phone);
// Error(Usage) for a new account that could not carry its phone (can_carry_phone).
SIPCRED_EXPORT void check_phone(const Identity& identity, std::string_view user_id,
                                std::string_view phone);

// The kinds of credential an existing user has (clear text, or its hash algorithms).
SIPCRED_EXPORT CredentialPolicy policy_of(const Entry& entry);

// Whether the entry is this user: URL-unescaped user and domain equal.
SIPCRED_EXPORT bool same_user(const Entry& entry, const Identity& identity);
// The digest username of the entry's account, URL-unescaped: its user-id, else its user.
// Flexisip keeps one account per (user, auth user, domain).
SIPCRED_EXPORT std::string auth_user_of(const Entry& entry);

// The line Flexisip uses for one account of a user (it keeps the last line of each (user,
// user-id)), and the earlier lines of that same account, which it ignores.
struct SIPCRED_EXPORT AccountLines {
  std::size_t line;                 // index in document.lines() of the line in use
  std::vector<std::size_t> ignored; // earlier lines of the same account
};
// The account of `identity` with the digest username `auth_user` (as written; empty: the
// user's only account). nullopt when there is none; Error(Usage) naming them when `auth_user`
// is empty and the user has several accounts.
SIPCRED_EXPORT std::optional<AccountLines>
find_account(const Document& document, const Identity& identity, std::string_view auth_user);

// Flexisip derives MD5 and SHA-256 from a clear text (with the domain as realm): the
// algorithms it can challenge an account with.
SIPCRED_EXPORT std::vector<HashFunction> challenge_hashes(const CredentialPolicy& policy);

// Indexes in document.lines() of the lines for this user (URL-unescaped user and domain
// equal), in file order. Flexisip uses the last one.
SIPCRED_EXPORT std::vector<std::size_t> find_user(const Document& document,
                                                  const Identity& identity);

struct SIPCRED_EXPORT CredentialCheck {
  const CredentialToken* credential;
  bool matches;
};
// Checks `password` against each credential Flexisip uses for the entry, as a client answers:
// hashes of its digest username (the user-id, else the user) with `realm`, or the domain when
// empty. A clear text never matches when clear_text_can_match() says Flexisip could not.
SIPCRED_EXPORT std::vector<CredentialCheck>
check_password(const Entry& entry, std::string_view password, std::string_view realm);

} // namespace sipcred::userdb
