// md5_search on each path, and salted_search for each hash function, against OpenSSL's EVP
// digests of prefix + candidate computed one at a time: every match found, no other, in order.

#include "digest/md5_lanes.hpp"
#include "digest/md5_many.hpp"
#include "digest/salted_search.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <random>
#include <string>
#include <vector>

using namespace sipcred;

namespace {

std::vector<unsigned char> evp(const EVP_MD* md, const std::string& message) {
  std::vector<unsigned char> out(EVP_MAX_MD_SIZE);
  unsigned length = 0;
  EVP_Digest(message.data(), message.size(), out.data(), &length, md, nullptr);
  out.resize(length);
  return out;
}

using SearchFunction = void (*)(std::string_view, std::span<const std::string_view>,
                                const Md5Digest&, std::vector<std::size_t>&);

std::vector<std::pair<const char*, SearchFunction>> md5_paths() {
  std::vector<std::pair<const char*, SearchFunction>> out{{"dispatch", md5_search},
                                                          {"scalar", md5_search_one_at_a_time}};
#if defined(__x86_64__)
  if (cpu_has_avx2()) out.emplace_back("avx2", md5_search_avx2);
  if (cpu_has_avx512()) out.emplace_back("avx512", md5_search_avx512);
#endif
  return out;
}

// Candidates of every length from 0 to 70 (so that prefix + candidate crosses the one-block
// limit of 55 bytes), in random order, and the ones planted as matches.
struct Case {
  std::string prefix;
  std::vector<std::string> words;
  std::vector<std::string_view> views;
};

Case make_case(std::string prefix, unsigned seed) {
  Case c{std::move(prefix), {}, {}};
  std::mt19937 random(seed);
  for (int round = 0; round < 5; ++round)
    for (std::size_t n = 0; n <= 70; ++n) {
      std::string word;
      for (std::size_t i = 0; i < n; ++i) word += static_cast<char>('!' + random() % 90);
      c.words.push_back(word);
    }
  std::shuffle(c.words.begin(), c.words.end(), random);
  c.views.assign(c.words.begin(), c.words.end());
  return c;
}

} // namespace

TEST(Md5Search, FindsExactlyTheCandidatesOfTheTargetOnEveryPath) {
  for (const std::string& prefix :
       {std::string(), std::string("alice:sip.example.org:"), std::string(60, 'p')}) {
    Case c = make_case(prefix, 7);
    // Plant the target at several places, lengths and lanes: 3 copies of one word.
    const std::string secret = c.words[17];
    c.words[3] = c.words[200] = secret;
    c.views.assign(c.words.begin(), c.words.end());
    std::vector<std::size_t> expected;
    for (std::size_t i = 0; i < c.words.size(); ++i)
      if (c.words[i] == secret) expected.push_back(i);
    Md5Digest target;
    const auto digest = evp(EVP_md5(), prefix + secret);
    std::copy(digest.begin(), digest.end(), target.begin());
    for (const auto& [name, search] : md5_paths()) {
      std::vector<std::size_t> matches{999}; // appended to, never cleared
      search(prefix, c.views, target, matches);
      expected.insert(expected.begin(), 999);
      EXPECT_EQ(matches, expected) << name << " prefix " << prefix.size();
      expected.erase(expected.begin());
    }
  }
}

TEST(Md5Search, EveryCandidateLengthAndLane) {
  // Each candidate in turn is the target: a lane or length the search skipped would miss it.
  Case c = make_case("bob:a.org:", 3);
  for (const auto& [name, search] : md5_paths())
    for (std::size_t k = 0; k < c.words.size(); k += 7) {
      Md5Digest target;
      const auto digest = evp(EVP_md5(), c.prefix + c.words[k]);
      std::copy(digest.begin(), digest.end(), target.begin());
      std::vector<std::size_t> matches;
      search(c.prefix, c.views, target, matches);
      ASSERT_FALSE(matches.empty()) << name << " candidate " << k;
      EXPECT_EQ(c.words[matches.front()], c.words[k]) << name;
    }
}

TEST(SaltedSearch, Sha256AndSha512_256) {
  Case c = make_case("carol:b.org:", 5);
  for (const auto& [hash, md] : {std::pair{HashFunction::Sha256, EVP_sha256()},
                                 std::pair{HashFunction::Sha512_256, EVP_sha512_256()}}) {
    const std::size_t k = 42;
    std::vector<std::size_t> matches;
    salted_search(hash, c.prefix, c.views, evp(md, c.prefix + c.words[k]), matches);
    ASSERT_EQ(matches.size(), 1u);
    EXPECT_EQ(c.words[matches[0]], c.words[k]);
    matches.clear();
    salted_search(hash, c.prefix, c.views, evp(md, "not:" + c.words[k]), matches);
    EXPECT_TRUE(matches.empty());
  }
}
