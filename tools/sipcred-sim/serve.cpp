// sipcred-sim serve: a registrar on UDP and TCP that authenticates as Flexisip does, one log
// line per request on standard output, stopped by SIGINT or SIGTERM.

#include "algorithm_option.hpp"
#include "live_commands.hpp"
#include "net.hpp"
#include "server_setup.hpp"

#include "sipcred/sip/exchange.hpp"
#include "sipcred/sip/failure_limit.hpp"
#include "sipcred/sip/registrar.hpp"
#include "sipcred/util/error.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <iostream>
#include <map>

namespace sipcred::sim {

namespace {

using Clock = std::chrono::steady_clock;

// The limits of TCP (sipcred-sim(1), LIMITS, says why each value). A connection is cut when it
// stays idle past --idle-timeout, or when a message is not whole --message-timeout after its
// first byte; at max_connections, a new connection takes the place of the one idle the longest.
constexpr std::size_t max_connections = 256;
// The largest message taken, headers and body: what one UDP datagram can carry. A REGISTER
// needs a few hundred bytes; a longer message on a stream cuts the connection, so that a peer
// costs serve at most this much input however much it sends.
constexpr std::size_t max_message = 65535;
// Responses a peer has not read yet: past this, its next requests wait, unread.
constexpr std::size_t max_output = 65536;
// How many connections one pass of the loop accepts, so that a flood of them leaves room for
// UDP and for the connections already there.
constexpr int accepts_per_pass = 64;

// The command line's settings, when there is no --config.
AuthSettings settings_of(const ServeOptions& o) {
  AuthSettings settings;
  settings.realm = o.realm;
  settings.disable_qop_auth = o.no_qop;
  settings.no_403 = o.no_403;
  settings.nonce_expires = std::chrono::seconds(o.nonce_expires);
  if (!o.algorithms.empty()) settings.algorithms = cli::flexisip_algorithms(o.algorithms);
  if (o.nonce_expires == 0) throw Error(ErrorKind::Usage, "--nonce-expires must be above 0");
  return settings;
}

void check_timeout(const char* option, unsigned seconds) {
  if (seconds == 0 || seconds > 86400)
    throw Error(ErrorKind::Usage, std::string(option) + " takes seconds from 1 to 86400");
}

// One line per event, whatever a peer put in its headers: control bytes are shown as '?'.
void log(std::string line) {
  for (char& c : line)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  std::cout << line << std::endl;
}

class Server {
public:
  Server(Registrar& registrar, std::optional<FailureLimit> limit)
      : m_registrar(registrar), m_limit(std::move(limit)) {}

  // Answers one message from `peer` (whose IP address is `source`); the response bytes, empty
  // for none.
  std::string answer(std::string_view data, const std::string& peer, const std::string& source) {
    SipMessage request;
    try {
      request = parse_sip_message(data);
    } catch (const Error& e) {
      log(peer + ": " + e.what());
      return {};
    }
    if (!request.is_request()) {
      log(peer + ": a response (" + request.start_line() + "), ignored");
      return {};
    }
    const Clock::time_point now = Clock::now();
    if (m_limit)
      if (const auto left = m_limit->blocked(source, now)) return refuse(request, peer, *left);
    try {
      const Registrar::Outcome outcome = m_registrar.handle(request, now, source);
      log(peer + ": " + outcome.log);
      // Every verdict that refuses credentials counts (a 403, or the new challenge of no-403):
      // each is one guess answered.
      if (m_limit && !outcome.accepted && outcome.reason.starts_with("rejected: "))
        m_limit->record_failure(source, now);
      return outcome.response ? outcome.response->format() : std::string();
    } catch (const Error& e) { // one odd request must not stop the registrar
      log(peer + ": " + request.start_line() + ": " + e.what() + ", dropped");
      return {};
    }
  }

private:
  // A source over --max-failures gets the 403 of a wrong password, not silence: a phone stops
  // on a final answer (over UDP, silence makes it send the request ten times more), the user
  // sees why, and a guesser cannot tell it from a wrong guess. Nothing is looked up or hashed.
  std::string refuse(const SipMessage& request, const std::string& peer, Clock::duration left) {
    const std::string what =
        request.method + " " + std::string(name_addr_uri(request.header("From").value_or("")));
    const auto seconds = std::chrono::ceil<std::chrono::seconds>(left).count();
    const std::string why = "blocked: " + std::to_string(m_limit->failures()) +
                            " failed authentications within " +
                            std::to_string(m_limit->window().count()) + " min, for " +
                            std::to_string(seconds) + " s more";
    if (request.method == "ACK") {
      log(peer + ": " + what + ": " + why + ", no response");
      return {};
    }
    log(peer + ": " + what + ": " + why + " -> 403 Forbidden");
    return make_response(request, 403, "Forbidden", random_nonce(6)).format();
  }

