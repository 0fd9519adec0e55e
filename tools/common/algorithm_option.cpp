#include "algorithm_option.hpp"

#include "sipcred/util/error.hpp"

#include <algorithm>

namespace sipcred::cli {

std::vector<HashFunction> userdb_algorithms(const std::vector<std::string>& names) {
  if (names.empty()) return {HashFunction::Md5, HashFunction::Sha256};
  std::vector<HashFunction> hashes;
  for (const std::string& name : names) {
    const auto hash = parse_hash_name(name);
    if (!hash)
      throw Error(ErrorKind::Usage, "unknown algorithm '" + name + "' (expected md5 or sha256)");
    if (!userdb_prefix(*hash))
      throw Error(ErrorKind::Usage, std::string(hash_name(*hash)) +
                                        " has no userdb prefix: Flexisip's userdb stores only "
                                        "md5: and sha256: hashes");
    if (std::find(hashes.begin(), hashes.end(), *hash) == hashes.end()) hashes.push_back(*hash);
  }
  return hashes;
}

} // namespace sipcred::cli
