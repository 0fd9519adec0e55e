#include "sipcred/util/input_stream.hpp"

#include "sipcred/util/error.hpp"

#include <cerrno>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sipcred {

InputStream InputStream::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(ErrorKind::NoInput, path + ": cannot open: " + std::strerror(errno));
  InputStream stream(fd, path, true);
  struct stat info {};
  if (::fstat(fd, &info) == 0 && S_ISDIR(info.st_mode))
    throw Error(ErrorKind::NoInput, path + ": is a directory");
  return stream;
}

InputStream InputStream::standard_input() { return InputStream(STDIN_FILENO, "<stdin>", false); }

InputStream::InputStream(InputStream&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)), m_name(std::move(other.m_name)), m_owned(other.m_owned) {
}

InputStream::~InputStream() {
  if (m_owned && m_fd >= 0) ::close(m_fd);
}

std::size_t InputStream::read(char* into, std::size_t size) {
  while (true) {
    const ssize_t got = ::read(m_fd, into, size);
    if (got >= 0) return static_cast<std::size_t>(got);
    if (errno != EINTR)
      throw Error(ErrorKind::Io, m_name + ": cannot read: " + std::strerror(errno));
  }
}

} // namespace sipcred
