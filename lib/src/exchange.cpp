#include "sipcred/exchange.hpp"

#include "sipcred/error.hpp"
#include "sipcred/user_edit.hpp"
#include "text.hpp"

#include <openssl/rand.h>

namespace sipcred {

std::string random_nonce(std::size_t bytes) {
  std::string random(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(random.data()), static_cast<int>(bytes)) != 1)
    throw Error(ErrorKind::Internal, "OpenSSL's random generator failed");
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char b : random) hex.append({digits[b >> 4], digits[b & 15]});
  return hex;
}

namespace {

bool offers(const DigestChallenge& challenge, std::string_view qop) {
  for (const std::string& option : challenge.qop)
    if (iequals(option, qop)) return true;
  return false;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

} // namespace

std::optional<std::size_t> choose_challenge(const std::vector<DigestChallenge>& challenges,
                                            const std::optional<Algorithm>& wanted) {
  for (std::size_t i = 0; i < challenges.size(); ++i) {
    const std::optional<Algorithm> algorithm = challenges[i].parsed_algorithm();
    if (algorithm && (!wanted || *wanted == *algorithm)) return i;
  }
  return std::nullopt;
}

DigestCredentials respond(const std::vector<DigestChallenge>& challenges,
                          const ClientRequest& request) {
  if (const auto chosen = choose_challenge(challenges, request.algorithm)) {
    const DigestChallenge& challenge = challenges[*chosen];
    const std::optional<Algorithm> algorithm = challenge.parsed_algorithm();
    Qop qop = Qop::None;
    if (offers(challenge, "auth-int") && (request.body_given || !offers(challenge, "auth")))
      qop = Qop::AuthInt;
    else if (offers(challenge, "auth"))
      qop = Qop::Auth;
    if (algorithm->session && qop == Qop::None)
      throw Error(ErrorKind::DataError,
                  algorithm_name(*algorithm) + " challenge without qop: cannot be answered");

    DigestCredentials c;
    c.realm = challenge.realm;
    c.nonce = challenge.nonce;
    c.opaque = challenge.opaque;
    c.uri = request.uri;
    c.algorithm = challenge.algorithm; // echoed as received (absent stays absent)
    c.userhash = request.userhash;
    c.username = request.userhash ? userhash(algorithm->hash, request.username, challenge.realm)
                                  : request.username;
    if (qop != Qop::None) {
      c.qop = qop_name(qop);
      c.cnonce = request.cnonce.empty() ? random_nonce(12) : request.cnonce;
      c.nc = request.nc;
    }
    const std::string key =
        ha1(algorithm->hash, request.username, challenge.realm, request.password);
    c.response = request_digest(DigestInput{*algorithm, key, c.nonce, c.cnonce, c.nc, qop,
                                            request.method, request.uri, request.body});
    return c;
  }
  throw Error(ErrorKind::DataError,
              request.algorithm
                  ? "no challenge with algorithm " + algorithm_name(*request.algorithm)
                  : "no challenge with an algorithm this client knows");
}

Verdict verify(const DigestCredentials& credentials, std::string_view method, std::string_view body,
               const userdb::Document& store) {
  const std::optional<Algorithm> algorithm = credentials.parsed_algorithm();
  if (!algorithm) return {false, "unknown algorithm '" + credentials.algorithm + "'", 0};

  // The account: the last line whose digest username (user-id, else user) is the one sent.
  const userdb::Line* found = nullptr;
  std::size_t found_line = 0;
  const auto& lines = store.lines();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].kind != userdb::LineKind::Auth) continue;
    const std::string auth_user = userdb::auth_user_of(lines[i].entry);
    const bool same =
        credentials.userhash
            ? userhash(algorithm->hash, auth_user, credentials.realm) == lower(credentials.username)
            : auth_user == credentials.username;
    if (same) found = &lines[i], found_line = i + 1;
  }
  if (!found) return {false, "unknown user '" + credentials.username + "'", 0};
  return verify_entry(credentials, method, body, found->entry, found_line);
}

Verdict verify_entry(const DigestCredentials& credentials, std::string_view method,
                     std::string_view body, const userdb::Entry& entry, std::size_t found_line) {
  const std::optional<Algorithm> algorithm = credentials.parsed_algorithm();
  if (!algorithm) return {false, "unknown algorithm '" + credentials.algorithm + "'", found_line};
  const std::optional<Qop> qop =
      credentials.qop.empty() ? std::optional<Qop>(Qop::None) : parse_qop(credentials.qop);
  if (!qop) return {false, "unknown qop '" + credentials.qop + "'", found_line};

  std::string key;
  for (const userdb::CredentialToken* token : entry.effective_credentials()) {
    if (token->type == userdb::CredentialType::ClearText) {
      // Flexisip derives the hashes of a clear text with the line's domain as realm.
      if (credentials.realm != entry.domain)
        return {false,
                "realm mismatch: the credentials use realm '" + credentials.realm +
                    "', but Flexisip hashes this user's clear text with its domain '" +
                    std::string(entry.domain) + "'",
                found_line};
      const std::string user = entry.hash_user();
      key = ha1(algorithm->hash, user, entry.domain, token->value);
      break;
    }
    if (userdb::hash_of(token->type) == algorithm->hash) key = lower(token->value);
  }
  if (key.empty())
    return {false,
            "algorithm not allowed for this user: no " + std::string(hash_name(algorithm->hash)) +
                " hash stored (the client must use another algorithm)",
            found_line};
  const std::string expected =
      request_digest(DigestInput{*algorithm, key, credentials.nonce, credentials.cnonce,
                                 credentials.nc, *qop, method, credentials.uri, body});
  if (expected != lower(credentials.response))
    return {false, "wrong password (or a stored hash made for another realm)", found_line};
  return {true, "accepted", found_line};
}

} // namespace sipcred
