#pragma once
// HTTP Digest as SIP uses it (RFC 2617, RFC 3261 §22, RFC 7616, RFC 8760): algorithms, HA1, the
// request-digest ("response") and userhash. Everything returns lowercase hex.

#include "sipcred/export.hpp"
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace sipcred {

enum class HashFunction { Md5, Sha256, Sha512_256 };
inline constexpr HashFunction all_hash_functions[] = {HashFunction::Md5, HashFunction::Sha256,
                                                      HashFunction::Sha512_256};

// A digest algorithm as named on the wire: a hash function, optionally in its -sess form.
struct SIPCRED_EXPORT Algorithm {
  HashFunction hash = HashFunction::Md5;
  bool session = false;
  friend bool operator==(const Algorithm&, const Algorithm&) = default;
};

// IANA token ("MD5", "sha-256-SESS", ...), case-insensitive. nullopt for an unknown token.
SIPCRED_EXPORT std::optional<Algorithm> parse_algorithm(std::string_view token);
// Canonical token: "MD5", "SHA-256", "SHA-512-256", with "-sess" appended for session forms.
SIPCRED_EXPORT std::string algorithm_name(Algorithm algorithm);
SIPCRED_EXPORT std::string_view hash_name(HashFunction hash);
// A hash function named by its IANA token or by its userdb prefix ("md5", "sha256"),
// case-insensitive; -sess forms are not hash functions and give nullopt.
SIPCRED_EXPORT std::optional<HashFunction> parse_hash_name(std::string_view name);

// Flexisip userdb credential prefixes: "md5", "sha256". SHA-512-256 has none.
SIPCRED_EXPORT std::optional<std::string_view> userdb_prefix(HashFunction hash);
// Exact (lowercase) prefix as Flexisip uses it; "MD5" gives nullopt.
SIPCRED_EXPORT std::optional<HashFunction> parse_userdb_prefix(std::string_view prefix);

// Number of hex digits of a digest: 32 for MD5, 64 for the others.
SIPCRED_EXPORT std::size_t hex_length(HashFunction hash);

// H(data) in lowercase hex.
SIPCRED_EXPORT std::string hex_digest(HashFunction hash, std::string_view data);
// H(piece ":" piece ":" ...) in lowercase hex, without building the joined string.
SIPCRED_EXPORT std::string hex_digest_joined(HashFunction hash,
                                             std::initializer_list<std::string_view> pieces);
// The same, appended to `out`: no string of its own for code that hashes millions of users.
SIPCRED_EXPORT void append_hex_digest_joined(std::string& out, HashFunction hash,
                                             std::initializer_list<std::string_view> pieces);

// HA1 = H(user ":" realm ":" password), the value servers store. Bytes are hashed as given
// (UTF-8 stays UTF-8).
SIPCRED_EXPORT std::string ha1(HashFunction hash, std::string_view user, std::string_view realm,
                               std::string_view password);

// RFC 7616 userhash: H(user ":" realm).
SIPCRED_EXPORT std::string userhash(HashFunction hash, std::string_view user,
                                    std::string_view realm);

enum class Qop { None, Auth, AuthInt };
// "auth" / "auth-int", case-insensitive.
SIPCRED_EXPORT std::optional<Qop> parse_qop(std::string_view token);
SIPCRED_EXPORT std::string_view qop_name(Qop qop); // "" for Qop::None

// Everything the request-digest covers. Views must outlive the call.
struct SIPCRED_EXPORT DigestInput {
  Algorithm algorithm;
  std::string_view ha1; // H(user:realm:password) in hex, as stored; -sess is applied here
  std::string_view nonce;
  std::string_view cnonce; // with qop or -sess
  std::string_view nc;     // hashed exactly as received
  Qop qop = Qop::None;
  std::string_view method;
  std::string_view uri;
  std::string_view body; // hashed for auth-int only; an empty body hashes as H("")
};

// -sess: H(HA1 ":" nonce ":" cnonce); otherwise HA1 unchanged.
SIPCRED_EXPORT std::string session_ha1(const DigestInput& input);
// The `response` value. Throws Error(Usage) for a -sess algorithm without qop (no cnonce there).
SIPCRED_EXPORT std::string request_digest(const DigestInput& input);

} // namespace sipcred
