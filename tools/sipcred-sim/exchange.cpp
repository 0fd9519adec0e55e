// sipcred-sim exchange: the whole digest exchange of one user as a flexisip.conf sets it up,
// rehearsed in memory (Registrar and RegisterClient, as serve and probe use them), printed as
// a transcript of SIP messages or as JSON, with the verdict.

#include "live_commands.hpp"
#include "server_setup.hpp"

#include "sipcred/sip/exchange_rehearsal.hpp"
#include "sipcred/userdb/userdb.hpp"
#include "sipcred/util/ascii.hpp"
#include "sipcred/util/error.hpp"

#include <nlohmann/json.hpp>

#include <iostream>

namespace sipcred::sim {

namespace {

// A userdb user (URL-escaped, made of token bytes) as a SIP URI's user part: a ':' there
// would start a password, and '`' is no URI character, so a client writes both as %XX, which
// Flexisip unescapes back.
std::string sip_uri_user(std::string_view user) {
  std::string out;
  for (char c : user) {
    if (c == ':' || c == '`')
      out += c == ':' ? "%3A" : "%60";
    else
      out += c;
  }
  return out;
}

// USER@DOMAIN (as a userdb names it), or a sip: / sips: URI.
SipUri identity_uri(const std::string& identity) {
  SipUri uri;
  try {
    const bool is_uri = identity.starts_with("sip:") || identity.starts_with("sips:");
    const std::size_t at = identity.find('@');
    uri = parse_sip_uri(is_uri ? identity
                        : at == std::string::npos
                            ? "sip:" + identity
                            : "sip:" + sip_uri_user(identity.substr(0, at)) + identity.substr(at));
  } catch (const Error& e) {
    throw Error(ErrorKind::Usage,
                "--user '" + identity + "': expected USER@DOMAIN (" + e.what() + ")");
  }
  if (uri.user.empty())
    throw Error(ErrorKind::Usage, "--user '" + identity + "': expected USER@DOMAIN");
  return uri;
}

std::string verdict_line(const Rehearsal& r) {
  if (r.accepted) return r.reason.starts_with("accepted") ? r.reason : "accepted: " + r.reason;
  return r.reason.starts_with("rejected: ") ? r.reason : "rejected: " + r.reason;
}

void print_text(const ServerSetup& setup, const Rehearsal& r) {
  std::cout << "# " << describe(setup) << "\n";
  for (const RehearsedMessage& m : r.messages) {
    const char direction = m.from_client ? '>' : '<';
    std::cout << '\n' << direction << ' ' << m.message.start_line() << '\n';
    for (const auto& [name, value] : m.message.headers)
      std::cout << direction << ' ' << name << ": " << value << '\n';
    if (!m.from_client) std::cout << "# registrar: " << m.verdict << '\n';
  }
  std::cout << '\n' << verdict_line(r) << '\n';
}

void print_json(const ServerSetup& setup, const std::string& identity, const std::string& method,
                const Rehearsal& r) {
  const AuthSettings& s = setup.settings;
  nlohmann::json algorithms = nlohmann::json::array();
  for (const Algorithm& a : s.algorithms) algorithms.push_back(algorithm_name(a));
  nlohmann::json settings{
      {"enabled", s.enabled},
      {"realm", s.realm},
      {"realm_regex", s.realm_regex},
      {"algorithms", algorithms},
      {"qop", !s.disable_qop_auth},
      {"no_403", s.no_403},
      {"nonce_expires", s.nonce_expires.count()},
      {"auth_domains", s.auth_domains ? nlohmann::json(*s.auth_domains) : nlohmann::json(nullptr)},
      {"store", setup.locator.display()}};
  nlohmann::json messages = nlohmann::json::array();
  for (const RehearsedMessage& m : r.messages) {
    nlohmann::json headers = nlohmann::json::array();
    for (const auto& [name, value] : m.message.headers)
      headers.push_back({{"name", name}, {"value", value}});
    nlohmann::json message{{"from", m.from_client ? "client" : "registrar"},
                           {"start_line", m.message.start_line()},
                           {"headers", headers}};
    if (m.message.is_request())
      message["method"] = m.message.method;
    else {
      message["status"] = m.message.status;
      message["verdict"] = m.verdict;
    }
    messages.push_back(std::move(message));
  }
  const nlohmann::json out{{"user", identity},
                           {"method", method},
                           {"settings", settings},
                           {"messages", messages},
                           {"accepted", r.accepted},
                           {"verdict", verdict_line(r)},
                           {"exit", r.accepted ? exit_success : exit_negative}};
  std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

} // namespace

int run_exchange(const ExchangeOptions& o) {
  const SipUri aor = identity_uri(o.user);
  const std::string method = ascii_uppercase(o.method);
  if (method.empty() || method.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos)
    throw Error(ErrorKind::Usage, "--method '" + o.method +
                                      "': expected a SIP method such as "
                                      "REGISTER or INVITE");
  ServerSetup setup = load_server_setup(o.config, o.store, o.schema, o.quiet);
  Registrar registrar(setup.settings, *setup.store);

  RegisterSettings client;
  client.aor = aor;
  client.auth_user = o.auth_user;
  client.method = method;
  client.local_host = "192.0.2.1"; // TEST-NET-1: a simulated phone, never a trusted host
  client.local_port = 5060;
  client.user_agent = "sipcred-sim exchange";
  const std::string shown_user = o.auth_user.empty() ? userdb::url_unescape(aor.user) : o.auth_user;
  client.password = cli::read_password(o.password, "Password for " + shown_user + ": ");
  const cli::WipedOnExit wiped(client.password);
  RegisterClient phone(client);

  const Rehearsal rehearsal = rehearse_exchange(registrar, phone, Registrar::Clock::now());
  if (o.json)
    print_json(setup, o.user, method, rehearsal);
  else
    print_text(setup, rehearsal);
  return rehearsal.accepted ? exit_success : exit_negative;
}

} // namespace sipcred::sim
