#include "digest/md5_many.hpp"

#include "digest/md5_lanes.hpp"
#include "sipcred/util/error.hpp"

// The fallback is OpenSSL's low-level MD5, as in digest.cpp (deprecated in OpenSSL 3, still
// shipped, and cheaper than EVP on short strings).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/md5.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace sipcred {
namespace {

void check_sizes(std::span<const std::string_view> messages, std::span<Md5Digest> digests) {
  if (messages.size() != digests.size())
    throw Error(ErrorKind::Usage, "md5_many: " + std::to_string(messages.size()) +
                                      " messages but room for " + std::to_string(digests.size()) +
                                      " digests");
}

void md5_one(std::string_view message, Md5Digest& digest) {
  MD5_CTX ctx;
  MD5_Init(&ctx);
  MD5_Update(&ctx, message.data(), message.size());
  MD5_Final(digest.data(), &ctx);
}

// The scalar search: the prefix hashed once, its state copied for each candidate.
void md5_search_scalar(std::string_view prefix, std::span<const std::string_view> candidates,
                       const Md5Digest& target, std::vector<std::size_t>& matches) {
  MD5_CTX base;
  MD5_Init(&base);
  MD5_Update(&base, prefix.data(), prefix.size());
  Md5Digest digest;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    MD5_CTX ctx = base;
    MD5_Update(&ctx, candidates[i].data(), candidates[i].size());
    MD5_Final(digest.data(), &ctx);
    if (digest == target) matches.push_back(i);
  }
}

// Everything from here to the matching #endif serves the vector paths, which exist on x86-64
// only; elsewhere md5_many is OpenSSL's MD5.
#if defined(__x86_64__)

// ---- MD5 as RFC 1321 defines it, for one 64-byte block -------------------------------------

constexpr std::size_t block_bytes = 64;
constexpr std::size_t block_words = 16;
// The longest message that fits one block with its padding: 0x80 and the 8-byte bit length.
constexpr std::size_t max_one_block = block_bytes - 1 - 8;

// §3.3: the initial state A, B, C, D.
constexpr std::uint32_t iv[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};

// §3.4: T[i] = floor(abs(sin(i + 1)) * 2^32), the additive constant of step i.
constexpr std::uint32_t T[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};

// §3.4: the shift amounts, S11..S14 for round 1 up to S41..S44 for round 4; step i of a round
// shifts by the (i mod 4)th of its row.
constexpr int S[4][4] = {
    {7, 12, 17, 22}, // round 1
    {5, 9, 14, 20},  // round 2
    {4, 11, 16, 23}, // round 3
    {6, 10, 15, 21}, // round 4
};

// §3.4: the auxiliary function of each round, on words X, Y, Z.
constexpr std::uint32_t F(std::uint32_t x, std::uint32_t y, std::uint32_t z) {
  return (x & y) | (~x & z);
}
constexpr std::uint32_t G(std::uint32_t x, std::uint32_t y, std::uint32_t z) {
  return (x & z) | (y & ~z);
}
constexpr std::uint32_t H(std::uint32_t x, std::uint32_t y, std::uint32_t z) { return x ^ y ^ z; }
constexpr std::uint32_t I(std::uint32_t x, std::uint32_t y, std::uint32_t z) {
  return y ^ (x | ~z);
}

// Step i (0..63) of the compression: its round, the message word it adds and its shift.
constexpr int round_of(int i) { return i / 16; }
constexpr int word_of(int i) {
  switch (round_of(i)) {
  case 0: return i % 16;
  case 1: return (1 + 5 * i) % 16;
  case 2: return (5 + 3 * i) % 16;
  default: return (7 * i) % 16;
  }
}
constexpr int shift_of(int i) { return S[round_of(i)][i % 4]; }

// Each step updates one of the four state words and the roles rotate: step i computes into
// the word that was A at step 0 when i mod 4 == 0, then D, C, B. These give the index, in a
// state array {A, B, C, D}, of the word playing each role at step i.
constexpr int role_a(int i) { return (64 - i) % 4; }
constexpr int role_b(int i) { return (65 - i) % 4; }
constexpr int role_c(int i) { return (66 - i) % 4; }
constexpr int role_d(int i) { return (67 - i) % 4; }

