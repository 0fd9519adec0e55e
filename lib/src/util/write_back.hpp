// Starts the disk on the part of a file already written while the rest is being written.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>

namespace sipcred {

// A large file written then fsync'ed waits at the end for the disk to take all of it: 0.1 s
// for a 162 MB sipcred-convert output on the development VM, where the page cache is only
// flushed at fsync. Asking for write-back of each finished range as the file grows lets the
// disk work while the writer computes the rest. The request (sync_file_range) is made from a
// thread of its own because it blocks whenever the disk's queue is full, and the writer must
// not. Nothing here makes data durable: the caller's fsync still does, and reports errors.
class WriteBack {
public:
  // How much is handed to the disk at a time. Files smaller than that, every edit of an
  // ordinary userdb, never start the thread. On a 162 MB output steps of 4 and 8 MiB gave the
  // same time, 2 MiB steps less gain.
  static constexpr std::size_t step = 8u << 20;

  // Without a thread (none could be started) nothing is handed to the disk early: it is a
  // speed-up, not worth failing the write for.
  explicit WriteBack(int fd);
  // Stops the thread. Ranges not yet handed to the disk are left for the caller's fsync.
  ~WriteBack();
  WriteBack(const WriteBack&) = delete;
  WriteBack& operator=(const WriteBack&) = delete;

  // The first `size` bytes of the file are written and will not change.
  void written(std::size_t size);

private:
  void run();

  const int m_fd;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  std::size_t m_written = 0; // under m_mutex
  bool m_stopping = false;   // under m_mutex
  std::thread m_thread;      // none if no thread could be started
};

} // namespace sipcred
