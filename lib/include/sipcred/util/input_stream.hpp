#pragma once
// Reads an input in blocks (a file, standard input, a locked AtomicFile), for inputs too large
// to hold in memory.

#include "sipcred/export.hpp"
#include <cstddef>
#include <string>

namespace sipcred {

class SIPCRED_EXPORT InputStream {
public:
  // Error(NoInput) when the file is missing, unreadable or a directory.
  static InputStream open(const std::string& path);
  static InputStream standard_input();
  // Reads `fd` from where it stands; closes it when `owned`.
  InputStream(int fd, std::string name, bool owned)
      : m_fd(fd), m_name(std::move(name)), m_owned(owned) {}
  InputStream(InputStream&& other) noexcept;
  InputStream& operator=(InputStream&&) = delete;
  ~InputStream();

  // Up to `size` bytes; 0 at the end. Error(Io) when reading fails.
  std::size_t read(char* into, std::size_t size);
  const std::string& name() const { return m_name; } // for messages: the path, or "<stdin>"

private:
  int m_fd;
  std::string m_name;
  bool m_owned;
};

} // namespace sipcred
