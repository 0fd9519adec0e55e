#pragma once
// -a/--algorithm: the option, and what its values mean to each kind of tool. The one place the
// tools parse algorithm names; what a server accepts is the library's (sipcred/config).

#include "sipcred/digest/digest.hpp"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace sipcred::cli {

// -a,--algorithm ALG, given once.
CLI::Option* add_algorithm_option(CLI::App& app, std::string& name, const std::string& description);
// -a,--algorithm ALG, repeated or separated by commas. One value an occurrence: in
// "-a md5 FILE", FILE stays positional.
CLI::Option* add_algorithm_list_option(CLI::App& app, std::vector<std::string>& names,
                                       const std::string& description);

// Digest algorithms as named on the wire (MD5, SHA-256, SHA-512-256, their -sess forms; any
// case), in the order given; MD5 when none. Error(Usage) for an unknown name.
std::vector<Algorithm> digest_algorithms(const std::vector<std::string>& names);
Algorithm digest_algorithm(const std::string& name);

// Hash functions named by their token or userdb prefix (MD5, sha256...), in the order given;
// MD5 when none. Error(Usage) for an unknown name, or a -sess form (its HA1 depends on the
// nonce).
std::vector<HashFunction> hash_algorithms(const std::vector<std::string>& names);
HashFunction hash_algorithm(const std::string& name);

// Hash functions of a userdb (md5, sha256, MD5, SHA-256...), without repeats, in the order
// given; MD5 then SHA-256 when none. Error(Usage) for an unknown name or a hash with no userdb
// prefix (SHA-512-256).
std::vector<HashFunction> userdb_algorithms(const std::vector<std::string>& names);

// Algorithms to challenge with as Flexisip would, in the order given. Error(Usage) for one
// that Flexisip cannot offer in available-algorithms.
std::vector<Algorithm> flexisip_algorithms(const std::vector<std::string>& names);

} // namespace sipcred::cli
