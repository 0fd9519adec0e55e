#pragma once
// The thin POSIX socket layer of probe and serve: addresses, UDP datagrams, TCP streams cut
// into SIP messages. Failures to reach a peer are Error(Unavailable) (exit 69); everything
// about SIP itself is in the library.

#include <sys/socket.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sipcred::sim {

using Milliseconds = std::chrono::milliseconds;

// A file descriptor closed with its owner.
class Fd {
public:
  Fd() = default;
  explicit Fd(int fd) : m_fd(fd) {}
  Fd(Fd&& other) noexcept : m_fd(other.release()) {}
  Fd& operator=(Fd&& other) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd();
  int get() const { return m_fd; }
  int release() noexcept;

private:
  int m_fd = -1;
};

struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;
  // "127.0.0.1:5060", "[::1]:5060"
  std::string text() const;
  std::string host() const;
  unsigned short port() const;
};

// "HOST:PORT", "[V6]:PORT" or "HOST" (port `default_port`). Error(Usage) when malformed.
std::pair<std::string, unsigned short> split_host_port(std::string_view text,
                                                       unsigned short default_port);
// The addresses of `host` (numeric or a name, no SRV); Error(Unavailable) when it has none.
std::vector<Address> resolve(const std::string& host, unsigned short port, int socktype);

// The local address of a socket.
Address local_address(int fd);

// A connection to one peer, as probe uses it.
class Connection {
public:
  virtual ~Connection() = default;
  virtual void send(std::string_view message) = 0;
  // The next whole message, or nullopt when `timeout` passes first.
  virtual std::optional<std::string> receive(Milliseconds timeout) = 0;
  virtual bool reliable() const = 0;
  virtual Address local() const = 0;
};

// A connected UDP socket (an ICMP "port unreachable" then shows as Error(Unavailable)).
std::unique_ptr<Connection> connect_udp(const Address& peer);
// A TCP connection, given `timeout` to be established.
std::unique_ptr<Connection> connect_tcp(const Address& peer, Milliseconds timeout);

// Listening sockets of serve; Error(Unavailable) when the address cannot be bound.
Fd bind_udp(const Address& address);
Fd listen_tcp(const Address& address);

// Sends all of `data` on a stream socket; false when the peer is gone.
bool send_all(int fd, std::string_view data);
// Sends what a non-blocking stream socket takes of `data` now, without waiting: the number of
// bytes sent (0 when its buffer is full), nullopt when the peer is gone.
std::optional<std::size_t> send_some(int fd, std::string_view data);

} // namespace sipcred::sim