// ---- Messages into lanes ------------------------------------------------------------------

void store_le32(unsigned char* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}

// §3.1, 3.2: a message of at most 55 bytes (max_one_block) as its one padded block: its bytes,
// 0x80, zeros, then its length in bits, 64-bit little-endian. The blocks only feed the x86
// lanes, so the native order is little-endian: the length is copied as it is (one store).
void pad_block(std::string_view message, unsigned char (&block)[block_bytes]) {
  static_assert(std::endian::native == std::endian::little);
  std::memset(block, 0, block_bytes);
  if (!message.empty()) std::memcpy(block, message.data(), message.size());
  block[message.size()] = 0x80;
  const std::uint64_t bits = std::uint64_t{message.size()} * 8;
  std::memcpy(&block[56], &bits, sizeof bits);
}

// Up to Lanes one-block messages, each padded in its own row. The steps want the transpose
// (one vector per message word, holding that word of every lane): the vector code loads the
// rows and transposes them in registers, far cheaper than scattering words one by one.
template <std::size_t Lanes> struct Group {
  alignas(64) unsigned char blocks[Lanes][block_bytes];
  Md5Digest* out[Lanes]; // where each lane's digest goes; nullptr for a dummy lane
  std::size_t count = 0; // lanes filled so far
};

template <std::size_t Lanes>
void put_lane(Group<Lanes>& group, std::size_t lane, std::string_view message, Md5Digest* out) {
  pad_block(message, group.blocks[lane]);
  group.out[lane] = out;
}

// The final state of each lane (state[w][lane], IV already added) as its digest, A first,
// each word little-endian (§3.5). Dummy lanes are dropped.
template <std::size_t Lanes>
void write_digests(const Group<Lanes>& group, const std::uint32_t (&state)[4][Lanes]) {
  for (std::size_t lane = 0; lane < Lanes; ++lane) {
    if (group.out[lane] == nullptr) continue;
    for (std::size_t w = 0; w < 4; ++w) store_le32(group.out[lane]->data() + 4 * w, state[w][lane]);
  }
}

// Hashes the messages Lanes at a time with `hash_group`; longer messages go to OpenSSL in
// their place. A last, partial group is filled with empty dummy messages (every lane then
// holds a valid block) whose digests are dropped.
template <std::size_t Lanes>
void md5_in_lanes(std::span<const std::string_view> messages, std::span<Md5Digest> digests,
                  void (*hash_group)(const Group<Lanes>&)) {
  check_sizes(messages, digests);
  Group<Lanes> group;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    if (messages[i].size() > max_one_block) {
      md5_one(messages[i], digests[i]);
      continue;
    }
    put_lane(group, group.count++, messages[i], &digests[i]);
    if (group.count == Lanes) {
      hash_group(group);
      group.count = 0;
    }
  }
  if (group.count == 0) return;
  for (std::size_t lane = group.count; lane < Lanes; ++lane) put_lane(group, lane, {}, nullptr);
  hash_group(group);
}

// The vector paths are compiled for their extension function by function, so that the library
// itself still targets baseline x86-64; they run only once the CPU check allowed them.
// always_inline: the 64 steps must melt into one straight-line function for the vectors to
// stay in registers (and a target mismatch then fails the build rather than slowing it).
#define SIPCRED_AVX2 __attribute__((target("avx2"), always_inline)) inline
#define SIPCRED_AVX512 __attribute__((target("avx512f"), always_inline)) inline

// ---- AVX-512F: 16 lanes -------------------------------------------------------------------

