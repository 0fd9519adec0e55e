#pragma once
// A word list tried against one stored HA1: which candidates c give H(prefix + c) == target,
// the prefix being "user-id:realm:" (hashcat's md5($salt.$pass), sha256($salt.$pass)).
// Private to the library: the audit (lint/wordlist_search) and bench/audit_bench use it.

#include "sipcred/digest/digest.hpp"

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

namespace sipcred {

// Appends to `matches`, in order, the index of every candidate whose H(prefix + candidate) is
// `target` (the binary digest). MD5 runs in md5_many's SIMD lanes (md5_search); SHA-256 and
// SHA-512-256 through OpenSSL, the prefix hashed once and its state copied per candidate.
void salted_search(HashFunction hash, std::string_view prefix,
                   std::span<const std::string_view> candidates,
                   std::span<const unsigned char> target, std::vector<std::size_t>& matches);

} // namespace sipcred
