#include "sipcred/sip/exchange.hpp"

#include "sipcred/userdb/user_edit.hpp"
#include "sipcred/util/error.hpp"
#include "userdb/file_store.hpp"
#include "util/text.hpp"

#include <openssl/rand.h>

#include <algorithm>

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

namespace {

// Chooses the account a header names among those a store lists (see verify).
class AccountChooser {
public:
  explicit AccountChooser(const DigestCredentials& credentials)
      : m_credentials(credentials), m_algorithm(credentials.parsed_algorithm()),
        m_username(credentials.userhash ? lower(credentials.username) : credentials.username) {}

  void offer(Account&& account) {
    const std::string& name = account.digest_username();
    const bool same =
        m_credentials.userhash
            ? m_algorithm && userhash(m_algorithm->hash, name, m_credentials.realm) == m_username
            : name == m_username;
    if (!same || (m_in_realm && account.domain != m_credentials.realm)) return;
    m_in_realm = account.domain == m_credentials.realm;
    m_chosen = std::move(account);
  }
  std::optional<Account>& chosen() { return m_chosen; }

private:
  const DigestCredentials& m_credentials;
  std::optional<Algorithm> m_algorithm;
  std::string m_username;
  bool m_in_realm = false;
  std::optional<Account> m_chosen;
};

Verdict unknown_user(const DigestCredentials& credentials) {
  return {false, "unknown user '" + credentials.username + "'", 0};
}

} // namespace

Verdict verify(const DigestCredentials& credentials, std::string_view method, std::string_view body,
               Store& store) {
  AccountChooser chooser(credentials);
  store.read([&](Account&& account) { chooser.offer(std::move(account)); });
  std::optional<Account>& chosen = chooser.chosen();
  if (!chosen) return unknown_user(credentials);
  const std::size_t line = chosen->line;
  std::optional<Account> stored = store.lookup(*chosen);
  if (!stored)
    return {false,
            "'" + chosen->identity() +
                "' is listed, but the server's password lookup finds no password for it",
            line};
  if (!stored->line) stored->line = line;
  return verify_account(credentials, method, body, *stored);
}

Verdict verify(const DigestCredentials& credentials, std::string_view method, std::string_view body,
               const userdb::Document& store) {
  AccountChooser chooser(credentials);
  const auto& lines = store.lines();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].kind != userdb::LineKind::Auth) continue;
    Account account = account_of(lines[i].entry, "");
    account.line = i + 1;
    chooser.offer(std::move(account));
  }
  if (!chooser.chosen()) return unknown_user(credentials);
  return verify_account(credentials, method, body, *chooser.chosen());
}

Verdict verify_account(const DigestCredentials& credentials, std::string_view method,
                       std::string_view body, const Account& account) {
  const std::optional<Algorithm> algorithm = credentials.parsed_algorithm();
  if (!algorithm) return {false, "unknown algorithm '" + credentials.algorithm + "'", account.line};
  const std::optional<Qop> qop =
      credentials.qop.empty() ? std::optional<Qop>(Qop::None) : parse_qop(credentials.qop);
  if (!qop) return {false, "unknown qop '" + credentials.qop + "'", account.line};

  std::string key;
  // A server that keeps hashes beside the clear text (Kamailio and OpenSIPS with
  // calculate_ha1=0) answers with the hash kept for the challenge's realm; Flexisip's lookup
  // gives only what it derives from the clear text, for the domain.
  const auto kept = std::find_if(
      account.credentials.begin(), account.credentials.end(), [&](const Credential& credential) {
        return credential.hash == algorithm->hash && credential.realm == credentials.realm;
      });
  if (account.clear_text() && kept != account.credentials.end()) {
    key = lower(kept->value);
  } else if (const Credential* clear = account.clear_text()) {
    // Flexisip derives the hashes of a clear text with the account's domain as realm.
    if (credentials.realm != account.domain)
      return {false,
              "realm mismatch: the credentials use realm '" + credentials.realm +
                  "', but Flexisip hashes this user's clear text with its domain '" +
                  account.domain + "'",
              account.line};
    key = ha1(algorithm->hash, account.user, account.domain, clear->value);
  } else {
    for (const Credential& credential : account.credentials)
      if (credential.hash == algorithm->hash) {
        key = lower(credential.value);
        break;
      }
  }
  if (key.empty())
    return {false,
            "algorithm not allowed for this user: no " + std::string(hash_name(algorithm->hash)) +
                " hash stored (the client must use another algorithm)",
            account.line};
  const std::string expected =
      request_digest(DigestInput{*algorithm, key, credentials.nonce, credentials.cnonce,
                                 credentials.nc, *qop, method, credentials.uri, body});
  if (expected != lower(credentials.response))
    return {false, "wrong password (or a stored hash made for another realm)", account.line};
  return {true, "accepted", account.line};
}

} // namespace sipcred