namespace avx512 {

constexpr std::size_t lanes = 16;
using Vec = __m512i;

// vpternlogd computes any function of three inputs from its truth table: the function's
// value on the bit patterns 0xf0, 0xcc, 0xaa (which enumerate every input combination).
constexpr int truth_table(std::uint32_t (*f)(std::uint32_t, std::uint32_t, std::uint32_t)) {
  return static_cast<int>(f(0xf0, 0xcc, 0xaa) & 0xff);
}
constexpr int round_tables[4] = {truth_table(F), truth_table(G), truth_table(H), truth_table(I)};

SIPCRED_AVX512 Vec broadcast(std::uint32_t v) { return _mm512_set1_epi32(static_cast<int>(v)); }

// GCC 12's unmasked forms of the rotate, unpack and shuffle intrinsics trip -Wuninitialized
// inside its own header (GCC bug 105593). Their zero-masking forms with every lane kept compile
// to the same instructions, unmasked.
constexpr __mmask16 all32 = 0xffff; // every 32-bit lane
constexpr __mmask8 all64 = 0xff;    // every 64-bit lane

template <int shift> SIPCRED_AVX512 Vec rotate_left(Vec v) {
  return _mm512_maskz_rol_epi32(all32, v, shift);
}
SIPCRED_AVX512 Vec unpacklo32(Vec a, Vec b) { return _mm512_maskz_unpacklo_epi32(all32, a, b); }
SIPCRED_AVX512 Vec unpackhi32(Vec a, Vec b) { return _mm512_maskz_unpackhi_epi32(all32, a, b); }
SIPCRED_AVX512 Vec unpacklo64(Vec a, Vec b) { return _mm512_maskz_unpacklo_epi64(all64, a, b); }
SIPCRED_AVX512 Vec unpackhi64(Vec a, Vec b) { return _mm512_maskz_unpackhi_epi64(all64, a, b); }
// Quarters (128 bits): imm selects two of a for the low half, two of b for the high half.
template <int imm> SIPCRED_AVX512 Vec shuffle_quarters(Vec a, Vec b) {
  return _mm512_maskz_shuffle_i32x4(all32, a, b, imm);
}

template <int i> SIPCRED_AVX512 void step(Vec (&state)[4], const Vec (&x)[block_words]) {
  constexpr int table = round_tables[round_of(i)];
  Vec& a = state[role_a(i)];
  const Vec b = state[role_b(i)], c = state[role_c(i)], d = state[role_d(i)];
  const Vec f = _mm512_ternarylogic_epi32(b, c, d, table);
  const Vec sum =
      _mm512_add_epi32(_mm512_add_epi32(a, f), _mm512_add_epi32(x[word_of(i)], broadcast(T[i])));
  a = _mm512_add_epi32(b, rotate_left<shift_of(i)>(sum));
}

template <std::size_t... i>
SIPCRED_AVX512 void steps(Vec (&state)[4], const Vec (&x)[block_words], std::index_sequence<i...>) {
  (step<static_cast<int>(i)>(state, x), ...);
}

// The 16 blocks (one row of 16 words per lane) as 16 vectors, x[j] = word j of every lane.
// MD5 words are little-endian, as x86 loads them. A 16x16 transpose in three stages: pairs of
// rows interleaved by 32 bits, then by 64 bits, which leaves in each 128-bit quarter of t[4k+m]
// word 4q+m of rows 4k..4k+3 (q the quarter); then the quarters are regrouped by 128 bits.
__attribute__((target("avx512f"))) void load_words(const Group<lanes>& group,
                                                   Vec (&x)[block_words]) {
  Vec r[16], t[16];
  for (std::size_t i = 0; i < 16; ++i) r[i] = _mm512_load_si512(group.blocks[i]);
  for (std::size_t k = 0; k < 16; k += 2) {
    t[k] = unpacklo32(r[k], r[k + 1]);
    t[k + 1] = unpackhi32(r[k], r[k + 1]);
  }
  for (std::size_t k = 0; k < 16; k += 4) {
    r[k] = unpacklo64(t[k], t[k + 2]);
    r[k + 1] = unpackhi64(t[k], t[k + 2]);
    r[k + 2] = unpacklo64(t[k + 1], t[k + 3]);
    r[k + 3] = unpackhi64(t[k + 1], t[k + 3]);
  }
  for (std::size_t m = 0; m < 4; ++m) {
    const Vec p = r[m], q = r[4 + m], u = r[8 + m], v = r[12 + m];
    const Vec pq01 = shuffle_quarters<0x44>(p, q), pq23 = shuffle_quarters<0xee>(p, q);
    const Vec uv01 = shuffle_quarters<0x44>(u, v), uv23 = shuffle_quarters<0xee>(u, v);
    x[m] = shuffle_quarters<0x88>(pq01, uv01);      // quarter 0 of p, q, u, v
    x[4 + m] = shuffle_quarters<0xdd>(pq01, uv01);  // quarter 1
    x[8 + m] = shuffle_quarters<0x88>(pq23, uv23);  // quarter 2
    x[12 + m] = shuffle_quarters<0xdd>(pq23, uv23); // quarter 3
  }
}

__attribute__((target("avx512f"))) void hash_state(const Group<lanes>& group,
                                                   std::uint32_t (&out)[4][lanes]) {
  Vec x[block_words];
  load_words(group, x);
  Vec state[4];
  for (std::size_t w = 0; w < 4; ++w) state[w] = broadcast(iv[w]);
  steps(state, x, std::make_index_sequence<64>{});
  for (std::size_t w = 0; w < 4; ++w)
    _mm512_storeu_si512(out[w], _mm512_add_epi32(state[w], broadcast(iv[w])));
}

__attribute__((target("avx512f"))) void hash_group(const Group<lanes>& group) {
  alignas(64) std::uint32_t out[4][lanes];
  hash_state(group, out);
  write_digests(group, out);
}

} // namespace avx512

