// md5_many and each of its paths against RFC 1321's vectors and against OpenSSL's EVP MD5, an
// implementation independent of the lanes (the scalar path uses OpenSSL's low-level MD5).

#include "digest/md5_lanes.hpp"
#include "digest/md5_many.hpp"
#include "sipcred/util/error.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <ostream>
#include <random>
#include <string>
#include <vector>

using namespace sipcred;

namespace {

using Md5ManyFunction = void (*)(std::span<const std::string_view>, std::span<Md5Digest>);

struct Path {
  const char* name;
  Md5ManyFunction run;
  bool (*available)();
  const char* feature; // what the CPU lacks when unavailable
};

bool always() { return true; }

// Names the path in failure messages (instead of the struct's bytes).
void PrintTo(const Path& path, std::ostream* out) { *out << path.name; }

const Path paths[] = {
    {"dispatch", md5_many, always, ""},
    {"scalar", md5_many_scalar, always, ""},
#if defined(__x86_64__)
    {"avx2", md5_many_avx2, cpu_has_avx2, "AVX2"},
    {"avx512", md5_many_avx512, cpu_has_avx512, "AVX-512F"},
#endif
};

std::string hex(const Md5Digest& digest) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char byte : digest) {
    out += digits[byte >> 4];
    out += digits[byte & 0x0f];
  }
  return out;
}

// The oracle: OpenSSL's EVP one-shot MD5.
Md5Digest evp_md5(std::string_view message) {
  Md5Digest digest{};
  unsigned length = 0;
  if (EVP_Digest(message.data(), message.size(), digest.data(), &length, EVP_md5(), nullptr) != 1 ||
      length != digest.size())
    ADD_FAILURE() << "EVP_Digest failed";
  return digest;
}

std::string random_message(std::mt19937& rng, std::size_t length) {
  std::uniform_int_distribution<int> byte(0, 255);
  std::string message(length, '\0');
  for (char& c : message) c = static_cast<char>(byte(rng));
  return message;
}

class Md5Many : public testing::TestWithParam<Path> {
protected:
  void SetUp() override {
    if (!GetParam().available())
      GTEST_SKIP() << "this CPU has no " << GetParam().feature << ": the " << GetParam().name
                   << " path cannot run here";
  }

  // Hashes `messages` through the path and checks every digest against EVP. Sentinel digests
  // past the end must stay untouched (dummy lanes write nowhere). Returns the digests checked.
  std::size_t cross_check(const std::vector<std::string>& messages) {
    const std::vector<std::string_view> views(messages.begin(), messages.end());
    Md5Digest sentinel;
    sentinel.fill(0xa5);
    std::vector<Md5Digest> digests(messages.size() + 2, sentinel);
    GetParam().run(views, std::span(digests).first(messages.size()));
    for (std::size_t i = 0; i < messages.size(); ++i)
      EXPECT_EQ(hex(digests[i]), hex(evp_md5(messages[i])))
          << "message " << i << " of " << messages.size() << ", " << messages[i].size() << " bytes";
    EXPECT_EQ(digests[messages.size()], sentinel);
    EXPECT_EQ(digests[messages.size() + 1], sentinel);
    return messages.size();
  }
};

