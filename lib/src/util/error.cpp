#include "sipcred/util/error.hpp"

namespace sipcred {

int exit_code(ErrorKind kind) noexcept {
  switch (kind) {
  case ErrorKind::Usage: return 2;
  case ErrorKind::DataError: return 65;    // EX_DATAERR
  case ErrorKind::NoInput: return 66;      // EX_NOINPUT
  case ErrorKind::Unavailable: return 69;  // EX_UNAVAILABLE
  case ErrorKind::Internal: return 70;     // EX_SOFTWARE
  case ErrorKind::CannotCreate: return 73; // EX_CANTCREAT
  case ErrorKind::Io: return 74;           // EX_IOERR
  case ErrorKind::TempFail: return 75;     // EX_TEMPFAIL
  }
  return 70;
}

} // namespace sipcred