// ---- AVX2: 8 lanes ------------------------------------------------------------------------

namespace avx2 {

constexpr std::size_t lanes = 8;
using Vec = __m256i;

SIPCRED_AVX2 Vec broadcast(std::uint32_t v) { return _mm256_set1_epi32(static_cast<int>(v)); }

// The round functions rewritten for the instructions AVX2 has (no ternary logic, no or-not),
// each equal to RFC 1321's bit by bit.
template <int round> SIPCRED_AVX2 Vec round_function(Vec b, Vec c, Vec d) {
  if constexpr (round == 0) // F: where b, c, else d
    return _mm256_xor_si256(d, _mm256_and_si256(b, _mm256_xor_si256(c, d)));
  else if constexpr (round == 1) // G: where d, b, else c
    return _mm256_xor_si256(c, _mm256_and_si256(d, _mm256_xor_si256(b, c)));
  else if constexpr (round == 2) // H
    return _mm256_xor_si256(_mm256_xor_si256(b, c), d);
  else // I: c ^ (b | ~d)
    return _mm256_xor_si256(c, _mm256_or_si256(b, _mm256_xor_si256(d, _mm256_set1_epi32(-1))));
}

// AVX2 has no vector rotate: two shifts and an or.
template <int shift> SIPCRED_AVX2 Vec rotate_left(Vec v) {
  return _mm256_or_si256(_mm256_slli_epi32(v, shift), _mm256_srli_epi32(v, 32 - shift));
}

template <int i> SIPCRED_AVX2 void step(Vec (&state)[4], const Vec (&x)[block_words]) {
  Vec& a = state[role_a(i)];
  const Vec b = state[role_b(i)], c = state[role_c(i)], d = state[role_d(i)];
  const Vec f = round_function<round_of(i)>(b, c, d);
  const Vec sum =
      _mm256_add_epi32(_mm256_add_epi32(a, f), _mm256_add_epi32(x[word_of(i)], broadcast(T[i])));
  a = _mm256_add_epi32(b, rotate_left<shift_of(i)>(sum));
}

template <std::size_t... i>
SIPCRED_AVX2 void steps(Vec (&state)[4], const Vec (&x)[block_words], std::index_sequence<i...>) {
  (step<static_cast<int>(i)>(state, x), ...);
}

// The 8 blocks as 16 vectors, x[j] = word j of every lane: each half of the blocks (words
// 0..7, then 8..15) is an 8x8 transpose, in the same stages as the AVX-512 one, the last
// regrouping the two 128-bit halves.
__attribute__((target("avx2"))) void load_words(const Group<lanes>& group, Vec (&x)[block_words]) {
  for (std::size_t half = 0; half < 2; ++half) {
    Vec r[8], t[8];
    for (std::size_t i = 0; i < 8; ++i)
      r[i] = _mm256_load_si256(reinterpret_cast<const Vec*>(&group.blocks[i][32 * half]));
    for (std::size_t k = 0; k < 8; k += 2) {
      t[k] = _mm256_unpacklo_epi32(r[k], r[k + 1]);
      t[k + 1] = _mm256_unpackhi_epi32(r[k], r[k + 1]);
    }
    for (std::size_t k = 0; k < 8; k += 4) {
      r[k] = _mm256_unpacklo_epi64(t[k], t[k + 2]);
      r[k + 1] = _mm256_unpackhi_epi64(t[k], t[k + 2]);
      r[k + 2] = _mm256_unpacklo_epi64(t[k + 1], t[k + 3]);
      r[k + 3] = _mm256_unpackhi_epi64(t[k + 1], t[k + 3]);
    }
    for (std::size_t m = 0; m < 4; ++m) {
      x[8 * half + m] = _mm256_permute2x128_si256(r[m], r[4 + m], 0x20);     // low halves
      x[8 * half + 4 + m] = _mm256_permute2x128_si256(r[m], r[4 + m], 0x31); // high halves
    }
  }
}

__attribute__((target("avx2"))) void hash_state(const Group<lanes>& group,
                                                std::uint32_t (&out)[4][lanes]) {
  Vec x[block_words];
  load_words(group, x);
  Vec state[4];
  for (std::size_t w = 0; w < 4; ++w) state[w] = broadcast(iv[w]);
  steps(state, x, std::make_index_sequence<64>{});
  for (std::size_t w = 0; w < 4; ++w)
    _mm256_storeu_si256(reinterpret_cast<Vec*>(out[w]),
                        _mm256_add_epi32(state[w], broadcast(iv[w])));
}

__attribute__((target("avx2"))) void hash_group(const Group<lanes>& group) {
  alignas(32) std::uint32_t out[4][lanes];
  hash_state(group, out);
  write_digests(group, out);
}

} // namespace avx2