// Expected values from Python's hashlib (python3 -c 'import hashlib; ...'); the first seven
// are RFC 1321's test suite (§A.5).
struct Vector {
  std::string message;
  const char* md5;
};
const std::vector<Vector> vectors = {
    {"", "d41d8cd98f00b204e9800998ecf8427e"},
    {"a", "0cc175b9c0f1b6a831c399e269772661"},
    {"abc", "900150983cd24fb0d6963f7d28e17f72"},
    {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
    {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
    {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
     "d174ab98d277d9f5a5611c2c9f419d9f"},
    {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
     "57edf4a22be3c955ac49da2e2107b67a"},
    {"alice:sip.example.org:secret", "3b82f731f40412b971a06b016e3ef337"},
    {"Mufasa:testrealm@host.com:Circle Of Life", "939e7578ed9e3c518a452acee763bce9"}, // RFC 2617
    {"user123456:sip3.example.org:Pw98765x", "0b4bf3a1feb47c49438ea298357e65cd"},
    // Around the one-block boundary: 55 bytes still fit one block, 56 need two.
    {std::string(55, 'a'), "ef1772b6dff9a122358552954ad0df65"},
    {std::string(56, 'a'), "3b0c8ac703f828b04c6c197006d17218"},
    {std::string(63, 'a'), "b06521f39153d618550606be297466d5"},
    {std::string(64, 'a'), "014842d480b571495a4a0363793f7367"},
};

TEST_P(Md5Many, KnownVectorsAllAtOnce) {
  std::vector<std::string_view> messages;
  for (const Vector& v : vectors) messages.push_back(v.message);
  std::vector<Md5Digest> digests(messages.size());
  GetParam().run(messages, digests);
  for (std::size_t i = 0; i < vectors.size(); ++i)
    EXPECT_EQ(hex(digests[i]), vectors[i].md5) << vectors[i].message.size() << " bytes";
}

// Each vector alone: a group of one real lane and the rest dummies.
TEST_P(Md5Many, KnownVectorsOneByOne) {
  for (const Vector& v : vectors) {
    const std::string_view message = v.message;
    Md5Digest digest{};
    GetParam().run(std::span(&message, 1), std::span(&digest, 1));
    EXPECT_EQ(hex(digest), v.md5) << v.message.size() << " bytes";
  }
}

// Every length 0..120, each in a batch of 40 (two full AVX-512 groups and a partial one, five
// AVX2 groups), of random bytes.
TEST_P(Md5Many, EveryLengthAgainstEvp) {
  std::mt19937 rng(1321);
  std::size_t checked = 0;
  for (std::size_t length = 0; length <= 120; ++length) {
    std::vector<std::string> messages;
    for (int i = 0; i < 40; ++i) messages.push_back(random_message(rng, length));
    checked += cross_check(messages);
  }
  EXPECT_EQ(checked, 121u * 40u);
}

// Every count 0..40 of messages, short and long interleaved in random order: long ones must
// land in their place between lanes, and partial groups must come out right.
TEST_P(Md5Many, EveryCountShortAndLongInterleaved) {
  std::mt19937 rng(2617);
  std::uniform_int_distribution<std::size_t> any_length(0, 120);
  std::size_t checked = 0;
  for (std::size_t count = 0; count <= 40; ++count) {
    for (int round = 0; round < 4; ++round) {
      std::vector<std::string> messages;
      for (std::size_t i = 0; i < count; ++i)
        messages.push_back(random_message(rng, any_length(rng)));
      checked += cross_check(messages);
    }
  }
  EXPECT_EQ(checked, 4u * (40u * 41u / 2u));
}

// The one-block boundary explicitly: 55 (last length that fits) and 56 (first that does not),
// 63 and 64 (a second block of padding only), each between short messages, and all lengths
// in one batch in order and shuffled.
TEST_P(Md5Many, BlockBoundaries) {
  std::mt19937 rng(55);
  for (std::size_t length : {55u, 56u, 63u, 64u}) {
    std::vector<std::string> messages;
    for (int i = 0; i < 40; ++i)
      messages.push_back(random_message(rng, i % 3 == 1 ? length : std::size_t(i % 56)));
    cross_check(messages);
  }
  std::vector<std::string> all;
  for (std::size_t length = 0; length <= 120; ++length) all.push_back(random_message(rng, length));
  cross_check(all);
  std::shuffle(all.begin(), all.end(), rng);
  cross_check(all);
}

// Every byte value 0..255, in each position of the words the lanes load, in short messages.
TEST_P(Md5Many, EveryByteValue) {
  std::vector<std::string> messages;
  for (std::size_t shift = 0; shift < 4; ++shift)
    for (std::size_t start = 0; start < 256; start += 32) {
      std::string message;
      for (std::size_t i = 0; i < 32 + shift; ++i) message += static_cast<char>((start + i) % 256);
      messages.push_back(message);
    }
  messages.push_back(std::string("\0\0\0", 3));
  messages.push_back(std::string(55, '\xff'));
  messages.push_back(std::string(55, '\x80'));
  cross_check(messages);
}

TEST_P(Md5Many, SizeMismatchIsAUsageError) {
  const std::vector<std::string_view> messages = {"a", "b", "c"};
  Md5Digest sentinel;
  sentinel.fill(0x5a);
  std::vector<Md5Digest> digests(2, sentinel);
  try {
    GetParam().run(messages, digests);
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
  }
  EXPECT_EQ(digests[0], sentinel);
  EXPECT_EQ(digests[1], sentinel);
}

INSTANTIATE_TEST_SUITE_P(Paths, Md5Many, testing::ValuesIn(paths),
                         [](const testing::TestParamInfo<Path>& param_info) {
                           return std::string(param_info.param.name);
                         });

// md5_many must take the widest path this CPU has: a dispatch that fell back to a narrower one
// would pass every digest test above while losing the speed.
TEST(Md5ManyDispatch, PicksTheWidestPath) {
  const std::string_view expected = cpu_has_avx512() ? "avx512"
                                    : cpu_has_avx2() ? "avx2"
                                                     : "scalar";
  EXPECT_EQ(md5_many_implementation(), expected);
}

// The CPU check against the kernel's view, so that a detection that always said "no" (and
// silently left every vector test skipped) is caught on a machine that has the extensions.
TEST(Md5ManyDispatch, CpuDetectionAgreesWithProcCpuinfo) {
  FILE* cpuinfo = std::fopen("/proc/cpuinfo", "r");
  if (cpuinfo == nullptr) GTEST_SKIP() << "no /proc/cpuinfo";
  std::string flags;
  char line[8192];
  while (std::fgets(line, sizeof line, cpuinfo) != nullptr)
    if (std::string_view(line).starts_with("flags")) {
      flags = line;
      break;
    }
  std::fclose(cpuinfo);
  if (flags.empty()) GTEST_SKIP() << "no flags line in /proc/cpuinfo";
  auto has = [&](const std::string& flag) {
    return flags.find(" " + flag + " ") != std::string::npos ||
           flags.find(" " + flag + "\n") != std::string::npos;
  };
  EXPECT_EQ(cpu_has_avx2(), has("avx2"));
  EXPECT_EQ(cpu_has_avx512(), has("avx512f"));
}

} // namespace
