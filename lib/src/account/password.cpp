#include "sipcred/account/password.hpp"

#include "sipcred/util/error.hpp"

#include <openssl/rand.h>

#include <string_view>

namespace sipcred {

std::string generate_password(std::size_t length) {
  if (length < 8 || length > 256)
    throw Error(ErrorKind::Usage,
                "a generated password has 8 to 256 characters, not " + std::to_string(length));
  constexpr std::string_view alphabet =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~+!*";
  // Reject bytes above the largest multiple of the alphabet size: every character is then
  // equally likely.
  constexpr unsigned limit = 256 - 256 % alphabet.size();
  std::string password;
  unsigned char bytes[64];
  while (password.size() < length) {
    if (RAND_bytes(bytes, sizeof bytes) != 1)
      throw Error(ErrorKind::Internal, "OpenSSL's random generator failed");
    for (unsigned char byte : bytes)
      if (byte < limit && password.size() < length) password += alphabet[byte % alphabet.size()];
  }
  OPENSSL_cleanse(bytes, sizeof bytes);
  return password;
}

} // namespace sipcred