  Registrar& m_registrar;
  std::optional<FailureLimit> m_limit;
};

struct Stream {
  Fd fd;
  std::string peer;
  std::string source;              // the peer's IP address
  std::string input;               // received, not yet answered
  std::size_t searched = 0;        // input[0, searched) holds no end of headers
  std::optional<std::size_t> size; // of the message input begins, once its headers are in
  std::optional<Clock::time_point> message_began; // when its first byte was read
  Clock::time_point last_activity;                // a byte read or sent
  std::string output;                             // responses the peer has not taken yet
};

// Whether the headers of the message at the start of s.input have ended (an empty line came).
// The search resumes where the last one stopped: a peer sending a byte at a time costs one
// pass over its headers, not one per byte.
bool headers_ended(Stream& s) {
  const std::string_view in = s.input;
  for (std::size_t lf = in.find('\n', s.searched); lf != std::string_view::npos;
       lf = in.find('\n', lf + 1)) {
    const bool cr = lf + 1 < in.size() && in[lf + 1] == '\r';
    const std::size_t next = lf + (cr ? 2 : 1);
    if (next >= in.size()) {
      s.searched = lf;
      return false;
    }
    if (in[next] == '\n') return true;
  }
  s.searched = in.size();
  return false;
}

// The TCP side of serve: the connections, their deadlines, and the room they take.
class Streams {
public:
  Streams(Server& server, Clock::duration idle_timeout, Clock::duration message_timeout)
      : m_server(server), m_idle_timeout(idle_timeout), m_message_timeout(message_timeout) {}

  // The descriptors to poll: a connection is read while its peer takes its responses.
  void add_polled(std::vector<pollfd>& polled) const {
    for (const auto& [fd, s] : m_streams) {
      short events = 0;
      if (s.output.size() < max_output) events |= POLLIN;
      if (!s.output.empty()) events |= POLLOUT;
      polled.push_back({fd, events, 0});
    }
  }

  // Milliseconds to the next deadline (-1: none), for poll.
  int next_deadline(Clock::time_point now) const {
    std::optional<Clock::time_point> next;
    for (const auto& [fd, s] : m_streams)
      if (!next || deadline(s) < *next) next = deadline(s);
    if (!next) return -1;
    if (*next <= now) return 0;
    return static_cast<int>(
        std::min<long long>(std::chrono::ceil<Milliseconds>(*next - now).count(), 1 << 30));
  }

  void on_event(const pollfd& p, Clock::time_point now) {
    const auto found = m_streams.find(p.fd);
    if (found == m_streams.end()) return;
    Stream& s = found->second;
    bool keep = true;
    bool gone = false; // the peer closed its side: answer what is whole, then close
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      char chunk[16384];
      const ssize_t n = ::recv(p.fd, chunk, sizeof chunk, 0);
      if (n > 0) {
        s.input.append(chunk, static_cast<std::size_t>(n));
        s.last_activity = now;
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        gone = true;
      }
    }
    try {
      keep = process(s, now) && !gone;
    } catch (const Error& e) { // no way to find the next message: drop the connection
      log(s.peer + ": " + e.what() + "; connection closed");
      keep = false;
    }
    if (!keep) m_streams.erase(found);
  }

  // Closes the connections past their deadline.
  void expire(Clock::time_point now) {
    std::erase_if(m_streams, [&](const auto& entry) {
      const Stream& s = entry.second;
      if (now < deadline(s)) return false;
      if (s.message_began)
        log(s.peer + ": no whole message " + seconds(m_message_timeout) +
            " after its first byte; connection closed");
      else
        log(s.peer + ": idle for " + seconds(m_idle_timeout) + "; connection closed");
      return true;
    });
  }

