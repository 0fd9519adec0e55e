#pragma once
// The one exception type of libsipcred. Its kind decides the exit code of every tool, so that
// scripts see the same status for the same kind of failure whichever tool they ran.

#include "sipcred/export.hpp"
#include <stdexcept>
#include <string>

namespace sipcred {

enum class ErrorKind {
  Usage,        // the caller asked for something impossible (unknown algorithm, bad option mix)
  DataError,    // input data is malformed
  NoInput,      // an input file is missing or unreadable
  Unavailable,  // a server or database cannot be reached
  CannotCreate, // an output file cannot be created
  Io,           // a read or write failed midway
  TempFail,     // try again later (a lock held by another writer)
  NoPermission, // the database user may not do it (a read-only user), a read-only file
  Internal,     // a bug or an unexpected library failure
};

// Exit code of the tools for an error of this kind (sysexits.h values, as ARCHITECTURE.md says).
// Inline, as the whole of this header: the umbrella `sipcred` uses it without linking libsipcred.
constexpr int exit_code(ErrorKind kind) noexcept {
  switch (kind) {
  case ErrorKind::Usage: return 2;
  case ErrorKind::DataError: return 65;    // EX_DATAERR
  case ErrorKind::NoInput: return 66;      // EX_NOINPUT
  case ErrorKind::Unavailable: return 69;  // EX_UNAVAILABLE
  case ErrorKind::Internal: return 70;     // EX_SOFTWARE
  case ErrorKind::CannotCreate: return 73; // EX_CANTCREAT
  case ErrorKind::Io: return 74;           // EX_IOERR
  case ErrorKind::TempFail: return 75;     // EX_TEMPFAIL
  case ErrorKind::NoPermission: return 77; // EX_NOPERM
  }
  return 70;
}

class SIPCRED_EXPORT Error : public std::runtime_error {
public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), m_kind(kind) {}
  ErrorKind kind() const noexcept { return m_kind; }

private:
  ErrorKind m_kind;
};

// Exit codes that are not failures of the library but answers of a tool.
inline constexpr int exit_success = 0;
inline constexpr int exit_negative = 1; // lint found errors, password mismatch, user not found...

} // namespace sipcred
