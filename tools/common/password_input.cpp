#include "password_input.hpp"

#include "sipcred/account/password.hpp"
#include "sipcred/util/error.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>

#include <openssl/crypto.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

namespace sipcred::cli {
namespace {

[[noreturn]] void too_long(std::string_view source) {
  throw Error(ErrorKind::DataError, std::string(source) + ": the password is longer than " +
                                        std::to_string(max_password_bytes) +
                                        " bytes, the most sipcred reads");
}

// A line buffer that never leaves its secret behind: reserved up front, so that no growth
// frees a copy, and wiped when dropped.
class LineBuffer {
public:
  LineBuffer() { m_text.reserve(max_password_bytes + 2); }
  ~LineBuffer() { wipe(m_text); }
  LineBuffer(const LineBuffer&) = delete;
  LineBuffer& operator=(const LineBuffer&) = delete;
  std::string& text() { return m_text; }

private:
  std::string m_text;
};

// `secret` moved out, and what a short string keeps inline after the move wiped.
std::string taken(std::string& secret) {
  std::string out = std::move(secret);
  wipe(secret);
  return out;
}

// The first line that `next_byte` (a byte, or -1 at the end) gives, without LF or CRLF; nullopt
// when it gives nothing. At most max_password_bytes + 2 bytes are read (the password, a CR, and
// one byte more to tell a longer line), so /dev/zero or a runaway pipe cannot exhaust memory.
template <class NextByte>
std::optional<std::string> bounded_line(NextByte next_byte, std::string_view source) {
  LineBuffer buffer;
  std::string& line = buffer.text();
  int c = next_byte();
  if (c < 0) return std::nullopt;
  for (; c >= 0 && c != '\n'; c = next_byte()) {
    if (line.size() > max_password_bytes) too_long(source);
    line.push_back(static_cast<char>(c));
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.size() > max_password_bytes) too_long(source);
  return std::string(line); // one exact copy for the caller; the buffer is wiped
}

std::string checked_first_line(std::optional<std::string> line, std::string_view source) {
  if (!line)
    throw Error(ErrorKind::DataError, std::string(source) + ": expected a password on the first "
                                                            "line, found no input");
  if (line->empty())
    throw Error(ErrorKind::DataError,
                std::string(source) + ": the password on the first line is empty");
  return taken(*line);
}

// The first line of `in`; `source` names it in errors.
std::string first_line(std::istream& in, std::string_view source) {
  std::optional<std::string> line = bounded_line([&] { return in.get(); }, source);
  if (in.bad()) throw Error(ErrorKind::Io, std::string(source) + ": cannot read the password");
  return checked_first_line(std::move(line), source);
}

// The next byte of `fd`, or -1 at its end or on an error.
int read_byte(int fd) {
  unsigned char c;
  ssize_t got;
  while ((got = ::read(fd, &c, 1)) < 0 && errno == EINTR) {
  }
  return got == 1 ? c : -1;
}

// The terminal states to switch between if a signal arrives while echo is off: Ctrl-C must
// not leave the shell without echo, and Ctrl-Z then `fg` must not bring the prompt back with
// echo on (getpass does the same).
int g_terminal_fd = -1;
termios g_saved_terminal{};
termios g_quiet_terminal{};

constexpr int handled_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP};

extern "C" void on_signal_at_prompt(int signal_number);

void install_handlers(void (*handler)(int)) {
  for (int signal_number : handled_signals) std::signal(signal_number, handler);
}

extern "C" void on_signal_at_prompt(int signal_number) {
  ::tcsetattr(g_terminal_fd, TCSAFLUSH, &g_saved_terminal);
  std::signal(signal_number, SIG_DFL);
  // The signal is blocked while its handler runs: unblock it so that raise() acts now (and,
  // for SIGTSTP, returns only once the process is continued).
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, signal_number);
  ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
  std::raise(signal_number);
  // Only a stop comes back here: resume the prompt as it was.
  ::tcsetattr(g_terminal_fd, TCSAFLUSH, &g_quiet_terminal);
  std::signal(signal_number, on_signal_at_prompt);
}

