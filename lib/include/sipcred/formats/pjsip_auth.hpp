#pragma once
// An Asterisk res_pjsip auth object (type=auth), wherever it is kept: a pjsip.conf section or a
// row of the realtime table ps_auths. The fields sipcred reads and writes, and what Asterisk does
// with them when it loads the object (shared/reference/stores.md; res_pjsip's config_auth.c),
// stated once for both stores.

#include "sipcred/account/account.hpp"
#include "sipcred/export.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sipcred::formats {

// The realm of an auth object without realm=: Asterisk's global default_realm, by default.
inline constexpr std::string_view pjsip_default_realm = "asterisk";

struct SIPCRED_EXPORT PjsipAuth {
  std::string auth_type; // userpass, md5, digest or google_oauth (any case); "": the default
  std::string username;  // the digest username Asterisk compares
  std::string realm;     // "": pjsip_default_realm
  std::string password;  // the clear password, or ""
  std::string md5_cred;  // deprecated: an MD5 digest without its ALG: prefix
  // Each password_digest value. One holds ALG:HEX items separated by commas (ALG MD5, SHA-256
  // or SHA-512-256, any case; no ALG: means MD5); a later digest of an algorithm replaces one
  // before it.
  std::vector<std::string> password_digests;
  // Comma-separated algorithms Asterisk challenges with (uas) and answers (uac); "": MD5.
  std::string supported_algorithms_uas, supported_algorithms_uac;
};

struct SIPCRED_EXPORT PjsipAuthLoad {
  // The account Asterisk authenticates with the object: the username as its user, the realm as
  // its domain, the clear password and each digest (lowercase hex, for that realm). nullopt
  // when the object is refused, or holds no digest credentials (google_oauth).
  std::optional<Account> account;
  std::string problem; // why Asterisk refuses to load the object; "" when it loads
};

// The object as Asterisk loads it: refused without a username, with an unknown auth_type, a
// password_digest of an unknown algorithm or the wrong length, an unknown algorithm in a
// supported_algorithms list, or a listed algorithm it has neither a password nor a digest for.
SIPCRED_EXPORT PjsipAuthLoad load_pjsip_auth(const PjsipAuth& auth);

// The object that holds `account` as converted for these stores (pjsip_credential_needs), with
// `realm` the realm of its hashes: one ALG:HEX per hash, and both algorithm lists naming the
// hashes when there is neither a clear password nor an MD5 digest (the default, MD5, would be
// an algorithm without a credential, which Asterisk refuses). auth_type is left to the store.
SIPCRED_EXPORT PjsipAuth pjsip_auth_of(const Account& account, std::string_view realm);

// What an auth object keeps: the clear password, from which Asterisk derives every digest
// itself, or MD5, SHA-256 and SHA-512-256 digests of its username, for `realm` ("": each
// account's domain). No place for a user-id or a phone.
SIPCRED_EXPORT CredentialNeeds pjsip_credential_needs(std::string realm);

} // namespace sipcred::formats
