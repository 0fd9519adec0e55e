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

// Answers the topmost challenge whose algorithm is known (or is `request.algorithm`), as RFC
// 8760 says. Error(DataError) when none can be answered.
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

} // namespace sipcred
