#pragma once
// Replace a file so that a reader, or a crash, sees the old content or the new one, never a mix,
// and so that two writers never lose each other's change (the shadow-utils way):
//   lock (flock on the file, waiting a bounded time) -> read under the lock -> temp file in the
//   same directory, created 0600, given the original's owner and mode -> write -> fsync ->
//   rename over the original -> fsync the directory -> unlock.
//
// Symlinks: a symlinked path is followed and the file it points to is replaced, in its own
// directory; the link itself stays as it is (so /etc/flexisip/users -> /srv/users keeps working).

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace sipcred {

class AtomicFile {
public:
  static constexpr std::chrono::milliseconds default_lock_timeout{10'000};

  // Opens and locks an existing regular file. Throws Error: NoInput when it does not exist,
  // cannot be opened or is not a regular file, TempFail when another writer holds the lock for longer than `lock_timeout`.
  explicit AtomicFile(const std::filesystem::path& path,
                      std::chrono::milliseconds lock_timeout = default_lock_timeout);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  // The file really replaced: the given path with symlinks resolved.
  const std::filesystem::path& path() const { return m_path; }
  // The current content, read under the lock.
  std::string read() const;
  // The same without a copy: the file mapped read-only, valid for the life of this object
  // (replace() does not end it). For large files: a copy costs more than scanning it. Only
  // another program truncating the file in place could break the mapping; sipcred never does.
  std::string_view view();
  // Atomically replaces the content; the original owner and mode are kept, and the lock now
  // holds the new file, so read() and replace() may be called again. On failure (Error
  // CannotCreate or Io) the original is untouched and no temporary file is left, with one
  // exception said in the message: Io "replaced, but not known to be on disk" when only the
  // final directory fsync failed.
  void replace(std::string_view content);
  // The same, for content given in pieces (an edit of a large file: see LineEdits).
  void replace(const std::vector<std::string_view>& pieces);

  // Creates a new file holding `content`, mode 0600, atomically: nothing appears at `path`
  // until the content is complete on disk. Error(CannotCreate) if `path` already exists.
  static void create(const std::filesystem::path& path, std::string_view content);

private:
  std::filesystem::path m_path;
  int m_fd = -1; // the locked file
  void* m_map = nullptr;
  std::size_t m_map_size = 0;
};

// Reads a whole file. Error(NoInput) when it is missing or unreadable, Io when reading fails.
std::string read_file(const std::filesystem::path& path);

} // namespace sipcred