// ---- Searching candidates behind a fixed prefix ----------------------------------------------

std::uint32_t load_le32(const unsigned char* p) {
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
         std::uint32_t{p[3]} << 24;
}

// md5_search in lanes: each row keeps the prefix from one candidate to the next, so a candidate
// costs the copy of its own bytes, the clearing of the previous one's and its length; the
// digests are compared as state words, never written out.
template <std::size_t Lanes>
void md5_search_in_lanes(std::string_view prefix, std::span<const std::string_view> candidates,
                         const Md5Digest& target, std::vector<std::size_t>& matches,
                         void (*hash_state)(const Group<Lanes>&, std::uint32_t (&)[4][Lanes])) {
  const std::size_t p = prefix.size();
  if (p > max_one_block) return md5_search_scalar(prefix, candidates, target, matches);
  const std::size_t first_match = matches.size();
  std::uint32_t want[4];
  for (std::size_t w = 0; w < 4; ++w) want[w] = load_le32(target.data() + 4 * w);
  Group<Lanes> group;
  std::size_t ends[Lanes];  // where each row's previous candidate (and its 0x80) ended
  std::size_t which[Lanes]; // the candidate in each lane
  for (std::size_t lane = 0; lane < Lanes; ++lane) {
    std::memset(group.blocks[lane], 0, block_bytes);
    if (p > 0) std::memcpy(group.blocks[lane], prefix.data(), p);
    ends[lane] = p;
  }
  alignas(64) std::uint32_t out[4][Lanes];
  const auto compare = [&](std::size_t filled) {
    hash_state(group, out);
    for (std::size_t lane = 0; lane < filled; ++lane)
      if (out[0][lane] == want[0] && out[1][lane] == want[1] && out[2][lane] == want[2] &&
          out[3][lane] == want[3])
        matches.push_back(which[lane]);
  };
  std::size_t count = 0;
  std::vector<std::size_t> long_ones;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const std::string_view candidate = candidates[i];
    const std::size_t n = p + candidate.size();
    if (n > max_one_block) {
      long_ones.push_back(i);
      continue;
    }
    unsigned char* row = group.blocks[count];
    if (ends[count] > p) std::memset(row + p, 0, ends[count] - p);
    if (!candidate.empty()) std::memcpy(row + p, candidate.data(), candidate.size());
    row[n] = 0x80;
    ends[count] = n + 1;
    const std::uint64_t bits = std::uint64_t{n} * 8;
    std::memcpy(row + 56, &bits, sizeof bits);
    which[count++] = i;
    if (count == Lanes) {
      compare(Lanes);
      count = 0;
    }
  }
  if (count > 0) compare(count); // the lanes beyond hold stale candidates, not compared
  if (long_ones.empty()) return;
  std::vector<std::string_view> rest;
  for (std::size_t i : long_ones) rest.push_back(candidates[i]);
  std::vector<std::size_t> found;
  md5_search_scalar(prefix, rest, target, found);
  for (std::size_t j : found) matches.push_back(long_ones[j]);
  std::sort(matches.begin() + static_cast<std::ptrdiff_t>(first_match), matches.end());
}

