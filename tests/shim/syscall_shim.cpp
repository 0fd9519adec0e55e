// A test-only LD_PRELOAD object that makes durability observable: it records the system calls
// an atomic write makes (write, fsync, fdatasync, rename, link, unlink, their *at forms, and
// flock), with the file each one acts on, and can make one of them fail or stop the process
// just before it. Nothing of it is in the library or the tools: the CLI tests preload it into
// the tools they run (clitest.py SHIM), so what is checked is the very binary a user runs, at
// the boundary with the kernel, and no product code pays for it.
//
// Environment (each optional):
//   SIPCRED_SHIM_LOG=FILE         append one line a call: CALL<TAB>PATH[<TAB>PATH2]<TAB>RESULT,
//                                 RESULT being "ok" or the errno name. Paths are absolute (a
//                                 descriptor's from /proc/self/fd). Writes to 0, 1, 2 are not
//                                 recorded.
//   SIPCRED_SHIM_FAIL=CALL:GLOB:ERRNO   every CALL whose (first) path matches GLOB (fnmatch,
//                                 '*' matches '/') fails with ERRNO (EIO, ENOSPC...) untried.
//   SIPCRED_SHIM_STOP=CALL:GLOB:N the process stops itself (SIGSTOP) just before the N-th such
//                                 call, so that a test knows where a SIGKILL lands: it waits
//                                 for the stop (waitpid WUNTRACED) instead of guessing a delay.
//   SIPCRED_SHIM_SHORT=write:GLOB:N  a write to a matching file writes at most N bytes, as the
//                                 kernel may (a signal, a quota): callers must loop.
// CALL names the plain form: "write" also matches pwrite and pwrite64, "rename" renameat and
// renameat2; "fsync" does not match fdatasync.

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <dlfcn.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#define SHIM_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

struct ErrnoName {
  const char* name;
  int value;
};
constexpr ErrnoName errno_names[] = {{"EIO", EIO},       {"ENOSPC", ENOSPC}, {"EDQUOT", EDQUOT},
                                     {"EROFS", EROFS},   {"EACCES", EACCES}, {"EPERM", EPERM},
                                     {"EEXIST", EEXIST}, {"EBUSY", EBUSY}};

const char* errno_name(int value) {
  for (const ErrnoName& e : errno_names)
    if (e.value == value) return e.name;
  return strerrorname_np(value) ? strerrorname_np(value) : "E?";
}

// CALL:GLOB:VALUE, VALUE an errno name (fail) or a count (stop).
struct Rule {
  std::string call;
  std::string glob;
  std::string value;
  bool set = false;
};

Rule parse_rule(const char* variable) {
  Rule rule;
  const char* text = std::getenv(variable);
  if (!text) return rule;
  const std::string spec = text;
  const std::size_t first = spec.find(':'), last = spec.rfind(':');
  if (first == std::string::npos || first == last) {
    std::fprintf(stderr, "syscall_shim: %s must be CALL:GLOB:VALUE\n", variable);
    std::abort();
  }
  rule.call = spec.substr(0, first);
  rule.glob = spec.substr(first + 1, last - first - 1);
  rule.value = spec.substr(last + 1);
  rule.set = true;
  return rule;
}

struct Settings {
  int log_fd = -1;
  Rule fail;
  int fail_errno = 0;
  Rule stop;
  long stop_at = 0;
  std::atomic<long> stop_seen{0};
  Rule short_write;
  std::size_t short_size = 0;

  Settings() {
    if (const char* log = std::getenv("SIPCRED_SHIM_LOG"))
      log_fd = ::open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    fail = parse_rule("SIPCRED_SHIM_FAIL");
    if (fail.set) {
      for (const ErrnoName& e : errno_names)
        if (fail.value == e.name) fail_errno = e.value;
      if (fail_errno == 0) {
        std::fprintf(stderr, "syscall_shim: unknown errno %s\n", fail.value.c_str());
        std::abort();
      }
    }
    stop = parse_rule("SIPCRED_SHIM_STOP");
    if (stop.set) stop_at = std::strtol(stop.value.c_str(), nullptr, 10);
    short_write = parse_rule("SIPCRED_SHIM_SHORT");
    if (short_write.set) short_size = std::strtoul(short_write.value.c_str(), nullptr, 10);
  }

  // The size a write of `size` bytes to `path` is cut to.
  std::size_t write_size(const std::string& path, std::size_t size) const {
    if (!short_write.set || ::fnmatch(short_write.glob.c_str(), path.c_str(), 0) != 0) return size;
    return size < short_size ? size : short_size;
  }
};

Settings& settings() {
  static Settings instance; // the first intercepted call reads the environment
  return instance;
}

template <typename Function> Function* next(const char* name) {
  return reinterpret_cast<Function*>(::dlsym(RTLD_NEXT, name));
}

std::string absolute(const char* path) {
  if (path[0] == '/') return path;
  char cwd[4096];
  if (!::getcwd(cwd, sizeof cwd)) return path;
  return std::string(cwd) + "/" + path;
}

std::string path_of_fd(int fd) {
  char link[64], target[4096];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  const ssize_t size = ::readlink(link, target, sizeof target - 1);
  if (size < 0) return "fd:" + std::to_string(fd);
  return std::string(target, static_cast<std::size_t>(size));
}

