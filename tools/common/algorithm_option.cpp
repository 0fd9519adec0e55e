#include "algorithm_option.hpp"

#include "sipcred/config/flexisip_algorithms.hpp"
#include "sipcred/util/error.hpp"

#include <algorithm>

namespace sipcred::cli {

CLI::Option* add_algorithm_option(CLI::App& app, std::string& name,
                                  const std::string& description) {
  return app.add_option("-a,--algorithm", name, description)->type_name("ALG");
}

CLI::Option* add_algorithm_list_option(CLI::App& app, std::vector<std::string>& names,
                                       const std::string& description) {
  return app.add_option("-a,--algorithm", names, description)
      ->delimiter(',')
      ->allow_extra_args(false)
      ->type_name("ALG");
}

Algorithm digest_algorithm(const std::string& name) {
  const auto algorithm = parse_algorithm(name);
  if (!algorithm)
    throw Error(ErrorKind::Usage, "unknown algorithm '" + name +
                                      "' (expected MD5, SHA-256 or SHA-512-256, optionally -sess)");
  return *algorithm;
}

std::vector<Algorithm> digest_algorithms(const std::vector<std::string>& names) {
  if (names.empty()) return {Algorithm{HashFunction::Md5, false}};
  std::vector<Algorithm> algorithms;
  for (const std::string& name : names) algorithms.push_back(digest_algorithm(name));
  return algorithms;
}

HashFunction hash_algorithm(const std::string& name) {
  if (auto hash = parse_hash_name(name)) return *hash;
  if (auto algorithm = parse_algorithm(name); algorithm && algorithm->session)
    throw Error(ErrorKind::Usage, "'" + name +
                                      "': the HA1 of a -sess algorithm depends on the "
                                      "nonce and cnonce; ask for " +
                                      std::string(hash_name(algorithm->hash)) + " instead");
  throw Error(ErrorKind::Usage,
              "unknown algorithm '" + name + "' (expected MD5, SHA-256 or SHA-512-256)");
}

std::vector<HashFunction> hash_algorithms(const std::vector<std::string>& names) {
  if (names.empty()) return {HashFunction::Md5};
  std::vector<HashFunction> hashes;
  for (const std::string& name : names) hashes.push_back(hash_algorithm(name));
  return hashes;
}

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

std::vector<Algorithm> flexisip_algorithms(const std::vector<std::string>& names) {
  std::vector<Algorithm> algorithms;
  for (const std::string& name : names) {
    const auto algorithm = parse_algorithm(name);
    if (!algorithm || !config::flexisip_offers(*algorithm))
      throw Error(ErrorKind::Usage,
                  "algorithm '" + name + "': Flexisip offers only MD5 and SHA-256");
    algorithms.push_back(*algorithm);
  }
  return algorithms;
}

} // namespace sipcred::cli