// Switches a terminal's echo off for the lifetime of the object.
class EchoOff {
public:
  explicit EchoOff(int fd) {
    if (::tcgetattr(fd, &g_saved_terminal) != 0) return;
    g_terminal_fd = fd;
    g_quiet_terminal = g_saved_terminal;
    g_quiet_terminal.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    install_handlers(on_signal_at_prompt);
    m_active = ::tcsetattr(fd, TCSAFLUSH, &g_quiet_terminal) == 0;
  }
  ~EchoOff() {
    if (g_terminal_fd < 0) return;
    if (m_active) ::tcsetattr(g_terminal_fd, TCSAFLUSH, &g_saved_terminal);
    install_handlers(SIG_DFL);
    g_terminal_fd = -1;
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

private:
  bool m_active = false;
};

std::string ask_terminal(std::string_view prompt, bool stdin_taken) {
  const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0)
    throw Error(ErrorKind::NoInput,
                std::string("cannot open the terminal to ask for a password: ") +
                    std::strerror(errno) +
                    (stdin_taken ? " (use --password-file: standard input carries other input)"
                                 : " (use --password-stdin or --password-file)"));
  std::optional<std::string> line;
  try {
    EchoOff echo_off(fd);
    (void)!::write(fd, prompt.data(), prompt.size());
    line = bounded_line([&] { return read_byte(fd); }, "the terminal");
    (void)!::write(fd, "\n", 1);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  if (!line || line->empty()) throw Error(ErrorKind::DataError, "empty password");
  return taken(*line);
}

// --password-stdin on a terminal: typed as at the prompt, so without echo too.
std::string read_terminal_stdin() {
  std::optional<std::string> line;
  {
    EchoOff echo_off(STDIN_FILENO);
    line = bounded_line([] { return read_byte(STDIN_FILENO); }, "standard input");
    (void)!::write(STDIN_FILENO, "\n", 1); // the Enter that was not echoed
  }
  return checked_first_line(std::move(line), "standard input");
}

} // namespace

CLI::Option* add_generate_option(CLI::App& app, std::size_t& length, std::string_view what) {
  // --generate alone means the default length: CLI11 then sets the option's default value.
  return app
      .add_option("--generate", length,
                  std::string(what) + " (OpenSSL CSPRNG, LEN characters, default " +
                      std::to_string(default_password_length) + "), printed once on stdout")
      ->expected(0, 1)
      ->default_str(std::to_string(default_password_length))
      ->check(CLI::Range(std::size_t{8}, std::size_t{256}))
      ->type_name("LEN");
}

void add_password_options(CLI::App& app, PasswordOptions& options, bool offer_generate) {
  auto* stdin_flag = app.add_flag("--password-stdin", options.from_stdin,
                                  "Read the password from the first line of standard input");
  auto* file_option = app.add_option("--password-file", options.file,
                                     "Read the password from the first line of FILE")
                          ->type_name("FILE");
  stdin_flag->excludes(file_option);
  if (offer_generate) {
    auto* generate = add_generate_option(app, options.generate_length, "Generate the password");
    generate->excludes(stdin_flag)->excludes(file_option);
  }
}

void wipe(std::string& secret) {
  OPENSSL_cleanse(secret.data(), secret.capacity());
  secret.clear();
}

std::string read_password(const PasswordOptions& options, std::string_view prompt, bool confirm) {
  if (options.generate_length > 0) return generate_password(options.generate_length);
  if (!options.file.empty()) {
    // A directory opens as a stream that reads nothing: say what it is (pipes and
    // /dev/stdin are fine).
    struct stat info {};
    if (::stat(options.file.c_str(), &info) == 0 && S_ISDIR(info.st_mode))
      throw Error(ErrorKind::NoInput, options.file + ": is a directory, not a password file");
    std::ifstream in(options.file, std::ios::binary);
    if (!in)
      throw Error(ErrorKind::NoInput,
                  options.file + ": cannot open password file: " + std::strerror(errno));
    return first_line(in, options.file);
  }
  if (options.from_stdin && options.stdin_taken)
    throw Error(ErrorKind::Usage, "standard input already carries other input: give the password "
                                  "with --password-file or on the terminal");
  if (options.from_stdin && ::isatty(STDIN_FILENO)) return read_terminal_stdin();
  if (options.from_stdin || (!options.stdin_taken && !::isatty(STDIN_FILENO)))
    return first_line(std::cin, "standard input");

  std::string password = ask_terminal(prompt, options.stdin_taken);
  if (confirm) {
    std::string again = ask_terminal("Retype the password: ", options.stdin_taken);
    const bool same = again == password;
    wipe(again);
    if (!same) {
      wipe(password);
      throw Error(ErrorKind::DataError, "the two passwords differ");
    }
  }
  return password;
}

} // namespace sipcred::cli
