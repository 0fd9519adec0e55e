#pragma once
// Replace a file so that a reader, or a crash, sees the old content or the new one, never a mix,
// and so that two writers never lose each other's change (the shadow-utils way):
//   lock (flock on the file, waiting a bounded time) -> read under the lock -> temp file in the
//   same directory, created 0600, given the original's owner and mode -> write -> fsync ->
//   rename over the original -> fsync the directory -> unlock.
//
// Symlinks: a symlinked path is followed and the file it points to is replaced, in its own
// directory; the link itself stays as it is (so /etc/flexisip/users -> /srv/users keeps working).

#include "sipcred/export.hpp"
#include "sipcred/util/input_stream.hpp"

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sipcred {

class AtomicFile;
class SIPCRED_EXPORT WriteBack; // private: lib/src/write_back.hpp

// New content being written beside its target, made visible in one step by commit(); dropped
// uncommitted (an error, a refused input), it leaves nothing behind. For content too large to
// hold: write it as it is produced.
class SIPCRED_EXPORT PendingFile {
public:
  PendingFile(PendingFile&& other) noexcept;
  PendingFile& operator=(PendingFile&&) = delete;
  ~PendingFile();

  void write(std::string_view bytes);
  // fsync, then rename over the target (AtomicFile::begin_replace; the lock moves to the new
  // file) or link to it (begin_create; Error(CannotCreate) if it exists by then).
  void commit();

private:
  friend class AtomicFile;
  PendingFile(AtomicFile* replacing, std::filesystem::path target, std::filesystem::path name);
  void write_out(std::string_view bytes);

  AtomicFile* m_replacing; // nullptr when creating
  std::filesystem::path m_target;
  std::filesystem::path m_name; // the target as the caller named it, for messages
  std::filesystem::path m_temp; // empty once renamed into place
  int m_fd = -1;
  std::string m_buffer;
  std::size_t m_written = 0;               // bytes written to m_fd
  std::unique_ptr<WriteBack> m_write_back; // started once the file is large enough
};

class SIPCRED_EXPORT AtomicFile {
public:
  static constexpr std::chrono::milliseconds default_lock_timeout{10'000};

  // Opens and locks an existing regular file. Throws Error: NoInput when it does not exist,
  // cannot be opened or is not a regular file, TempFail when another writer holds the lock for
  // longer than `lock_timeout`.
  explicit AtomicFile(const std::filesystem::path& path,
                      std::chrono::milliseconds lock_timeout = default_lock_timeout);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  // The file really replaced: the given path with symlinks resolved.
  const std::filesystem::path& path() const { return m_path; }
  // The path as given, which every message and the stream's name show (a user's ./users or a
  // link is never rewritten to the file behind it).
  const std::filesystem::path& name() const { return m_name; }
  // The current content, read under the lock.
  std::string read() const;
  // The same without a copy: the file mapped read-only, valid for the life of this object
  // (replace() does not end it). For large files: a copy costs more than scanning it. Only
  // another program truncating the file in place could break the mapping; sipcred never does.
  std::string_view view();
  // The same as a stream from the start, for files too large to hold or map.
  InputStream stream();
  // Atomically replaces the content; the original owner and mode are kept, and the lock now
  // holds the new file, so read() and replace() may be called again. On failure (Error
  // CannotCreate, or Io when a write, sync or rename fails for the disk: EIO, ENOSPC, EDQUOT)
  // the original is untouched and no temporary file is left, with one exception said in the
  // message: Io "replaced, but not known to be on disk" when only the final directory fsync
  // failed.
  void replace(std::string_view content);
  // The same, for content given in pieces (an edit of a large file: see LineEdits).
  void replace(const std::vector<std::string_view>& pieces);
  // The same, for content written as it is produced.
  PendingFile begin_replace();

  // Creates a new file holding `content`, mode 0600, atomically: nothing appears at `path`
  // until the content is complete on disk. Error(CannotCreate) if `path` already exists.
  static void create(const std::filesystem::path& path, std::string_view content);
  static PendingFile begin_create(const std::filesystem::path& path);

private:
  friend class PendingFile;
  std::filesystem::path m_name;
  std::filesystem::path m_path;
  int m_fd = -1; // the locked file
  void* m_map = nullptr;
  std::size_t m_map_size = 0;
};

// Reads a whole file. Error(NoInput) when it is missing or unreadable, Io when reading fails.
SIPCRED_EXPORT std::string read_file(const std::filesystem::path& path);

} // namespace sipcred
