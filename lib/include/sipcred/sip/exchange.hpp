#pragma once
// Both ends of a digest exchange, pure (no network): the client's answer to a challenge, and
// the server's check of an answer against a userdb, as Flexisip makes it.

#include "sipcred/account/account.hpp"
#include "sipcred/digest/digest.hpp"
#include "sipcred/export.hpp"
#include "sipcred/sip/digest_header.hpp"
#include "sipcred/store/store.hpp"
#include "sipcred/userdb/userdb.hpp"

#include <optional>
#include <string>
#include <vector>

namespace sipcred {

// `bytes` random bytes from OpenSSL's CSPRNG, in hex: a server's nonce or a client's cnonce.
SIPCRED_EXPORT std::string random_nonce(std::size_t bytes);

struct SIPCRED_EXPORT ClientRequest {
  std::string username; // the digest username (auth user); hashed in A1
  std::string password;
  std::string method;      // REGISTER, INVITE...
  std::string uri;         // the Request-URI
  std::string body;        // hashed for qop=auth-int
  bool body_given = false; // prefer auth-int when the challenge offers it
  std::string cnonce;      // empty: a fresh random one
  std::string nc = "00000001";
  bool userhash = false;              // send H(username:realm) as the username
  std::optional<Algorithm> algorithm; // answer only a challenge with this algorithm
};

// The challenge a client answers, as RFC 8760 says: the topmost one whose algorithm it knows
// (or whose algorithm is `wanted`). nullopt when none.
SIPCRED_EXPORT std::optional<std::size_t>
choose_challenge(const std::vector<DigestChallenge>& challenges,
                 const std::optional<Algorithm>& wanted);

// Answers the challenge choose_challenge picks. Error(DataError) when none can be answered.
SIPCRED_EXPORT DigestCredentials respond(const std::vector<DigestChallenge>& challenges,
                                         const ClientRequest& request);

struct SIPCRED_EXPORT Verdict {
  bool accepted = false;
  std::string reason;   // why, in words an administrator acts on; never a secret
  std::size_t line = 0; // the userdb line of the user, when found
};

// Checks credentials against an account as its server read it (Store::lookup): clear text is
// hashed with the account's domain as realm (Flexisip derives it so), else the stored HA1 of
// the credentials' algorithm is used as is.
SIPCRED_EXPORT Verdict verify_account(const DigestCredentials& credentials, std::string_view method,
                                      std::string_view body, const Account& account);

// The same check for a captured header, without the request's From: the account is the one
// whose digest username (user-id, else user; URL-unescaped) is the header's username (with
// userhash, whose H(name:realm) is), the one in the realm's domain preferred, else the last
// one; then read as the server reads it (Store::lookup) and checked with verify_account.
SIPCRED_EXPORT Verdict verify(const DigestCredentials& credentials, std::string_view method,
                              std::string_view body, Store& store);
// The same against a parsed userdb (the last line of an account, as Flexisip).
SIPCRED_EXPORT Verdict verify(const DigestCredentials& credentials, std::string_view method,
                              std::string_view body, const userdb::Document& store);

} // namespace sipcred
