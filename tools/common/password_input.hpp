#pragma once
// Where a tool reads a secret from: never argv. The terminal (no echo), standard input, or a
// file; always its first line without the line end.

#include <CLI/CLI.hpp>

#include <string>
#include <string_view>

namespace sipcred::cli {

// The longest password read from a terminal, standard input or a file: longer is
// Error(DataError), exit 65 (documented in the man pages of the tools that read passwords).
inline constexpr std::size_t max_password_bytes = 4096;

struct PasswordOptions {
  bool from_stdin = false;
  std::string file;
  std::size_t generate_length = 0; // --generate[=LEN]; 0 when not asked
  bool stdin_taken = false;        // stdin carries other input: ask the terminal even in a pipe
};

// Adds --password-stdin and --password-file FILE, and with `offer_generate` --generate[=LEN]
// (mutually exclusive).
void add_password_options(CLI::App& app, PasswordOptions& options, bool offer_generate = false);
// Adds --generate[=LEN] alone (import generates for the records that have no password).
CLI::Option* add_generate_option(CLI::App& app, std::size_t& length, std::string_view what);

// Reads the password: a generated one with --generate, else from --password-file, else from stdin
// when asked (without echo when it is a terminal) or when stdin is not a terminal, else from the
// terminal without echo (asked twice when `confirm`). Throws Error(DataError) for an empty
// password, no input or more than max_password_bytes, NoInput for a missing file.
std::string read_password(const PasswordOptions& options, std::string_view prompt,
                          bool confirm = false);

// Overwrites what a string held (its whole capacity: a short string keeps its bytes inline
// after a move) and empties it.
void wipe(std::string& secret);

// Wipes a tool's copy of a password when it goes out of scope, however the tool leaves:
// freed memory keeps no password for a later allocation or a debugger to find.
class WipedOnExit {
public:
  explicit WipedOnExit(std::string& secret) : m_secret(secret) {}
  ~WipedOnExit() { wipe(m_secret); }
  WipedOnExit(const WipedOnExit&) = delete;
  WipedOnExit& operator=(const WipedOnExit&) = delete;

private:
  std::string& m_secret;
};

} // namespace sipcred::cli
