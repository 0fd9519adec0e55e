#pragma once
// Generated passwords.

#include "sipcred/export.hpp"
#include <cstddef>
#include <string>

namespace sipcred {

inline constexpr std::size_t default_password_length = 20;

// A random password drawn with OpenSSL's CSPRNG (no modulo bias) from letters, digits and
// - . _ ~ + ! *: userdb token characters that need no quoting in a shell, CSV or SQL. 6.1 bits
// a character, so the default 20 give 122 bits. Error(Usage) for a length outside 8..256.
SIPCRED_EXPORT std::string generate_password(std::size_t length = default_password_length);

} // namespace sipcred
