// sipcred-sim probe: one real registration, its transcript on standard output.

#include "algorithm_option.hpp"
#include "live_commands.hpp"
#include "net.hpp"

#include "sipcred/sip/register_client.hpp"
#include "sipcred/userdb/userdb.hpp"
#include "sipcred/util/ascii.hpp"
#include "sipcred/util/error.hpp"

#include <netdb.h>

#include <cmath>
#include <iostream>

namespace sipcred::sim {

namespace {

using Clock = std::chrono::steady_clock;

// RFC 3261 §17.1.2.2: a non-INVITE request over UDP is sent again after T1, then at doubling
// intervals capped at T2, until the transaction times out.
constexpr Milliseconds t1{500};
constexpr Milliseconds t2{4000};

// The lines of a message the transcript shows: the start line and the digest headers. The
// password never is in a message; the response hash is.
void show(const SipMessage& message, char direction) {
  std::cout << direction << ' ' << message.start_line() << '\n';
  for (const auto& [name, value] : message.headers)
    for (const char* shown : {"WWW-Authenticate", "Proxy-Authenticate", "Authorization",
                              "Proxy-Authorization", "Authentication-Info"})
      if (message.header(name) && iequals(name, shown))
        std::cout << direction << ' ' << name << ": " << value << '\n';
  std::cout.flush();
}

} // namespace

int run_probe(const ProbeOptions& o) {
  SipUri aor;
  try {
    aor = parse_sip_uri(o.aor);
  } catch (const Error& e) { // the command line is wrong, not data read
    throw Error(ErrorKind::Usage, e.what());
  }
  if (aor.user.empty()) throw Error(ErrorKind::Usage, "the URI needs a user: sip:USER@HOST");
  std::string transport = o.transport.empty() ? aor.transport : o.transport;
  if (transport.empty()) transport = "udp";
  if (transport != "udp" && transport != "tcp")
    throw Error(ErrorKind::Usage, "transport " + transport + " is not supported (udp or tcp)");
  if (!(o.timeout > 0) || o.timeout > 3600)
    throw Error(ErrorKind::Usage, "--timeout takes seconds between 0 and 3600");
  const Milliseconds timeout{static_cast<long long>(std::ceil(o.timeout * 1000))};

  RegisterSettings settings;
  settings.aor = aor;
  settings.auth_user = o.auth_user;
  settings.transport = transport == "udp" ? "UDP" : "TCP";
  if (!o.algorithm.empty()) settings.algorithm = cli::digest_algorithm(o.algorithm);
  const std::string shown_user = o.auth_user.empty() ? userdb::url_unescape(aor.user) : o.auth_user;
  settings.password = cli::read_password(o.password, "Password for " + shown_user + ": ");
  const cli::WipedOnExit wiped(settings.password);

  const Address peer =
      resolve(aor.host, aor.port.value_or(5060), transport == "udp" ? SOCK_DGRAM : SOCK_STREAM)
          .front();
  std::unique_ptr<Connection> connection =
      transport == "udp" ? connect_udp(peer) : connect_tcp(peer, timeout);
  const Address local = connection->local();
  settings.local_host = local.host();
  settings.local_port = local.port();
  RegisterClient client(settings);

  SipMessage request = client.first_request();
  std::string last_answer;
  while (true) {
    show(request, '>');
    const std::string wire = request.format();
    connection->send(wire);
    const auto deadline = Clock::now() + timeout;
    Milliseconds interval = t1;
    auto resend_at = Clock::now() + interval;
    std::optional<RegisterClient::Next> next;
    while (!next) {
      const auto now = Clock::now();
      if (now >= deadline)
        throw Error(ErrorKind::Unavailable, "no answer from " + transport + " " + peer.text() +
                                                " within " + std::to_string(timeout.count()) +
                                                " ms");
      const auto until = connection->reliable() ? deadline : std::min(deadline, resend_at);
      const auto data = connection->receive(std::chrono::duration_cast<Milliseconds>(until - now));
      if (!data) {
        if (!connection->reliable() && Clock::now() >= resend_at && Clock::now() < deadline) {
          connection->send(wire);
          interval = std::min(interval * 2, t2);
          resend_at = Clock::now() + interval;
        }
        continue;
      }
      SipMessage response;
      try {
        response = parse_sip_message(*data);
      } catch (const Error& e) {
        throw Error(ErrorKind::DataError, peer.text() + " answered: " + e.what());
      }
      if (response.is_request())
        throw Error(ErrorKind::DataError,
                    peer.text() + " answered with a request (" + response.start_line() + ")");
      RegisterClient::Next step = client.on_response(response);
      if (step.step == RegisterClient::Step::Wait) {
        if (step.why.empty()) { // provisional: the server has it; resend only every T2
          show(response, '<');
          interval = t2;
          resend_at = Clock::now() + t2;
        }
        continue;
      }
      show(response, '<');
      last_answer = response.start_line().substr(8); // "401 Unauthorized"
      next = std::move(step);
    }
    switch (next->step) {
    case RegisterClient::Step::Send: request = std::move(next->request); continue;
    case RegisterClient::Step::Done: std::cout << "registered\n"; return exit_success;
    case RegisterClient::Step::Rejected:
    case RegisterClient::Step::Wait: break;
    }
    std::cout << "rejected: " << last_answer << (next->why.empty() ? "" : " (" + next->why + ")")
              << '\n';
    return exit_negative;
  }
}

} // namespace sipcred::sim
