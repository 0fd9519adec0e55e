#pragma once
// A registrar's side of digest authentication, as Flexisip's Authentication module runs it
// (shared/reference/flexisip-auth.md, "The exchange"), without the network: a request in, the
// response to send (if any) and one line for the log out. The socket loop lives in the tool.

#include "sipcred/digest.hpp"
#include "sipcred/exchange.hpp"
#include "sipcred/nonce_store.hpp"
#include "sipcred/sip_message.hpp"
#include "sipcred/userdb.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace sipcred {

// The settings of Flexisip's [module::Authentication] that decide the exchange. One struct, so
// that a flexisip.conf reader fills the same thing the command line does.
struct AuthSettings {
  std::string realm; // empty: the domain of the From URI, as Flexisip without realm=
  // available-algorithms, in order of preference: one challenge each.
  std::vector<Algorithm> algorithms{Algorithm{HashFunction::Md5, false}};
  bool disable_qop_auth = false;
  bool no_403 = false; // a failed check gets a new challenge instead of 403
  std::chrono::seconds nonce_expires{3600};
};

// The accounts of a userdb by digest username (user-id, else user, URL-unescaped), the last
// line of an account winning as in Flexisip: a lookup is one hash. The document must outlive
// the index.
class UserIndex {
public:
  explicit UserIndex(const userdb::Document& document);
  // The 0-based line of the account whose digest username is `auth_user`.
  const userdb::Line* find(std::string_view auth_user, std::size_t* line_number = nullptr) const;
  std::size_t size() const { return m_by_auth_user.size(); }

private:
  const userdb::Document& m_document;
  std::unordered_map<std::string, std::size_t> m_by_auth_user;
};

// The clear-text accounts whose domain is not `realm`: Flexisip hashes their password with the
// domain, so no answer made with `realm` matches. One "LINE: identity" text each.
std::vector<std::string> clear_text_realm_mismatches(const userdb::Document& document,
                                                     std::string_view realm);

class Registrar {
public:
  using Clock = NonceStore::Clock;

  Registrar(AuthSettings settings, const userdb::Document& store);

  struct Outcome {
    std::optional<SipMessage> response; // nothing for an ACK
    std::string log;                    // one line, no secret: what was asked and the verdict
    bool accepted = false;              // the credentials were checked and accepted
  };
  Outcome handle(const SipMessage& request, Clock::time_point now);

  const AuthSettings& settings() const { return m_settings; }
  const UserIndex& users() const { return m_users; }

private:
  SipMessage challenge(const SipMessage& request, std::string_view realm, bool stale,
                       std::string_view user, Clock::time_point now, std::string& offered);
  std::vector<Algorithm> algorithms_for(std::string_view user) const;

  AuthSettings m_settings;
  const userdb::Document& m_store;
  UserIndex m_users;
  NonceStore m_nonces;
  std::string m_opaque;
};

} // namespace sipcred
