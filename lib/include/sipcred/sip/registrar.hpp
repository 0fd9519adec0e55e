#pragma once
// A registrar's side of digest authentication, as Flexisip's Authentication module runs it
// (shared/reference/flexisip-auth.md, "The exchange"), without the network: a request in, the
// response to send (if any) and one line for the log out. The socket loop lives in the tool;
// `sipcred-sim exchange` drives the same object with a simulated client.

#include "sipcred/digest/digest.hpp"
#include "sipcred/export.hpp"
#include "sipcred/sip/digest_header.hpp"
#include "sipcred/sip/nonce_store.hpp"
#include "sipcred/sip/sip_message.hpp"
#include "sipcred/store/store.hpp"

#include <chrono>
#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace sipcred {

// The settings of Flexisip's [module::Authentication] that decide the exchange. One struct, so
// that the flexisip.conf reader (auth_config.hpp) fills the same thing the command line does.
struct SIPCRED_EXPORT AuthSettings {
  bool enabled = true; // false: the module is off and every request passes unchallenged
  std::string realm;   // empty: the domain of the From URI, as Flexisip without realm=
  // realm-regex (ECMAScript, as std::regex): searched in the From URI (or the
  // P-Preferred-Identity one); the first capture group, else the whole match, is the realm.
  std::string realm_regex;
  // available-algorithms, in order of preference: one challenge each.
  std::vector<Algorithm> algorithms{Algorithm{HashFunction::Md5, false}};
  bool disable_qop_auth = false;
  bool no_403 = false; // a failed check gets a new challenge instead of 403
  std::chrono::seconds nonce_expires{3600};
  // auth-domains: a request from another domain gets 403 "Domain forbidden". nullopt: no check
  // (the command line without --config).
  std::optional<std::vector<std::string>> auth_domains;
  std::vector<std::string> trusted_hosts; // IP addresses whose requests pass unchallenged
  // db-implementation=file: Flexisip loads a userdb line only when its domain is listed in
  // auth-domains exactly (or the list holds '*'); a line of another domain is never found,
  // even when a wildcard entry such as '*.example.org' lets its requests in.
  bool file_backend = false;
};

// Whether auth-domains lets requests from `domain` in, as Flexisip picks its auth module: the
// domain itself, else '*', else an entry with a '*' inside whose parts before and after the '*'
// both occur in the domain.
SIPCRED_EXPORT bool domain_allowed(const std::vector<std::string>& auth_domains,
                                   std::string_view domain);

// Whether `text` is an IPv4 or IPv6 address (what trusted-hosts may list here).
SIPCRED_EXPORT bool is_ip_address(std::string_view text);

// Whether the client's algorithm (absent: MD5) is one of available-algorithms.
SIPCRED_EXPORT bool algorithm_available(const AuthSettings& settings,
                                        const DigestCredentials& credentials);

// The accounts of `store` with clear text whose domain is not `realm`: Flexisip hashes their
// password with the domain, so no answer made with `realm` matches. "LINE: identity" each
// (LINE 0 when the store has no lines).
SIPCRED_EXPORT std::vector<std::string> clear_text_realm_mismatches(Store& store,
                                                                    std::string_view realm);

class SIPCRED_EXPORT Registrar {
public:
  using Clock = NonceStore::Clock;

  // Error(Usage) for settings Flexisip would refuse (no algorithm, a bad realm-regex).
  Registrar(AuthSettings settings, Store& store);

  struct Outcome {
    std::optional<SipMessage> response; // nothing for an ACK
    std::string log;                    // one line, no secret: what was asked and the verdict
    std::string reason;                 // the verdict alone: "accepted (line 2)", "rejected: ..."
    bool accepted = false;              // the request passes authentication
  };
  // `source`: the IP address the request came from, checked against trusted-hosts; empty when
  // unknown (a simulated client is never trusted).
  Outcome handle(const SipMessage& request, Clock::time_point now, std::string_view source = {});

  const AuthSettings& settings() const { return m_settings; }

private:
  Outcome respond(const SipMessage& request, Clock::time_point now, std::string_view source);
  SipMessage challenge(const SipMessage& request, std::string_view realm, bool stale,
                       const Account& user, Clock::time_point now, std::string& offered);
  std::vector<Algorithm> algorithms_for(const Account& user);
  std::optional<std::string> realm_of(const std::string& user_uri, const SipUri& uri) const;
  bool trusted(std::string_view source) const;

  AuthSettings m_settings;
  Store& m_store;
  std::optional<std::regex> m_realm_regex;
  NonceStore m_nonces;
  std::string m_opaque;
};

} // namespace sipcred