#undef SIPCRED_AVX2
#undef SIPCRED_AVX512

#endif // __x86_64__: the vector paths

struct Implementation {
  std::string_view name;
  void (*run)(std::span<const std::string_view>, std::span<Md5Digest>);
  void (*search)(std::string_view, std::span<const std::string_view>, const Md5Digest&,
                 std::vector<std::size_t>&);
};

// The widest path this CPU runs, decided once for the process.
Implementation pick_implementation() {
#if defined(__x86_64__)
  if (cpu_has_avx512()) return {"avx512", md5_many_avx512, md5_search_avx512};
  if (cpu_has_avx2()) return {"avx2", md5_many_avx2, md5_search_avx2};
#endif
  return {"scalar", md5_many_scalar, md5_search_scalar};
}

const Implementation& implementation() {
  static const Implementation chosen = pick_implementation();
  return chosen;
}

} // namespace

// __builtin_cpu_supports also checks, through XGETBV, that the OS saves the wider registers:
// a CPU with AVX-512 under a kernel that does not enable it counts as without.
bool cpu_has_avx2() {
#if defined(__x86_64__)
  __builtin_cpu_init(); // harmless if done; needed if called before constructors ran
  return __builtin_cpu_supports("avx2");
#else
  return false;
#endif
}

bool cpu_has_avx512() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f");
#else
  return false;
#endif
}

void md5_many_scalar(std::span<const std::string_view> messages, std::span<Md5Digest> digests) {
  check_sizes(messages, digests);
  for (std::size_t i = 0; i < messages.size(); ++i) md5_one(messages[i], digests[i]);
}

#if defined(__x86_64__)
void md5_many_avx2(std::span<const std::string_view> messages, std::span<Md5Digest> digests) {
  md5_in_lanes<avx2::lanes>(messages, digests, avx2::hash_group);
}

void md5_many_avx512(std::span<const std::string_view> messages, std::span<Md5Digest> digests) {
  md5_in_lanes<avx512::lanes>(messages, digests, avx512::hash_group);
}

void md5_search_avx2(std::string_view prefix, std::span<const std::string_view> candidates,
                     const Md5Digest& target, std::vector<std::size_t>& matches) {
  md5_search_in_lanes<avx2::lanes>(prefix, candidates, target, matches, avx2::hash_state);
}

void md5_search_avx512(std::string_view prefix, std::span<const std::string_view> candidates,
                       const Md5Digest& target, std::vector<std::size_t>& matches) {
  md5_search_in_lanes<avx512::lanes>(prefix, candidates, target, matches, avx512::hash_state);
}
#endif

void md5_many(std::span<const std::string_view> messages, std::span<Md5Digest> digests) {
  implementation().run(messages, digests);
}

void md5_search(std::string_view prefix, std::span<const std::string_view> candidates,
                const Md5Digest& target, std::vector<std::size_t>& matches) {
  implementation().search(prefix, candidates, target, matches);
}

void md5_search_one_at_a_time(std::string_view prefix, std::span<const std::string_view> candidates,
                              const Md5Digest& target, std::vector<std::size_t>& matches) {
  md5_search_scalar(prefix, candidates, target, matches);
}

std::string_view md5_many_implementation() { return implementation().name; }

} // namespace sipcred
