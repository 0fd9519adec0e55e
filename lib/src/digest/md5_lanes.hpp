#pragma once
// The paths of md5_many one by one, so that tests and benchmarks can run each path the CPU
// supports, not only the one md5_many picks. Each has md5_many's contract (sizes checked,
// messages longer than 55 bytes hashed by OpenSSL in their place).

#include "digest/md5_many.hpp"

namespace sipcred {

// Whether this CPU (and the OS, which must save the wider registers) supports the extension.
// Always false outside x86-64, where only the scalar path exists.
bool cpu_has_avx2();
bool cpu_has_avx512();

// OpenSSL's MD5, one message at a time: the reference and the fallback.
void md5_many_scalar(std::span<const std::string_view> messages, std::span<Md5Digest> digests);
// md5_search with OpenSSL's MD5, the prefix's state copied for each candidate.
void md5_search_one_at_a_time(std::string_view prefix, std::span<const std::string_view> candidates,
                              const Md5Digest& target, std::vector<std::size_t>& matches);
#if defined(__x86_64__)
// 8 messages side by side. Precondition: cpu_has_avx2() (not checked: an illegal instruction).
void md5_many_avx2(std::span<const std::string_view> messages, std::span<Md5Digest> digests);
// 16 messages side by side. Precondition: cpu_has_avx512() (not checked).
void md5_many_avx512(std::span<const std::string_view> messages, std::span<Md5Digest> digests);
// md5_search in 8 and 16 lanes; the same preconditions.
void md5_search_avx2(std::string_view prefix, std::span<const std::string_view> candidates,
                     const Md5Digest& target, std::vector<std::size_t>& matches);
void md5_search_avx512(std::string_view prefix, std::span<const std::string_view> candidates,
                       const Md5Digest& target, std::vector<std::size_t>& matches);
#endif

} // namespace sipcred
