#include "sipcred/digest/digest.hpp"

#include "sipcred/util/error.hpp"
#include "util/text.hpp"

// MD5 and SHA-256 go through OpenSSL's low-level functions, deprecated in OpenSSL 3 in favour
// of EVP but still shipped and running the same assembly (SHA-NI included). On the short
// strings of digest authentication EVP costs twice the hash itself: every re-initialisation
// frees and allocates the provider's context, and every call goes through provider dispatch.
// sipcred-convert hashes a million users, a registrar every REGISTER. SHA-512-256 has no
// low-level entry point and stays on EVP.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/md5.h>
#include <openssl/sha.h>

#include <cstdint>
#include <cstring>
#include <memory>

namespace sipcred {
namespace {

struct ContextDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

void check(int ok);

// SHA-512-256, the one hash left on EVP. OpenSSL 3 looks an algorithm up in its provider
// tables on every implicit fetch, so it is fetched once for the process. Each thread keeps a
// context set to it once; later hashes re-initialise it with a null digest, which reuses the
// one it has (a fresh EVP_DigestInit_ex2 with the digest takes and drops a reference to the
// shared EVP_MD each time, atomics that threads hashing many users fight over).
EVP_MD_CTX* sha512_256_context() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA2-512/256", nullptr);
  if (md == nullptr)
    throw Error(ErrorKind::Internal, "OpenSSL does not provide SHA-512-256 (FIPS mode?)");
  thread_local std::unique_ptr<EVP_MD_CTX, ContextDeleter> ctx;
  if (!ctx) {
    ctx.reset(EVP_MD_CTX_new());
    if (!ctx) throw Error(ErrorKind::Internal, "OpenSSL: cannot allocate a digest context");
    check(EVP_DigestInit_ex2(ctx.get(), md, nullptr));
    return ctx.get();
  }
  check(EVP_DigestInit_ex2(ctx.get(), nullptr, nullptr));
  return ctx.get();
}

void append_hex(std::string& out, const unsigned char* bytes, std::size_t length) {
  const std::size_t start = out.size();
  out.resize(start + 2 * length);
  write_hex(out.data() + start, bytes, length);
}

// Feeds piece ":" piece ":" ... to `update` without building the joined string.
template <class Update>
void feed_joined(std::initializer_list<std::string_view> pieces, Update update) {
  bool first = true;
  for (std::string_view piece : pieces) {
    if (!first) update(":", 1);
    first = false;
    update(piece.data(), piece.size());
  }
}

void check(int ok) {
  if (ok != 1) throw Error(ErrorKind::Internal, "OpenSSL digest failure");
}

// SHA-256 of joined pieces that fit one 64-byte block once padded (55 bytes or fewer: nearly
// every A1 string), into `bytes`; false, and nothing done, for longer ones. The block is padded
// here and compressed once, skipping what SHA256_Update and SHA256_Final do for messages of
// any length (copying into the context's buffer, padding there, cleansing it): on these short
// strings that took longer than the compression itself (perf of sipcred-convert, 1M users).
bool sha256_one_block(std::initializer_list<std::string_view> pieces, unsigned char* bytes) {
  std::size_t length = pieces.size() == 0 ? 0 : pieces.size() - 1; // the colons
  for (std::string_view piece : pieces) length += piece.size();
  if (length > 55) return false;
  unsigned char block[SHA256_CBLOCK] = {};
  std::size_t at = 0;
  feed_joined(pieces, [&](const char* data, std::size_t size) {
    std::memcpy(block + at, data, size);
    at += size;
  });
  block[length] = 0x80;
  const std::uint64_t bits = std::uint64_t{length} * 8; // big-endian, in the last 8 bytes
  for (std::size_t i = 0; i < 8; ++i)
    block[SHA256_CBLOCK - 1 - i] = static_cast<unsigned char>(bits >> (8 * i));
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Transform(&ctx, block);
  for (std::size_t i = 0; i < 8; ++i)
    for (std::size_t j = 0; j < 4; ++j)
      bytes[4 * i + j] = static_cast<unsigned char>(ctx.h[i] >> (24 - 8 * j));
  return true;
}

// The raw digest of the joined pieces into `bytes`; returns its length.
std::size_t digest_joined(HashFunction hash, std::initializer_list<std::string_view> pieces,
                          unsigned char* bytes) {
  switch (hash) {
  case HashFunction::Md5: {
    MD5_CTX ctx;
    MD5_Init(&ctx);
    feed_joined(pieces, [&](const char* data, std::size_t size) { MD5_Update(&ctx, data, size); });
    MD5_Final(bytes, &ctx);
    return MD5_DIGEST_LENGTH;
  }
  case HashFunction::Sha256: {
    if (sha256_one_block(pieces, bytes)) return SHA256_DIGEST_LENGTH;
    SHA256_CTX ctx;
    SHA256_Init(&ctx);
    feed_joined(pieces,
                [&](const char* data, std::size_t size) { SHA256_Update(&ctx, data, size); });
    SHA256_Final(bytes, &ctx);
    return SHA256_DIGEST_LENGTH;
  }
  case HashFunction::Sha512_256: break;
  }
  EVP_MD_CTX* ctx = sha512_256_context();
  feed_joined(pieces, [&](const char* data, std::size_t size) {
    check(EVP_DigestUpdate(ctx, data, size));
  });
  unsigned length = 0;
  check(EVP_DigestFinal_ex(ctx, bytes, &length));
  return length;
}

} // namespace