std::string path_at(int dirfd, const char* path) {
  if (path[0] == '/' || dirfd == AT_FDCWD) return absolute(path);
  return path_of_fd(dirfd) + "/" + path;
}

// One intercepted call: decides whether it is refused, stops the process if asked, and once
// it is done records it. `run` makes the real call.
template <typename Run>
auto intercept(const char* call, const std::string& path, const std::string& path2, Run run) {
  Settings& s = settings();
  const bool matches_fail =
      s.fail.set && s.fail.call == call && ::fnmatch(s.fail.glob.c_str(), path.c_str(), 0) == 0;
  if (s.stop.set && s.stop.call == call && ::fnmatch(s.stop.glob.c_str(), path.c_str(), 0) == 0 &&
      ++s.stop_seen == s.stop_at)
    ::raise(SIGSTOP);
  decltype(run()) result;
  int error_number = 0;
  if (matches_fail) {
    result = -1;
    error_number = s.fail_errno;
  } else {
    result = run();
    if (result < 0) error_number = errno;
  }
  if (s.log_fd >= 0) {
    std::string line = std::string(call) + "\t" + path;
    if (!path2.empty()) line += "\t" + path2;
    line += "\t";
    line += result < 0 ? errno_name(error_number) : "ok";
    line += "\n";
    static auto* const real_write = next<ssize_t(int, const void*, size_t)>("write");
    real_write(s.log_fd, line.data(), line.size()); // O_APPEND: one line, whole, per call
  }
  errno = error_number;
  return result;
}

} // namespace

SHIM_EXPORT ssize_t write(int fd, const void* buffer, size_t size) {
  static auto* const real = next<ssize_t(int, const void*, size_t)>("write");
  if (fd <= 2 || fd == settings().log_fd) return real(fd, buffer, size);
  const std::string path = path_of_fd(fd);
  return intercept("write", path, "",
                   [&] { return real(fd, buffer, settings().write_size(path, size)); });
}

// SQLite writes its database and journal with pwrite: a test can stop a transaction midway.
SHIM_EXPORT ssize_t pwrite(int fd, const void* buffer, size_t size, off_t offset) {
  static auto* const real = next<ssize_t(int, const void*, size_t, off_t)>("pwrite");
  return intercept("write", path_of_fd(fd), "", [&] { return real(fd, buffer, size, offset); });
}

SHIM_EXPORT ssize_t pwrite64(int fd, const void* buffer, size_t size, off64_t offset) {
  static auto* const real = next<ssize_t(int, const void*, size_t, off64_t)>("pwrite64");
  return intercept("write", path_of_fd(fd), "", [&] { return real(fd, buffer, size, offset); });
}

// AtomicFile's lock: a test can stop a tool at its first try, to know it waits from then on.
SHIM_EXPORT int flock(int fd, int operation) {
  static auto* const real = next<int(int, int)>("flock");
  return intercept("flock", path_of_fd(fd), "", [&] { return real(fd, operation); });
}

SHIM_EXPORT int fsync(int fd) {
  static auto* const real = next<int(int)>("fsync");
  return intercept("fsync", path_of_fd(fd), "", [&] { return real(fd); });
}

SHIM_EXPORT int fdatasync(int fd) {
  static auto* const real = next<int(int)>("fdatasync");
  return intercept("fdatasync", path_of_fd(fd), "", [&] { return real(fd); });
}

SHIM_EXPORT int rename(const char* from, const char* to) {
  static auto* const real = next<int(const char*, const char*)>("rename");
  return intercept("rename", absolute(from), absolute(to), [&] { return real(from, to); });
}

SHIM_EXPORT int renameat(int from_dir, const char* from, int to_dir, const char* to) {
  static auto* const real = next<int(int, const char*, int, const char*)>("renameat");
  return intercept("rename", path_at(from_dir, from), path_at(to_dir, to),
                   [&] { return real(from_dir, from, to_dir, to); });
}

SHIM_EXPORT int renameat2(int from_dir, const char* from, int to_dir, const char* to,
                          unsigned flags) {
  static auto* const real = next<int(int, const char*, int, const char*, unsigned)>("renameat2");
  return intercept("rename", path_at(from_dir, from), path_at(to_dir, to),
                   [&] { return real(from_dir, from, to_dir, to, flags); });
}

SHIM_EXPORT int link(const char* from, const char* to) {
  static auto* const real = next<int(const char*, const char*)>("link");
  return intercept("link", absolute(from), absolute(to), [&] { return real(from, to); });
}

SHIM_EXPORT int linkat(int from_dir, const char* from, int to_dir, const char* to, int flags) {
  static auto* const real = next<int(int, const char*, int, const char*, int)>("linkat");
  return intercept("link", path_at(from_dir, from), path_at(to_dir, to),
                   [&] { return real(from_dir, from, to_dir, to, flags); });
}

SHIM_EXPORT int unlink(const char* path) {
  static auto* const real = next<int(const char*)>("unlink");
  return intercept("unlink", absolute(path), "", [&] { return real(path); });
}

SHIM_EXPORT int unlinkat(int dir, const char* path, int flags) {
  static auto* const real = next<int(int, const char*, int)>("unlinkat");
  return intercept("unlink", path_at(dir, path), "", [&] { return real(dir, path, flags); });
}
