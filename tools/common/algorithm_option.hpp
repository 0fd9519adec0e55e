#pragma once
// The -a/--algorithm values of the tools that write a userdb.

#include "sipcred/digest/digest.hpp"

#include <string>
#include <vector>

namespace sipcred::cli {

// Hash functions named by -a (md5, sha256, MD5, SHA-256...), without repeats, in the order
// given; MD5 then SHA-256 when none. Error(Usage) for an unknown name or a hash with no userdb
// prefix (SHA-512-256).
std::vector<HashFunction> userdb_algorithms(const std::vector<std::string>& names);

} // namespace sipcred::cli
