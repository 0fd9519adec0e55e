// What Flexisip's available-algorithms takes, stated once (lib/src/config).
#include "sipcred/config/flexisip_algorithms.hpp"

#include <gtest/gtest.h>

using namespace sipcred;
using namespace sipcred::config;

namespace {

constexpr Algorithm md5{HashFunction::Md5, false};
constexpr Algorithm sha256{HashFunction::Sha256, false};

} // namespace

TEST(FlexisipAlgorithms, OffersPlainMd5AndSha256Only) {
  EXPECT_TRUE(flexisip_offers(md5));
  EXPECT_TRUE(flexisip_offers(sha256));
  EXPECT_FALSE(flexisip_offers({HashFunction::Md5, true}));
  EXPECT_FALSE(flexisip_offers({HashFunction::Sha256, true}));
  EXPECT_FALSE(flexisip_offers({HashFunction::Sha512_256, false}));
}

TEST(FlexisipAlgorithms, ItemsAreExactTokens) {
  EXPECT_EQ(parse_flexisip_algorithm("MD5"), md5);
  EXPECT_EQ(parse_flexisip_algorithm("SHA-256"), sha256);
  for (const char* refused : {"md5", "sha-256", "SHA256", "MD5-sess", "SHA-512-256", "MD5,"})
    EXPECT_EQ(parse_flexisip_algorithm(refused), std::nullopt) << refused;
}

TEST(FlexisipAlgorithms, AvailableAlgorithmsInOrderRepeatsOfTheItemBeforeDropped) {
  using List = std::vector<Algorithm>;
  EXPECT_EQ(flexisip_available_algorithms("SHA-256 MD5"), (List{sha256, md5}));
  EXPECT_EQ(flexisip_available_algorithms("MD5 MD5 SHA-256"), (List{md5, sha256}));
  // list::unique drops neighbours only.
  EXPECT_EQ(flexisip_available_algorithms("MD5 SHA-256 MD5"), (List{md5, sha256, md5}));
  EXPECT_EQ(flexisip_available_algorithms("SHA-256 md5"), (List{sha256}));
  // An empty list is every algorithm Flexisip knows; one of unknown items only is none.
  EXPECT_EQ(flexisip_available_algorithms(""), (List{md5, sha256}));
  EXPECT_EQ(flexisip_available_algorithms("  "), (List{md5, sha256}));
  EXPECT_EQ(flexisip_available_algorithms("md5"), List{});
}