std::string_view hash_name(HashFunction hash) {
  switch (hash) {
  case HashFunction::Md5: return "MD5";
  case HashFunction::Sha256: return "SHA-256";
  case HashFunction::Sha512_256: return "SHA-512-256";
  }
  return "?";
}

std::string algorithm_name(Algorithm algorithm) {
  std::string name(hash_name(algorithm.hash));
  if (algorithm.session) name += "-sess";
  return name;
}

std::optional<Algorithm> parse_algorithm(std::string_view token) {
  bool session = false;
  constexpr std::string_view sess = "-sess";
  if (token.size() > sess.size() && iequals(token.substr(token.size() - sess.size()), sess)) {
    session = true;
    token.remove_suffix(sess.size());
  }
  for (HashFunction hash : all_hash_functions)
    if (iequals(token, hash_name(hash))) return Algorithm{hash, session};
  return std::nullopt;
}

std::optional<HashFunction> parse_hash_name(std::string_view name) {
  if (auto algorithm = parse_algorithm(name); algorithm && !algorithm->session)
    return algorithm->hash;
  for (HashFunction hash : all_hash_functions)
    if (auto prefix = userdb_prefix(hash); prefix && iequals(name, *prefix)) return hash;
  return std::nullopt;
}

std::optional<std::string_view> userdb_prefix(HashFunction hash) {
  switch (hash) {
  case HashFunction::Md5: return "md5";
  case HashFunction::Sha256: return "sha256";
  case HashFunction::Sha512_256: return std::nullopt;
  }
  return std::nullopt;
}

std::optional<HashFunction> parse_userdb_prefix(std::string_view prefix) {
  if (prefix == "md5") return HashFunction::Md5;
  if (prefix == "sha256") return HashFunction::Sha256;
  return std::nullopt;
}

std::size_t hex_length(HashFunction hash) { return hash == HashFunction::Md5 ? 32 : 64; }

void append_hex_digest_joined(std::string& out, HashFunction hash,
                              std::initializer_list<std::string_view> pieces) {
  unsigned char bytes[EVP_MAX_MD_SIZE];
  append_hex(out, bytes, digest_joined(hash, pieces, bytes));
}

std::string hex_digest_joined(HashFunction hash, std::initializer_list<std::string_view> pieces) {
  std::string hex;
  hex.reserve(2 * EVP_MAX_MD_SIZE);
  append_hex_digest_joined(hex, hash, pieces);
  return hex;
}

std::string hex_digest(HashFunction hash, std::string_view data) {
  return hex_digest_joined(hash, {data});
}

std::string ha1(HashFunction hash, std::string_view user, std::string_view realm,
                std::string_view password) {
  return hex_digest_joined(hash, {user, realm, password});
}

std::string userhash(HashFunction hash, std::string_view user, std::string_view realm) {
  return hex_digest_joined(hash, {user, realm});
}

std::optional<Qop> parse_qop(std::string_view token) {
  if (iequals(token, "auth")) return Qop::Auth;
  if (iequals(token, "auth-int")) return Qop::AuthInt;
  return std::nullopt;
}

std::string_view qop_name(Qop qop) {
  switch (qop) {
  case Qop::None: return "";
  case Qop::Auth: return "auth";
  case Qop::AuthInt: return "auth-int";
  }
  return "";
}

std::string session_ha1(const DigestInput& in) {
  if (!in.algorithm.session) return std::string(in.ha1);
  if (in.qop == Qop::None)
    throw Error(ErrorKind::Usage, algorithm_name(in.algorithm) +
                                      " needs a qop: without one there is no cnonce to hash");
  return hex_digest_joined(in.algorithm.hash, {in.ha1, in.nonce, in.cnonce});
}

std::string request_digest(const DigestInput& in) {
  const HashFunction h = in.algorithm.hash;
  const std::string key = session_ha1(in);
  const std::string ha2 = in.qop == Qop::AuthInt
                              ? hex_digest_joined(h, {in.method, in.uri, hex_digest(h, in.body)})
                              : hex_digest_joined(h, {in.method, in.uri});
  if (in.qop == Qop::None) return hex_digest_joined(h, {key, in.nonce, ha2});
  return hex_digest_joined(h, {key, in.nonce, in.nc, in.cnonce, qop_name(in.qop), ha2});
}

} // namespace sipcred