  void add(Fd fd, const Address& from, Clock::time_point now) {
    const std::string peer = "tcp " + from.text();
    if (m_streams.size() >= max_connections) make_room(peer);
    const int key = fd.get();
    Stream s{std::move(fd), peer, from.host(), {}, 0, {}, {}, now, {}};
    m_streams.insert_or_assign(key, std::move(s));
  }

private:
  Clock::time_point deadline(const Stream& s) const {
    return s.message_began ? *s.message_began + m_message_timeout
                           : s.last_activity + m_idle_timeout;
  }

  static std::string seconds(Clock::duration d) {
    return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count()) + " s";
  }

  // Answers the whole messages of s.input while the peer takes the responses; false when the
  // connection is to be closed.
  bool process(Stream& s, Clock::time_point now) {
    while (s.output.size() < max_output) {
      if (!s.message_began) {
        // CRLFs between messages are keep-alives (RFC 5626): activity, not a message.
        s.input.erase(0, s.input.find_first_not_of("\r\n"));
        if (s.input.empty()) break;
        s.message_began = now;
      }
      if (!s.size) {
        if (!headers_ended(s)) {
          if (s.input.size() <= max_message) break;
          log(s.peer + ": headers longer than " + std::to_string(max_message) +
              " bytes; connection closed");
          return false;
        }
        s.size = sip_message_expected_size(s.input, max_message);
        if (*s.size > max_message) {
          log(s.peer + ": a message of " + std::to_string(*s.size) + " bytes, more than " +
              std::to_string(max_message) + "; connection closed");
          return false;
        }
      }
      if (s.input.size() < *s.size) break;
      s.output += m_server.answer(std::string_view(s.input).substr(0, *s.size), s.peer, s.source);
      s.input.erase(0, *s.size);
      s.searched = 0;
      s.size.reset();
      s.message_began.reset();
    }
    // An idle connection keeps no large buffer: 256 of them stay small.
    if (s.input.empty() && s.input.capacity() > 4096) std::string().swap(s.input);
    if (s.output.empty()) return true;
    const auto sent = send_some(s.fd.get(), s.output);
    if (!sent) return false;
    if (*sent) {
      s.output.erase(0, *sent);
      s.last_activity = now;
    }
    if (s.output.empty() && s.output.capacity() > 4096) std::string().swap(s.output);
    return true;
  }

  // At max_connections: closes the connection idle the longest. When every one is in the middle
  // of a message, the one whose message began first goes: a real client's message arrives
  // within milliseconds, so that one is the slowest.
  void make_room(const std::string& newcomer) {
    auto victim = m_streams.begin();
    for (auto it = m_streams.begin(); it != m_streams.end(); ++it) {
      const Stream &a = it->second, &b = victim->second;
      if (a.message_began.has_value() != b.message_began.has_value()) {
        if (!a.message_began) victim = it;
      } else if (a.message_began ? *a.message_began < *b.message_began
                                 : a.last_activity < b.last_activity) {
        victim = it;
      }
    }
    log(victim->second.peer + ": closed to make room for " + newcomer + " (" +
        std::to_string(max_connections) + " connections)");
    m_streams.erase(victim);
  }

  Server& m_server;
  Clock::duration m_idle_timeout;
  Clock::duration m_message_timeout;
  std::map<int, Stream> m_streams;
};

} // namespace

