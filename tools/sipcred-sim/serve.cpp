// sipcred-sim serve: a registrar on UDP and TCP that authenticates as Flexisip does, one log
// line per request on standard output, stopped by SIGINT or SIGTERM.

#include "live_commands.hpp"
#include "net.hpp"
#include "server_setup.hpp"

#include "sipcred/error.hpp"
#include "sipcred/registrar.hpp"

#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstring>
#include <iostream>
#include <map>

namespace sipcred::sim {

namespace {

constexpr std::size_t max_connections = 256;
constexpr std::size_t max_stream_buffer = 1 << 20; // a peer sending more without a message: cut

// The command line's settings, when there is no --config.
AuthSettings settings_of(const ServeOptions& o) {
  AuthSettings settings;
  settings.realm = o.realm;
  settings.disable_qop_auth = o.no_qop;
  settings.no_403 = o.no_403;
  settings.nonce_expires = std::chrono::seconds(o.nonce_expires);
  if (!o.algorithms.empty()) {
    settings.algorithms.clear();
    for (const std::string& name : o.algorithms) {
      const auto algorithm = parse_algorithm(name);
      // Flexisip refuses to start with anything else in available-algorithms.
      if (!algorithm || algorithm->session || algorithm->hash == HashFunction::Sha512_256)
        throw Error(ErrorKind::Usage,
                    "algorithm '" + name + "': Flexisip offers only MD5 and SHA-256");
      settings.algorithms.push_back(*algorithm);
    }
  }
  if (o.nonce_expires == 0) throw Error(ErrorKind::Usage, "--nonce-expires must be above 0");
  return settings;
}

// One line per event, whatever a peer put in its headers: control bytes are shown as '?'.
void log(std::string line) {
  for (char& c : line)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  std::cout << line << std::endl;
}

class Server {
public:
  Server(Registrar& registrar) : m_registrar(registrar) {}

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
    try {
      const Registrar::Outcome outcome =
          m_registrar.handle(request, Registrar::Clock::now(), source);
      log(peer + ": " + outcome.log);
      return outcome.response ? outcome.response->format() : std::string();
    } catch (const Error& e) { // one odd request must not stop the registrar
      log(peer + ": " + request.start_line() + ": " + e.what() + ", dropped");
      return {};
    }
  }

private:
  Registrar& m_registrar;
};

struct Stream {
  Fd fd;
  std::string peer;
  std::string source; // the peer's IP address
  std::string buffer;
};

} // namespace

int run_serve(const ServeOptions& o) {
  // Checked before the config and the store are read: a bad command line is a usage error.
  const AuthSettings command_line = settings_of(o);
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
  log(std::string("listening on ") + (udp ? "udp " : "") + (tcp ? "tcp " : "") + address.text() +
      " (" + describe(setup) + ")");

  Server server(registrar);
  std::map<int, Stream> streams;
  std::string datagram(65536, '\0');
  while (true) {
    std::vector<pollfd> polled{{signal_fd.get(), POLLIN, 0}};
    if (udp) polled.push_back({udp_fd.get(), POLLIN, 0});
    if (tcp) polled.push_back({tcp_fd.get(), POLLIN, 0});
    for (const auto& [fd, stream] : streams) polled.push_back({fd, POLLIN, 0});
    if (::poll(polled.data(), polled.size(), -1) < 0) {
      if (errno == EINTR) continue;
      throw Error(ErrorKind::Io, std::string("poll: ") + std::strerror(errno));
    }
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
        Address from;
        from.length = sizeof from.storage;
        Fd fd(::accept4(tcp_fd.get(), reinterpret_cast<sockaddr*>(&from.storage), &from.length,
                        SOCK_CLOEXEC | SOCK_NONBLOCK));
        if (fd.get() < 0) continue;
        if (streams.size() >= max_connections) {
          log("tcp " + from.text() + ": too many connections, closed");
          continue;
        }
        const int key = fd.get();
        streams[key] = Stream{std::move(fd), "tcp " + from.text(), from.host(), {}};
        continue;
      }
      const auto found = streams.find(p.fd);
      if (found == streams.end()) continue;
      Stream& stream = found->second;
      char chunk[16384];
      const ssize_t n = ::recv(p.fd, chunk, sizeof chunk, 0);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      bool close = n <= 0;
      if (n > 0) stream.buffer.append(chunk, static_cast<std::size_t>(n));
      try {
        while (!close) {
          const auto size = sip_message_size(stream.buffer);
          if (!size) break;
          const std::string response = server.answer(
              std::string_view(stream.buffer).substr(0, *size), stream.peer, stream.source);
          stream.buffer.erase(0, *size);
          if (!response.empty() && !send_all(p.fd, response)) close = true;
        }
      } catch (const Error& e) { // no way to find the next message: drop the connection
        log(stream.peer + ": " + e.what() + "; connection closed");
        close = true;
      }
      if (stream.buffer.size() > max_stream_buffer) close = true;
      if (close) streams.erase(found);
    }
  }
}

} // namespace sipcred::sim
