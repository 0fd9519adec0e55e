#pragma once
// Both ends of a digest exchange, pure (no network): the client's answer to a challenge, and
// the server's check of an answer against a userdb, as Flexisip makes it.

#include "sipcred/digest.hpp"
#include "sipcred/digest_header.hpp"
#include "sipcred/userdb.hpp"

#include <optional>
#include <string>
#include <vector>

namespace sipcred {

// `bytes` random bytes from OpenSSL's CSPRNG, in hex: a server's nonce or a client's cnonce.
std::string random_nonce(std::size_t bytes);

struct ClientRequest {
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
std::optional<std::size_t> choose_challenge(const std::vector<DigestChallenge>& challenges,
                                            const std::optional<Algorithm>& wanted);

// Answers the challenge choose_challenge picks. Error(DataError) when none can be answered.
DigestCredentials respond(const std::vector<DigestChallenge>& challenges,
                          const ClientRequest& request);

struct Verdict {
  bool accepted = false;
  std::string reason;   // why, in words an administrator acts on; never a secret
  std::size_t line = 0; // the userdb line of the user, when found
};

// Checks credentials the way Flexisip's file backend would: the user found by its digest
// username (the user-id, else the user; URL-unescaped), the last line of that account, its
// clear text hashed with the line's domain or its stored hash of the credentials' algorithm.
Verdict verify(const DigestCredentials& credentials, std::string_view method, std::string_view body,
               const userdb::Document& store);

// The same check for an account already found (a server's index): `entry` is the account,
// `line` its 1-based line, reported in the verdict.
Verdict verify_entry(const DigestCredentials& credentials, std::string_view method,
                     std::string_view body, const userdb::Entry& entry, std::size_t line);

} // namespace sipcred