int run_serve(const ServeOptions& o) {
  // Checked before the config and the store are read: a bad command line is a usage error.
  const AuthSettings command_line = settings_of(o);
  check_timeout("--idle-timeout", o.idle_timeout);
  check_timeout("--message-timeout", o.message_timeout);
  std::optional<FailureLimit> limit;
  if (!o.max_failures.empty()) try {
      limit = FailureLimit::parse(o.max_failures);
    } catch (const Error& e) {
      throw Error(e.kind(), std::string("--max-failures: ") + e.what());
    }
  const auto [host, port] = split_host_port(o.listen, 5060);
  const bool udp = o.transport != "tcp", tcp = o.transport != "udp";
  ServerSetup setup = load_server_setup(o.config, o.store, o.schema, o.quiet);
  if (!setup.from_config) setup.settings = command_line;
  const AuthSettings& settings = setup.settings;
  Registrar registrar(settings, *setup.store);
  if (!settings.realm.empty() && setup.accounts && !o.quiet)
    for (const std::string& user : clear_text_realm_mismatches(*setup.store, settings.realm))
      std::cerr << "sipcred-sim: warning: " << setup.locator.display() << ":" << user
                << ": a clear-text password, which Flexisip hashes with the domain of the "
                   "identity, never with the realm '"
                << settings.realm << "': this user cannot register\n";

  // Signals become readable events of the poll loop: nothing runs in a handler.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  if (sigprocmask(SIG_BLOCK, &signals, nullptr) != 0)
    throw Error(ErrorKind::Internal, "sigprocmask failed");
  Fd signal_fd(::signalfd(-1, &signals, SFD_CLOEXEC));
  if (signal_fd.get() < 0) throw Error(ErrorKind::Internal, "signalfd failed");

  // UDP and TCP on the same port; with port 0, the one the system picks for the first. That
  // port may be taken for TCP by another program: then the system picks again, a few times.
  const Address requested = resolve(host, port, udp ? SOCK_DGRAM : SOCK_STREAM).front();
  Address address;
  Fd udp_fd, tcp_fd;
  for (int attempt = 1;; ++attempt) {
    address = requested;
    try {
      if (udp) {
        udp_fd = bind_udp(address);
        address = local_address(udp_fd.get());
      }
      if (tcp) {
        tcp_fd = listen_tcp(address);
        address = local_address(tcp_fd.get());
      }
      break;
    } catch (const Error&) {
      if (port != 0 || !udp || !tcp || attempt == 20) throw;
      udp_fd = Fd();
    }
  }
  // accept4 in a loop until the queue is empty.
  if (tcp) ::fcntl(tcp_fd.get(), F_SETFL, ::fcntl(tcp_fd.get(), F_GETFL) | O_NONBLOCK);
  std::string described = describe(setup);
  if (limit)
    described += ", max-failures " + std::to_string(limit->failures()) + "/" +
                 std::to_string(limit->window().count());
  log(std::string("listening on ") + (udp ? "udp " : "") + (tcp ? "tcp " : "") + address.text() +
      " (" + described + ")");

  Server server(registrar, std::move(limit));
  Streams streams(server, std::chrono::seconds(o.idle_timeout),
                  std::chrono::seconds(o.message_timeout));
  std::string datagram(65536, '\0');
  std::vector<pollfd> polled;
  while (true) {
    polled.assign({{signal_fd.get(), POLLIN, 0}});
    if (udp) polled.push_back({udp_fd.get(), POLLIN, 0});
    if (tcp) polled.push_back({tcp_fd.get(), POLLIN, 0});
    streams.add_polled(polled);
    if (::poll(polled.data(), polled.size(), streams.next_deadline(Clock::now())) < 0) {
      if (errno == EINTR) continue;
      throw Error(ErrorKind::Io, std::string("poll: ") + std::strerror(errno));
    }
    const Clock::time_point now = Clock::now();
    bool accept = false;
    for (const pollfd& p : polled) {
      if (!p.revents) continue;
      if (p.fd == signal_fd.get()) {
        signalfd_siginfo info{};
        if (::read(signal_fd.get(), &info, sizeof info) != sizeof info) continue;
        log(std::string("stopping on ") + (info.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM"));
        return exit_success;
      }
      if (udp && p.fd == udp_fd.get()) {
        Address from;
        from.length = sizeof from.storage;
        const ssize_t n = ::recvfrom(udp_fd.get(), datagram.data(), datagram.size(), 0,
                                     reinterpret_cast<sockaddr*>(&from.storage), &from.length);
        if (n <= 0) continue;
        // The response goes back where the request came from (as with rport, RFC 3581).
        const std::string response =
            server.answer(std::string_view(datagram.data(), static_cast<std::size_t>(n)),
                          "udp " + from.text(), from.host());
        if (!response.empty())
          ::sendto(udp_fd.get(), response.data(), response.size(), 0,
                   reinterpret_cast<const sockaddr*>(&from.storage), from.length);
        continue;
      }
      if (tcp && p.fd == tcp_fd.get()) {
        accept = true; // after the connections polled, so that no descriptor is reused meanwhile
        continue;
      }
      streams.on_event(p, now);
    }
    streams.expire(now);
    for (int i = 0; accept && i < accepts_per_pass; ++i) {
      Address from;
      from.length = sizeof from.storage;
      Fd fd(::accept4(tcp_fd.get(), reinterpret_cast<sockaddr*>(&from.storage), &from.length,
                      SOCK_CLOEXEC | SOCK_NONBLOCK));
      if (fd.get() < 0) break;
      streams.add(std::move(fd), from, now);
    }
  }
}

} // namespace sipcred::sim
