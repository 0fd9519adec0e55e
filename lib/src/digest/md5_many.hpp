#pragma once
// MD5 of many short messages at once, for the HA1 hashes of a whole user base.

#include <array>
#include <span>
#include <string_view>
#include <vector>

namespace sipcred {

using Md5Digest = std::array<unsigned char, 16>;

// MD5 of each message: digests[i] = MD5(messages[i]), byte for byte what MD5() gives.
// sipcred-convert hashes millions of A1 strings (user:realm:password), nearly all of them at
// most 55 bytes, which is what fits one MD5 block with its padding. One MD5 block is a chain of
// 64 dependent steps, so a single message leaves most of the CPU idle; independent messages
// can instead be hashed side by side, one per SIMD lane: 16 at a time with AVX-512F, 8 with
// AVX2, several times the throughput of one at a time. The CPU is checked once at run time.
// Messages longer than 55 bytes, and every message on a CPU with neither extension, go to
// OpenSSL's MD5, each in its place: the result never depends on the path taken.
// Precondition: digests.size() == messages.size(); otherwise throws Error(ErrorKind::Usage)
// and writes nothing.
void md5_many(std::span<const std::string_view> messages, std::span<Md5Digest> digests);

// The indexes i, in order, with MD5(prefix + candidates[i]) == target, appended to `matches`:
// a word list tried against one stored HA1 (prefix "user:realm:"). The same lanes as md5_many,
// each keeping the prefix in place from one candidate to the next, and the digests compared in
// registers rather than written out.
void md5_search(std::string_view prefix, std::span<const std::string_view> candidates,
                const Md5Digest& target, std::vector<std::size_t>& matches);

// The implementation md5_many uses on this CPU: "avx512", "avx2" or "scalar".
std::string_view md5_many_implementation();

} // namespace sipcred
