// sipcred-sim: rehearse the digest challenge/response of SIP: offline (the challenges a server
// sends, a client's answer, and a server's check of an answer against a userdb) and with real
// peers (probe registers with a live server, serve plays the registrar for a real phone).

#include "algorithm_option.hpp"
#include "common_options.hpp"
#include "live_commands.hpp"
#include "password_input.hpp"
#include "server_setup.hpp"
#include "store_list.hpp"
#include "tool_main.hpp"

#include "sipcred/sip/exchange.hpp"
#include "sipcred/store/store.hpp"
#include "sipcred/util/ascii.hpp"
#include "sipcred/util/atomic_file.hpp"
#include "sipcred/util/error.hpp"

#include <iostream>

namespace {

using namespace sipcred;

struct Options {
  // challenge
  std::string realm;
  std::vector<std::string> algorithms;
  std::string algorithm; // respond: the one challenge to answer
  std::string qop = "auth";
  bool proxy = false;
  bool stale = false;
  std::string nonce;
  std::string opaque;
  // respond
  std::string challenge;
  std::string user;
  std::string auth_user;
  cli::PasswordOptions password;
  std::string method;
  std::string uri;
  std::string cnonce;
  std::string nc = "00000001";
  std::string body_file;
  bool userhash = false;
  // verify
  std::string authorization;
  std::string store;
  std::string schema;
  std::string config;
  bool quiet = false;
  sim::ProbeOptions probe;
  sim::ServeOptions serve;
  sim::ExchangeOptions exchange;
};

// The value of a "NAME: value" line, or the line itself when it is not NAME; `named` says
// which.
std::string_view header_value(std::string_view line, std::string_view name, bool& named) {
  const std::size_t colon = line.find(':');
  named = false;
  if (colon == name.size() && iequals(line.substr(0, colon), name)) {
    named = true;
    line.remove_prefix(colon + 1);
  }
  return line;
}

int run_challenge(const Options& o) {
  if (o.realm.empty()) throw Error(ErrorKind::Usage, "--realm is required");
  DigestChallenge challenge;
  challenge.realm = o.realm;
  challenge.nonce = o.nonce.empty() ? random_nonce(24) : o.nonce;
  challenge.opaque = o.opaque;
  challenge.stale = o.stale;
  if (o.qop != "none") challenge.qop = {o.qop};
  // One challenge per algorithm, most preferred first, all with the same nonce (RFC 8760).
  // All checked before any is printed.
  std::string lines;
  for (const Algorithm& algorithm : cli::digest_algorithms(o.algorithms)) {
    if (algorithm.session && challenge.qop.empty())
      throw Error(ErrorKind::Usage,
                  algorithm_name(algorithm) + " needs a qop: not with --qop none");
    challenge.algorithm = algorithm_name(algorithm);
    lines += (o.proxy ? "Proxy-Authenticate: " : "WWW-Authenticate: ") +
             format_challenge(challenge) + "\n";
  }
  std::cout << lines;
  return exit_success;
}

int run_respond(const Options& o) {
  // The challenges: --challenge, or the lines of standard input.
  std::vector<DigestChallenge> challenges;
  std::vector<bool> from_proxy; // each challenge: came as Proxy-Authenticate
  auto add = [&](std::string_view line) {
    bool proxy = false, named = false;
    std::string_view value = header_value(line, "Proxy-Authenticate", proxy);
    if (!proxy) value = header_value(line, "WWW-Authenticate", named);
    for (DigestChallenge& c : parse_challenges(value)) {
      challenges.push_back(std::move(c));
      from_proxy.push_back(proxy);
    }
  };
  cli::PasswordOptions password = o.password;
  if (!o.challenge.empty())
    add(o.challenge);
  else {
    password.stdin_taken = true;
    for (std::string line; std::getline(std::cin, line);)
      if (line.find_first_not_of(" \t\r") != std::string::npos) add(line);
  }
  if (challenges.empty()) throw Error(ErrorKind::DataError, "no Digest challenge given");

  ClientRequest request;
  request.username = o.auth_user.empty() ? o.user : o.auth_user;
  request.method = o.method;
  request.uri = o.uri;
  request.cnonce = o.cnonce;
  request.nc = o.nc;
  request.userhash = o.userhash;
  if (!o.body_file.empty()) {
    request.body = read_file(o.body_file);
    request.body_given = true;
  }
  if (!o.algorithm.empty()) request.algorithm = cli::digest_algorithm(o.algorithm);
  if (o.nc.size() != 8 || o.nc.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
    throw Error(ErrorKind::Usage, "--nc takes 8 hex digits, such as 00000001");
  const auto chosen = choose_challenge(challenges, request.algorithm);
  if (!chosen)
    throw Error(ErrorKind::DataError, request.algorithm
                                          ? "no challenge with algorithm " + o.algorithm
                                          : "no challenge with an algorithm this client knows");
  request.password = cli::read_password(password, "Password for " + request.username + ": ");
  const cli::WipedOnExit wiped(request.password);
  const DigestCredentials answer = respond({challenges[*chosen]}, request);
  // A proxy's challenge (407) is answered in Proxy-Authorization, a registrar's in
  // Authorization.
  std::cout << (from_proxy[*chosen] ? "Proxy-Authorization: " : "Authorization: ")
            << format_credentials(answer) << '\n';
  return exit_success;
}

int run_verify(const Options& o) {
  bool named = false;
  std::string_view value = header_value(o.authorization, "Proxy-Authorization", named);
  if (!named) value = header_value(o.authorization, "Authorization", named);
  const DigestCredentials credentials = parse_credentials(value);
  if (o.config.empty() && o.store.empty())
    throw Error(ErrorKind::Usage, "verify needs --store LOCATOR or --config flexisip.conf");
  const sim::ServerSetup setup = sim::load_server_setup(o.config, o.store, o.schema, o.quiet);
  const std::string body = o.body_file.empty() ? std::string() : read_file(o.body_file);
  Verdict verdict;
  const AuthSettings& settings = setup.settings;
  // What the config decides from the header alone: the realm it challenges with (when fixed)
  // and the algorithms it accepts.
  if (setup.from_config && !settings.realm.empty() && settings.realm_regex.empty() &&
      credentials.realm != settings.realm)
    verdict.reason = "realm mismatch: the credentials are for realm '" + credentials.realm +
                     "', the config challenges with realm '" + settings.realm +
                     "' (Flexisip would challenge again)";
  else if (setup.from_config && !algorithm_available(settings, credentials))
    verdict.reason = "algorithm " +
                     (credentials.algorithm.empty() ? "MD5" : credentials.algorithm) +
                     " not available (available-algorithms)";
  else
    verdict = verify(credentials, o.method, body, *setup.store);
  std::cout << (verdict.accepted ? "accepted" : "rejected: " + verdict.reason);
  if (verdict.line) std::cout << " (" << setup.locator.display() << " line " << verdict.line << ")";
  std::cout << '\n';
  return verdict.accepted ? exit_success : exit_negative;
}

int run(int argc, char** argv) {
  CLI::App app{"Rehearse the digest challenge/response of SIP: offline (the challenges a server "
               "sends,\na client's answer, a server's check of an answer against a userdb), or "
               "with real peers\n(a REGISTER to a live server, a registrar for a real phone).",
               "sipcred-sim"};
  app.require_subcommand(1);
  app.fallthrough();
  Options o;
  cli::add_common_options(app, "sipcred-sim", o.quiet);
  cli::add_list_stores_option(app);

  CLI::App* challenge = app.add_subcommand("challenge", "Print WWW-Authenticate challenges");
  challenge->add_option("--realm", o.realm, "Realm of the challenge")->required();
  cli::add_algorithm_list_option(
      *challenge, o.algorithms,
      "MD5 (default), SHA-256, SHA-512-256, -sess forms; one challenge each, in order");
  challenge->add_option("--qop", o.qop, "auth (default), auth-int or none")
      ->check(CLI::IsMember({"auth", "auth-int", "none"}));
  challenge->add_flag("--proxy", o.proxy, "Proxy-Authenticate (a proxy's 407) instead");
  challenge->add_flag("--stale", o.stale, "Mark the nonce stale (retry with the same password)");
  challenge->add_option("--nonce", o.nonce, "The nonce (default: 24 random bytes in hex)");
  challenge->add_option("--opaque", o.opaque, "An opaque value for the client to echo");

  CLI::App* respond = app.add_subcommand("respond", "Answer challenges as a client would");
  respond->add_option("--challenge", o.challenge,
                      "A challenge header line (default: the lines of standard input)");
  respond->add_option("--user", o.user, "The user")->required();
  respond->add_option("--auth-user", o.auth_user, "Digest username, when not the user");
  cli::add_password_options(*respond, o.password);
  respond->add_option("--method", o.method, "SIP method: REGISTER, INVITE...")->required();
  respond->add_option("--uri", o.uri, "The Request-URI")->required();
  respond->add_option("--cnonce", o.cnonce, "Client nonce (default: random)");
  respond->add_option("--nc", o.nc, "Nonce count (default 00000001)");
  respond->add_option("--body-file", o.body_file, "Message body, for qop=auth-int")
      ->type_name("FILE");
  respond->add_flag("--userhash", o.userhash, "Send H(user:realm) as the username (RFC 7616)");
  cli::add_algorithm_option(*respond, o.algorithm, "Answer only the challenge of this algorithm");

  CLI::App* verify = app.add_subcommand("verify", "Check an Authorization header against a store");
  verify->add_option("--authorization", o.authorization, "The Authorization header line")
      ->required();
  verify
      ->add_option("--store", o.store,
                   "Where the accounts are (overrides the config's): " + cli::store_forms())
      ->type_name("LOCATOR");
  verify
      ->add_option("--schema", o.schema,
                   "SQL schema of --store: " + schema_names() +
                       " (default: flexisip), read as that server does")
      ->type_name("SCHEMA");
  verify
      ->add_option("--config", o.config, "flexisip.conf: its store and available-algorithms, realm")
      ->type_name("FILE");
  verify->add_option("--method", o.method, "SIP method of the request")->required();
  verify->add_option("--body-file", o.body_file, "Message body, for qop=auth-int")
      ->type_name("FILE");

  CLI::App* probe = app.add_subcommand("probe", "Register with a live SIP server, answering its "
                                                "challenge; print the transcript");
  probe->add_option("uri", o.probe.aor, "sip:USER@HOST[:PORT], the address to register")
      ->required();
  probe->add_option("--transport", o.probe.transport, "udp (default) or tcp")
      ->check(CLI::IsMember({"udp", "tcp"}));
  probe->add_option("--auth-user", o.probe.auth_user, "Digest username, when not the user");
  cli::add_password_options(*probe, o.probe.password);
  probe->add_option("--timeout", o.probe.timeout, "Seconds to wait for each answer (default 10)")
      ->type_name("S");
  cli::add_algorithm_option(*probe, o.probe.algorithm,
                            "Answer only the challenge of this algorithm");

  CLI::App* serve = app.add_subcommand("serve", "Be a registrar that authenticates REGISTERs "
                                                "as Flexisip does");
  serve->add_option("--listen", o.serve.listen, "HOST:PORT to listen on (default 127.0.0.1:5060)")
      ->type_name("HOST:PORT");
  CLI::Option* serve_config =
      serve
          ->add_option("--config", o.serve.config,
                       "flexisip.conf: authenticate as its [module::Authentication] says")
          ->type_name("FILE");
  serve
      ->add_option("--store", o.serve.store,
                   "The accounts: a userdb PATH or any store locator (overrides the config's)")
      ->type_name("LOCATOR");
  serve
      ->add_option("--schema", o.serve.schema,
                   "SQL schema of --store: " + schema_names() +
                       " (default: flexisip), read as that server does")
      ->type_name("SCHEMA");
  for (CLI::Option* setting :
       {serve->add_option("--realm", o.serve.realm,
                          "Realm of the challenges (default: the From domain)"),
        cli::add_algorithm_list_option(*serve, o.serve.algorithms,
                                       "MD5 (default) or SHA-256; one challenge each, in order"),
        serve->add_flag("--no-qop", o.serve.no_qop, "Challenge without qop (disable-qop-auth)"),
        serve->add_flag("--no-403", o.serve.no_403, "Answer a failed check with a new challenge"),
        serve
            ->add_option("--nonce-expires", o.serve.nonce_expires,
                         "Nonce lifetime in seconds (3600)")
            ->type_name("S")})
    setting->excludes(serve_config);
  serve->add_option("--transport", o.serve.transport, "udp, tcp or both (default)")
      ->check(CLI::IsMember({"udp", "tcp", "both"}));
  serve
      ->add_option("--idle-timeout", o.serve.idle_timeout,
                   "Seconds a TCP connection may stay idle before it is closed (120)")
      ->type_name("S");
  serve
      ->add_option("--message-timeout", o.serve.message_timeout,
                   "Seconds a TCP peer has from the first byte of a message to its last (20)")
      ->type_name("S");
  serve
      ->add_option("--max-failures", o.serve.max_failures,
                   "After N failed authentications from one address within MINUTES, answer "
                   "its requests 403 until that window closes (default: no limit)")
      ->type_name("N/MINUTES");

  CLI::App* exchange = app.add_subcommand(
      "exchange", "Rehearse a user's whole exchange as a flexisip.conf sets it up; print the "
                  "transcript");
  exchange->add_option("--config", o.exchange.config, "flexisip.conf")
      ->required()
      ->type_name("FILE");
  exchange
      ->add_option("--store", o.exchange.store,
                   "The accounts, instead of the config's: a userdb PATH or any store locator")
      ->type_name("LOCATOR");
  exchange
      ->add_option("--schema", o.exchange.schema,
                   "SQL schema of --store: " + schema_names() +
                       " (default: flexisip), read as that server does")
      ->type_name("SCHEMA");
  exchange->add_option("--user", o.exchange.user, "The identity that registers: USER@DOMAIN")
      ->required()
      ->type_name("IDENTITY");
  exchange->add_option("--auth-user", o.exchange.auth_user, "Digest username, when not the user");
  cli::add_password_options(*exchange, o.exchange.password);
  exchange
      ->add_option("--method", o.exchange.method,
                   "REGISTER (default, challenged with 401) or another method (407)")
      ->type_name("METHOD");
  exchange->add_flag("--json", o.exchange.json, "Print the transcript and verdict as JSON");

  cli::parse(app, argc, argv);
  if (challenge->parsed()) return run_challenge(o);
  if (exchange->parsed()) {
    o.exchange.quiet = o.quiet;
    return sim::run_exchange(o.exchange);
  }
  if (respond->parsed()) return run_respond(o);
  if (probe->parsed()) return sim::run_probe(o.probe);
  if (serve->parsed()) {
    if (o.serve.config.empty() && o.serve.store.empty())
      throw Error(ErrorKind::Usage, "serve needs --store LOCATOR or --config flexisip.conf");
    o.serve.quiet = o.quiet;
    return sim::run_serve(o.serve);
  }
  return run_verify(o);
}

} // namespace

int main(int argc, char** argv) {
  sipcred::add_database_stores(); // libsipcred-sql, loaded when a database is opened
  return sipcred::cli::run_tool("sipcred-sim", [&] { return run(argc, argv); });
}
