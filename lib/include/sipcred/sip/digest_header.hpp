#pragma once
// The Digest header fields of SIP (RFC 3261 §22, RFC 7616, RFC 8760): challenges
// (WWW-Authenticate, Proxy-Authenticate) and credentials (Authorization,
// Proxy-Authorization). Parsing is lenient, as real stacks need: any case of scheme and
// parameter names, tokens or quoted strings for any value, escaped characters in quoted
// strings, several challenges in one value. Formatting is canonical: parameters quoted or not
// as the RFCs list them.

#include "sipcred/digest/digest.hpp"
#include "sipcred/export.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sipcred {

struct SIPCRED_EXPORT DigestChallenge {
  std::string realm;
  std::string domain; // empty: absent
  std::string nonce;
  std::string opaque; // empty: absent
  bool stale = false;
  std::string algorithm;        // as received; empty: absent, which means MD5
  std::vector<std::string> qop; // offered: "auth", "auth-int"; empty: none
  bool userhash = false;

  // The algorithm named, MD5 when absent; nullopt when unknown (a client ignores the
  // challenge).
  std::optional<Algorithm> parsed_algorithm() const;
};

struct SIPCRED_EXPORT DigestCredentials {
  std::string username;           // the user, or its userhash; decoded when sent as username*
  bool username_extended = false; // sent as username*=UTF-8''... (RFC 5987): non-ASCII users
  std::string realm;
  std::string nonce;
  std::string uri;
  std::string response;
  std::string algorithm; // as received; empty: absent, which means MD5
  std::string cnonce;    // with qop
  std::string opaque;    // empty: absent
  std::string qop;       // empty: none
  std::string nc;        // with qop: 8 hex digits, hashed exactly as received
  bool userhash = false;

  std::optional<Algorithm> parsed_algorithm() const;
};

// A header value: what follows "WWW-Authenticate:" or "Proxy-Authenticate:". Challenges of
// other schemes (Basic, Bearer...) are skipped. Error(DataError), naming the parameter, for a
// malformed value or a Digest challenge without realm or nonce.
SIPCRED_EXPORT std::vector<DigestChallenge> parse_challenges(std::string_view value);

// What follows "Authorization:" or "Proxy-Authorization:". Error(DataError), naming the
// parameter, for a malformed value, a missing required parameter (username, realm, nonce,
// uri, response; cnonce and nc with qop), or both username and username*.
SIPCRED_EXPORT DigestCredentials parse_credentials(std::string_view value);

// What these write parses back to the same values, and never to a parameter more: algorithm,
// qop and nc are written bare when they are tokens and quoted otherwise. Error(DataError) for
// what no header can carry: a control character (CR, LF...) in a value, or a challenge's qop
// option that is not a token.
//
// "Digest realm=\"...\", nonce=\"...\", ..." in the order Flexisip sends them.
SIPCRED_EXPORT std::string format_challenge(const DigestChallenge& challenge);
// "Digest username=\"...\", realm=\"...\", ..."; username* when username_extended, or when
// the name is not ASCII or holds a control character.
SIPCRED_EXPORT std::string format_credentials(const DigestCredentials& credentials);

} // namespace sipcred
