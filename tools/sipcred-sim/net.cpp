#include "net.hpp"

#include "sipcred/sip/sip_message.hpp"
#include "sipcred/util/error.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>

namespace sipcred::sim {

namespace {

[[noreturn]] void unavailable(const std::string& what) {
  throw Error(ErrorKind::Unavailable, what + ": " + std::strerror(errno));
}

// Waits for `events` on fd; false on timeout.
bool wait_for(int fd, short events, Milliseconds timeout) {
  pollfd p{fd, events, 0};
  while (true) {
    const int n = ::poll(&p, 1, static_cast<int>(std::max<long long>(0, timeout.count())));
    if (n >= 0) return n > 0;
    if (errno != EINTR) unavailable("poll");
  }
}

class UdpConnection : public Connection {
public:
  UdpConnection(Fd fd, Address peer) : m_fd(std::move(fd)), m_peer(std::move(peer)) {}
  void send(std::string_view message) override {
    if (::send(m_fd.get(), message.data(), message.size(), 0) < 0)
      unavailable("cannot send to udp " + m_peer.text());
  }
  std::optional<std::string> receive(Milliseconds timeout) override {
    if (!wait_for(m_fd.get(), POLLIN, timeout)) return std::nullopt;
    std::string buffer(65536, '\0');
    const ssize_t n = ::recv(m_fd.get(), buffer.data(), buffer.size(), 0);
    if (n < 0) {
      if (errno == ECONNREFUSED)
        throw Error(ErrorKind::Unavailable,
                    "nothing listens on udp " + m_peer.text() + " (port unreachable)");
      unavailable("cannot read from udp " + m_peer.text());
    }
    buffer.resize(static_cast<std::size_t>(n));
    return buffer;
  }
  bool reliable() const override { return false; }
  Address local() const override { return local_address(m_fd.get()); }

private:
  Fd m_fd;
  Address m_peer;
};

class TcpConnection : public Connection {
public:
  TcpConnection(Fd fd, Address peer) : m_fd(std::move(fd)), m_peer(std::move(peer)) {}
  void send(std::string_view message) override {
    if (!send_all(m_fd.get(), message))
      throw Error(ErrorKind::Unavailable, "tcp " + m_peer.text() + " closed the connection");
  }
  std::optional<std::string> receive(Milliseconds timeout) override {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      if (const auto size = sip_message_size(m_buffer)) {
        std::string message = m_buffer.substr(0, *size);
        m_buffer.erase(0, *size);
        return message;
      }
      const auto left =
          std::chrono::duration_cast<Milliseconds>(deadline - std::chrono::steady_clock::now());
      if (!wait_for(m_fd.get(), POLLIN, left)) return std::nullopt;
      char chunk[16384];
      const ssize_t n = ::recv(m_fd.get(), chunk, sizeof chunk, 0);
      if (n < 0 && errno != EINTR) unavailable("cannot read from tcp " + m_peer.text());
      if (n == 0)
        throw Error(ErrorKind::Unavailable,
                    "tcp " + m_peer.text() + " closed the connection without an answer");
      if (n > 0) m_buffer.append(chunk, static_cast<std::size_t>(n));
    }
  }
  bool reliable() const override { return true; }
  Address local() const override { return local_address(m_fd.get()); }

private:
  Fd m_fd;
  Address m_peer;
  std::string m_buffer;
};

Fd new_socket(const Address& address, int type) {
  Fd fd(::socket(address.storage.ss_family, type | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) unavailable("socket");
  return fd;
}

} // namespace

Fd& Fd::operator=(Fd&& other) noexcept {
  if (this != &other) {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = other.release();
  }
  return *this;
}

Fd::~Fd() {
  if (m_fd >= 0) ::close(m_fd);
}

int Fd::release() noexcept {
  const int fd = m_fd;
  m_fd = -1;
  return fd;
}

std::string Address::host() const {
  char text[INET6_ADDRSTRLEN] = "?";
  if (storage.ss_family == AF_INET)
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(storage).sin_addr, text,
                sizeof text);
  else if (storage.ss_family == AF_INET6)
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(storage).sin6_addr, text,
                sizeof text);
  return text;
}

unsigned short Address::port() const {
  if (storage.ss_family == AF_INET)
    return ntohs(reinterpret_cast<const sockaddr_in&>(storage).sin_port);
  if (storage.ss_family == AF_INET6)
    return ntohs(reinterpret_cast<const sockaddr_in6&>(storage).sin6_port);
  return 0;
}

