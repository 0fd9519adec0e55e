#include "digest/salted_search.hpp"

#include "digest/md5_many.hpp"

// SHA-256 through the low-level API, as digest.cpp does MD5: on one-block messages it is
// cheaper than EVP, and its context can be copied by assignment.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace sipcred {
namespace {

bool same(const unsigned char* digest, std::span<const unsigned char> target) {
  return std::memcmp(digest, target.data(), target.size()) == 0;
}

void sha256_search(std::string_view prefix, std::span<const std::string_view> candidates,
                   std::span<const unsigned char> target, std::vector<std::size_t>& matches) {
  SHA256_CTX base;
  SHA256_Init(&base);
  SHA256_Update(&base, prefix.data(), prefix.size());
  unsigned char digest[SHA256_DIGEST_LENGTH];
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    SHA256_CTX ctx = base;
    SHA256_Update(&ctx, candidates[i].data(), candidates[i].size());
    SHA256_Final(digest, &ctx);
    if (same(digest, target)) matches.push_back(i);
  }
}

void evp_search(const EVP_MD* md, std::string_view prefix,
                std::span<const std::string_view> candidates, std::span<const unsigned char> target,
                std::vector<std::size_t>& matches) {
  const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> base(EVP_MD_CTX_new(),
                                                                     EVP_MD_CTX_free),
      ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!base || !ctx || !md || EVP_DigestInit_ex(base.get(), md, nullptr) != 1 ||
      EVP_DigestUpdate(base.get(), prefix.data(), prefix.size()) != 1)
    return;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned length = 0;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (EVP_MD_CTX_copy_ex(ctx.get(), base.get()) != 1 ||
        EVP_DigestUpdate(ctx.get(), candidates[i].data(), candidates[i].size()) != 1 ||
        EVP_DigestFinal_ex(ctx.get(), digest, &length) != 1)
      continue;
    if (length == target.size() && same(digest, target)) matches.push_back(i);
  }
}

} // namespace

void salted_search(HashFunction hash, std::string_view prefix,
                   std::span<const std::string_view> candidates,
                   std::span<const unsigned char> target, std::vector<std::size_t>& matches) {
  switch (hash) {
  case HashFunction::Md5: {
    if (target.size() != 16) return;
    Md5Digest digest;
    std::copy(target.begin(), target.end(), digest.begin());
    return md5_search(prefix, candidates, digest, matches);
  }
  case HashFunction::Sha256:
    if (target.size() != SHA256_DIGEST_LENGTH) return;
    return sha256_search(prefix, candidates, target, matches);
  case HashFunction::Sha512_256:
    return evp_search(EVP_sha512_256(), prefix, candidates, target, matches);
  }
}

} // namespace sipcred
