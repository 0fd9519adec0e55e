#pragma once
// A count in the tools' messages, in English: "1 user", "2 users".

#include <cstddef>
#include <string>
#include <string_view>

namespace sipcred::cli {

inline std::string counted(std::size_t n, std::string_view noun) {
  return std::to_string(n) + " " + std::string(noun) + (n == 1 ? "" : "s");
}

} // namespace sipcred::cli