std::string Address::text() const {
  const std::string h = host();
  return (storage.ss_family == AF_INET6 ? "[" + h + "]" : h) + ":" + std::to_string(port());
}

std::pair<std::string, unsigned short> split_host_port(std::string_view text,
                                                       unsigned short default_port) {
  std::string_view host = text, port;
  if (text.starts_with('[')) {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos)
      throw Error(ErrorKind::Usage, "unclosed '[' in '" + std::string(text) + "'");
    host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':')
        throw Error(ErrorKind::Usage, "expected HOST:PORT, not '" + std::string(text) + "'");
      port = text.substr(close + 2);
    }
  } else if (const std::size_t colon = text.rfind(':'); colon != std::string_view::npos) {
    if (text.find(':') != colon)
      throw Error(ErrorKind::Usage,
                  "write an IPv6 address in brackets: [" + std::string(text) + "]:PORT");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  unsigned value = default_port;
  if (!port.empty() || text.ends_with(':')) {
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535)
      throw Error(ErrorKind::Usage, "bad port in '" + std::string(text) + "'");
  }
  if (host.empty()) throw Error(ErrorKind::Usage, "no host in '" + std::string(text) + "'");
  return {std::string(host), static_cast<unsigned short>(value)};
}

std::vector<Address> resolve(const std::string& host, unsigned short port, int socktype) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = socktype;
  addrinfo* found = nullptr;
  const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (rc != 0)
    throw Error(ErrorKind::Unavailable, "cannot resolve " + host + ": " + ::gai_strerror(rc));
  std::vector<Address> addresses;
  for (const addrinfo* a = found; a; a = a->ai_next) {
    Address address;
    std::memcpy(&address.storage, a->ai_addr, a->ai_addrlen);
    address.length = a->ai_addrlen;
    addresses.push_back(address);
  }
  ::freeaddrinfo(found);
  if (addresses.empty()) throw Error(ErrorKind::Unavailable, "no address for " + host);
  return addresses;
}

Address local_address(int fd) {
  Address address;
  address.length = sizeof address.storage;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address.storage), &address.length) != 0)
    unavailable("getsockname");
  return address;
}

std::unique_ptr<Connection> connect_udp(const Address& peer) {
  Fd fd = new_socket(peer, SOCK_DGRAM);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&peer.storage), peer.length) != 0)
    unavailable("cannot reach udp " + peer.text());
  return std::make_unique<UdpConnection>(std::move(fd), peer);
}

std::unique_ptr<Connection> connect_tcp(const Address& peer, Milliseconds timeout) {
  Fd fd = new_socket(peer, SOCK_STREAM);
  const int flags = ::fcntl(fd.get(), F_GETFL);
  ::fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&peer.storage), peer.length) != 0) {
    if (errno != EINPROGRESS) unavailable("cannot connect to tcp " + peer.text());
    if (!wait_for(fd.get(), POLLOUT, timeout))
      throw Error(ErrorKind::Unavailable, "no answer from tcp " + peer.text() + " within " +
                                              std::to_string(timeout.count()) + " ms");
    int error = 0;
    socklen_t length = sizeof error;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) {
      errno = error;
      unavailable("cannot connect to tcp " + peer.text());
    }
  }
  ::fcntl(fd.get(), F_SETFL, flags);
  return std::make_unique<TcpConnection>(std::move(fd), peer);
}

Fd bind_udp(const Address& address) {
  Fd fd = new_socket(address, SOCK_DGRAM);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address.storage), address.length) != 0)
    unavailable("cannot listen on udp " + address.text());
  return fd;
}

Fd listen_tcp(const Address& address) {
  Fd fd = new_socket(address, SOCK_STREAM);
  const int on = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address.storage), address.length) != 0)
    unavailable("cannot listen on tcp " + address.text());
  // The longest queue the system allows: a burst of connections waits for accept instead of
  // being refused while serve makes room for them.
  if (::listen(fd.get(), SOMAXCONN) != 0) unavailable("cannot listen on tcp " + address.text());
  return fd;
}

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (!wait_for(fd, POLLOUT, Milliseconds(1000))) return false;
        continue;
      }
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::optional<std::size_t> send_some(int fd, std::string_view data) {
  while (true) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    return std::nullopt;
  }
}

} // namespace sipcred::sim
