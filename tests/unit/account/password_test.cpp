// generate_password: its length bounds, its alphabet, and that its characters are drawn
// evenly and independently.

#include "sipcred/account/password.hpp"
#include "sipcred/util/error.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <string_view>

namespace sipcred {
namespace {

// The header's alphabet: letters, digits and - . _ ~ + ! * (69 characters).
constexpr std::string_view alphabet =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~+!*";

TEST(Password, HasTheLengthAskedForAndTwentyByDefault) {
  EXPECT_EQ(default_password_length, 20u);
  EXPECT_EQ(generate_password().size(), 20u);
  for (std::size_t length : {8u, 9u, 63u, 64u, 65u, 200u, 256u}) {
    EXPECT_EQ(generate_password(length).size(), length);
  }
}

TEST(Password, LengthOutsideEightTo256IsAUsageError) {
  for (std::size_t length : {0u, 1u, 7u, 257u, 1000u}) {
    try {
      generate_password(length);
      ADD_FAILURE() << "a password of " << length << " characters";
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), ErrorKind::Usage) << length;
      EXPECT_NE(std::string(error.what()).find(std::to_string(length)), std::string::npos)
          << error.what();
    }
  }
}

TEST(Password, EveryCharacterIsOfTheAlphabet) {
  for (int i = 0; i < 100; ++i) {
    const std::string password = generate_password(256);
    EXPECT_EQ(password.find_first_not_of(alphabet), std::string::npos) << password;
  }
}

// Every character of the alphabet comes up, about as often as any other: a generator reducing
// bytes modulo 69 without rejecting the top 256 % 69 values gives the first 49 characters 4
// chances in 256 and the others 3 (a ratio of 1.33). An even draw of 256,000 characters gives
// each about 3710 times (a standard deviation of 60): a ratio of the most to the least frequent
// over 1.2 needs two of them some 5.5 deviations out, odds far below 1e-6.
TEST(Password, CharactersAreDrawnEvenly) {
  std::map<char, std::size_t> counts;
  for (int i = 0; i < 1000; ++i) {
    for (char c : generate_password(256)) ++counts[c];
  }
  ASSERT_EQ(counts.size(), alphabet.size());
  const auto [least, most] =
      std::minmax_element(counts.begin(), counts.end(),
                          [](const auto& a, const auto& b) { return a.second < b.second; });
  EXPECT_LT(static_cast<double>(most->second) / static_cast<double>(least->second), 1.2)
      << "'" << most->first << "' " << most->second << " times, '" << least->first << "' "
      << least->second << " times";
}

TEST(Password, NoTwoEqualInARun) {
  // 10,000 draws of 69^8 (5e14) passwords: a repeat by chance has odds of 1e-7.
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    const std::string password = generate_password(8);
    EXPECT_TRUE(seen.insert(password).second) << "drawn twice: " << password;
  }
}

} // namespace
} // namespace sipcred
