#include "util/write_back.hpp"

#include <system_error>

#include <fcntl.h>

namespace sipcred {

WriteBack::WriteBack(int fd) : m_fd(fd) {
  try {
    m_thread = std::thread([this] { run(); });
  } catch (const std::system_error&) { // no thread to spare: fsync alone will do
  }
}

WriteBack::~WriteBack() {
  if (!m_thread.joinable()) return;
  {
    const std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_wake.notify_one();
  m_thread.join();
}

void WriteBack::written(std::size_t size) {
  {
    const std::lock_guard lock(m_mutex);
    m_written = size;
  }
  m_wake.notify_one();
}

void WriteBack::run() {
  std::size_t started = 0; // bytes already handed to the disk
  std::unique_lock lock(m_mutex);
  for (;;) {
    m_wake.wait(lock, [&] { return m_stopping || m_written > started; });
    if (m_stopping) return;
    const std::size_t until = m_written;
    lock.unlock();
    // Failures are not reported here: they are the fsync's to report, on the same pages. (With
    // SYNC_FILE_RANGE_WAIT_AFTER this call would consume the error, and fsync miss it.)
    ::sync_file_range(m_fd, static_cast<off_t>(started), static_cast<off_t>(until - started),
                      SYNC_FILE_RANGE_WRITE);
    started = until;
    lock.lock();
  }
}

} // namespace sipcred
