#include "sipcred/util/atomic_file.hpp"

#include "sipcred/util/error.hpp"
#include "util/write_back.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sipcred {
namespace fs = std::filesystem;
namespace {

std::string describe(const fs::path& path, std::string_view what, int error_number) {
  return path.string() + ": " + std::string(what) + ": " + std::strerror(error_number);
}

// A file that cannot be created or renamed for lack of space or a failing disk is an I/O
// error (exit 74, disk full included), not a refusal to create it (73): the caller may retry
// once the disk is fixed, while a permission or a name that exists needs another answer.
ErrorKind creation_failure(int error_number) {
  return error_number == EIO || error_number == ENOSPC || error_number == EDQUOT
             ? ErrorKind::Io
             : ErrorKind::CannotCreate;
}

// Closes a descriptor on scope exit.
class FileDescriptor {
public:
  explicit FileDescriptor(int fd) : m_fd(fd) {}
  ~FileDescriptor() {
    if (m_fd >= 0) ::close(m_fd);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return m_fd; }
  int release() { return std::exchange(m_fd, -1); }

private:
  int m_fd;
};

void write_bytes(int fd, std::string_view content, const fs::path& path) {
  // At most 4 MiB a call: one write() of a whole 124 MB userdb, from the mapping of the file
  // it replaces, took about twice as long as the same bytes in 4 MiB calls (measured on Linux
  // 6.18, ext4: 200-250 ms against 95-150 ms), and made every rotate of a large file slower.
  constexpr std::size_t most_per_call = 4u << 20;
  while (!content.empty()) {
    const ssize_t written = ::write(fd, content.data(), std::min(content.size(), most_per_call));
    if (written < 0) {
      if (errno == EINTR) continue;
      throw Error(ErrorKind::Io, describe(path, "cannot write", errno));
    }
    content.remove_prefix(static_cast<std::size_t>(written));
  }
}

// The directory of `file` (named `name` in messages).
void sync_directory(const fs::path& file, const fs::path& name) {
  FileDescriptor fd(::open(file.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  // The rename is done; failing to make it durable is an I/O error worth reporting.
  if (fd.get() < 0 || ::fsync(fd.get()) != 0)
    throw Error(ErrorKind::Io, describe(name, "cannot sync its directory", errno));
}

// A temporary file beside `target` (same filesystem, so rename is atomic), mode 0600.
int create_temporary(const fs::path& target, const fs::path& name, fs::path& temp_path) {
  std::string pattern =
      (target.parent_path() / ("." + target.filename().string() + ".sipcred-XXXXXX")).string();
  const int fd = ::mkostemp(pattern.data(), O_CLOEXEC); // mkostemp creates with mode 0600
  if (fd < 0) {
    const int error_number = errno;
    throw Error(creation_failure(error_number),
                describe(name, "cannot create a temporary file in its directory", error_number));
  }
  temp_path = pattern;
  return fd;
}

// The whole content from the current offset, in one allocation when the size is known; pipes
// and files that grew meanwhile are read to their end all the same.
std::string read_descriptor(int fd, const fs::path& path) {
  struct stat info {};
  if (::fstat(fd, &info) != 0) throw Error(ErrorKind::Io, describe(path, "cannot stat", errno));
  std::string content(info.st_size > 0 ? static_cast<std::size_t>(info.st_size) : 0, '\0');
  std::size_t done = 0;
  char spill[65536]; // once the known size is read: is there more?
  while (true) {
    const bool full = done == content.size();
    char* into = full ? spill : content.data() + done;
    const ssize_t got = ::read(fd, into, full ? sizeof spill : content.size() - done);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw Error(ErrorKind::Io, describe(path, "cannot read", errno));
    }
    if (got == 0) break;
    if (full) content.append(spill, static_cast<std::size_t>(got));
    done += static_cast<std::size_t>(got);
  }
  content.resize(done);
  return content;
}

fs::path resolve_symlinks(const fs::path& path) {
  // Messages name `path` as given; only the operations use the resolved one.
  std::error_code error;
  fs::path resolved = fs::canonical(path, error);
  if (error) throw Error(ErrorKind::NoInput, describe(path, "cannot open", error.value()));
  return resolved;
}

bool same_file(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

} // namespace

AtomicFile::AtomicFile(const fs::path& path, std::chrono::milliseconds lock_timeout)
    : m_name(path), m_path(resolve_symlinks(path)) {
  const auto deadline = std::chrono::steady_clock::now() + lock_timeout;
  while (true) {
    FileDescriptor fd(::open(m_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) throw Error(ErrorKind::NoInput, describe(m_name, "cannot open", errno));
    struct stat opened {};
    if (::fstat(fd.get(), &opened) != 0 || !S_ISREG(opened.st_mode))
      throw Error(ErrorKind::NoInput, m_name.string() + ": not a regular file");
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) {
      // A writer that held the lock before us has replaced the file: our descriptor then
      // points at the old inode, which nobody reads any more. Start again on the new one.
      struct stat locked {
      }, current{};
      if (::fstat(fd.get(), &locked) == 0 && ::stat(m_path.c_str(), &current) == 0 &&
          same_file(locked, current)) {
        m_fd = fd.release();
        return;
      }
      continue;
    }
    if (errno != EWOULDBLOCK && errno != EINTR)
      throw Error(ErrorKind::Io, describe(m_name, "cannot lock", errno));
    if (std::chrono::steady_clock::now() >= deadline)
      throw Error(ErrorKind::TempFail, m_name.string() +
                                           ": locked by another writer; gave up after " +
                                           std::to_string(lock_timeout.count()) + " ms");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

AtomicFile::~AtomicFile() {
  if (m_map) ::munmap(m_map, m_map_size);
  if (m_fd >= 0) ::close(m_fd); // releases the lock
}

InputStream AtomicFile::stream() {
  if (::lseek(m_fd, 0, SEEK_SET) != 0)
    throw Error(ErrorKind::Io, describe(m_name, "cannot seek", errno));
  return InputStream(m_fd, m_name.string(), false);
}

std::string_view AtomicFile::view() {
  if (m_map) return {static_cast<const char*>(m_map), m_map_size};
  struct stat info {};
  if (::fstat(m_fd, &info) != 0) throw Error(ErrorKind::Io, describe(m_name, "cannot stat", errno));
  if (info.st_size == 0) return {};
  void* map =
      ::mmap(nullptr, static_cast<std::size_t>(info.st_size), PROT_READ, MAP_PRIVATE, m_fd, 0);
  if (map == MAP_FAILED) throw Error(ErrorKind::Io, describe(m_name, "cannot map", errno));
  m_map = map;
  m_map_size = static_cast<std::size_t>(info.st_size);
  return {static_cast<const char*>(m_map), m_map_size};
}

std::string AtomicFile::read() const {
  if (::lseek(m_fd, 0, SEEK_SET) != 0)
    throw Error(ErrorKind::Io, describe(m_name, "cannot seek", errno));
  return read_descriptor(m_fd, m_name);
}

PendingFile::PendingFile(AtomicFile* replacing, fs::path target, fs::path name)
    : m_replacing(replacing), m_target(std::move(target)), m_name(std::move(name)) {
  m_fd = create_temporary(m_target, m_name, m_temp);
}

PendingFile::PendingFile(PendingFile&& other) noexcept
    : m_replacing(other.m_replacing), m_target(std::move(other.m_target)),
      m_name(std::move(other.m_name)), m_temp(std::exchange(other.m_temp, {})),
      m_fd(std::exchange(other.m_fd, -1)), m_buffer(std::move(other.m_buffer)),
      m_written(other.m_written), m_write_back(std::move(other.m_write_back)) {}

PendingFile::~PendingFile() {
  m_write_back.reset(); // its thread uses m_fd
  if (m_fd >= 0) ::close(m_fd);
  if (!m_temp.empty()) ::unlink(m_temp.c_str());
}

void PendingFile::write(std::string_view bytes) {
  // Small pieces (edited lines, converted lines) are gathered: a system call per line would
  // cost more than the line.
  constexpr std::size_t gather_limit = 1 << 20;
  if (m_buffer.size() + bytes.size() < gather_limit) {
    m_buffer.append(bytes);
    return;
  }
  write_out(m_buffer);
  m_buffer.clear();
  if (bytes.size() >= gather_limit)
    write_out(bytes);
  else
    m_buffer.append(bytes);
}

void PendingFile::write_out(std::string_view bytes) {
  // At every WriteBack::step the disk is asked to start on what is written.
  while (!bytes.empty()) {
    const std::size_t size = std::min(bytes.size(), WriteBack::step - m_written % WriteBack::step);
    write_bytes(m_fd, bytes.substr(0, size), m_name);
    bytes.remove_prefix(size);
    m_written += size;
    if (m_written % WriteBack::step != 0) continue;
    if (!m_write_back) m_write_back = std::make_unique<WriteBack>(m_fd);
    m_write_back->written(m_written);
  }
}

void PendingFile::commit() {
  write_out(m_buffer);
  m_buffer.clear();
  m_write_back.reset();
  if (::fsync(m_fd) != 0)
    throw Error(ErrorKind::Io, describe(m_name, "cannot sync the new content", errno));
  if (!m_replacing) {
    if (::close(std::exchange(m_fd, -1)) != 0)
      throw Error(ErrorKind::Io, describe(m_name, "cannot close the new content", errno));
    // link() fails when the target exists, which rename() would silently overwrite. The
    // temporary name is removed by the destructor; the new file stays.
    if (::link(m_temp.c_str(), m_target.c_str()) != 0) {
      const int error_number = errno;
      throw Error(creation_failure(error_number),
                  error_number == EEXIST ? m_name.string() + ": already exists"
                                         : describe(m_name, "cannot create", error_number));
    }
    sync_directory(m_target, m_name);
    return;
  }
  // Lock the new inode before it becomes visible, so that the lock never lapses: a waiter
  // that wakes up on the old inode reopens the path and waits on this one.
  if (::flock(m_fd, LOCK_EX | LOCK_NB) != 0)
    throw Error(ErrorKind::Io, describe(m_name, "cannot lock the new content", errno));
  if (::rename(m_temp.c_str(), m_target.c_str()) != 0) {
    const int error_number = errno;
    throw Error(creation_failure(error_number), describe(m_name, "cannot replace", error_number));
  }
  m_temp.clear();
  ::close(std::exchange(m_replacing->m_fd, std::exchange(m_fd, -1)));
  try {
    sync_directory(m_target, m_name);
  } catch (const Error& error) {
    throw Error(ErrorKind::Io,
                std::string("replaced, but not known to be on disk: ") + error.what());
  }
}

PendingFile AtomicFile::begin_replace() {
  struct stat original {
  }, created{};
  if (::fstat(m_fd, &original) != 0)
    throw Error(ErrorKind::Io, describe(m_name, "cannot stat", errno));
  PendingFile pending(this, m_path, m_name);
  // The temporary file's group may come from a setgid directory rather than from us: compare
  // with what it really got. Owner first, since chown may clear set-id bits that fchmod then
  // restores. Refuse rather than silently hand a server's file to another owner.
  if (::fstat(pending.m_fd, &created) != 0)
    throw Error(ErrorKind::Io, describe(m_name, "cannot stat the new content", errno));
  if ((created.st_uid != original.st_uid || created.st_gid != original.st_gid) &&
      ::fchown(pending.m_fd, original.st_uid, original.st_gid) != 0)
    throw Error(ErrorKind::CannotCreate,
                describe(m_name, "cannot give the new file the original owner", errno));
  if (::fchmod(pending.m_fd, original.st_mode & 07777) != 0)
    throw Error(ErrorKind::CannotCreate,
                describe(m_name, "cannot give the new file the original mode", errno));
  return pending;
}

PendingFile AtomicFile::begin_create(const fs::path& path) {
  return PendingFile(nullptr, path.has_parent_path() ? path : fs::path(".") / path, path);
}

void AtomicFile::replace(std::string_view content) {
  replace(std::vector<std::string_view>{content});
}

void AtomicFile::replace(const std::vector<std::string_view>& pieces) {
  PendingFile pending = begin_replace();
  for (std::string_view piece : pieces) pending.write(piece);
  pending.commit();
}

void AtomicFile::create(const fs::path& path, std::string_view content) {
  PendingFile pending = begin_create(path);
  pending.write(content);
  pending.commit();
}

std::string read_file(const fs::path& path) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw Error(ErrorKind::NoInput, describe(path, "cannot open", errno));
  struct stat info {};
  if (::fstat(fd.get(), &info) == 0 && S_ISDIR(info.st_mode))
    throw Error(ErrorKind::NoInput, path.string() + ": is a directory");
  return read_descriptor(fd.get(), path);
}

} // namespace sipcred
