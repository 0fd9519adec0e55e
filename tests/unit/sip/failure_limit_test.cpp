#include "sipcred/sip/failure_limit.hpp"
#include "sipcred/util/error.hpp"

#include <gtest/gtest.h>

using namespace sipcred;
using namespace std::chrono_literals;

namespace {

const FailureLimit::Clock::time_point t0{};

TEST(FailureLimit, BlocksTheNthFailureOfAWindowUntilItCloses) {
  FailureLimit limit(3, 10min, 100);
  limit.record_failure("10.0.0.1", t0);
  limit.record_failure("10.0.0.1", t0 + 1min);
  EXPECT_EQ(limit.blocked("10.0.0.1", t0 + 2min), std::nullopt);
  limit.record_failure("10.0.0.1", t0 + 2min);
  // The window opened with the first failure: blocked for what is left of it.
  EXPECT_EQ(limit.blocked("10.0.0.1", t0 + 2min), 8min);
  EXPECT_EQ(limit.blocked("10.0.0.1", t0 + 10min - 1s), 1s);
  EXPECT_EQ(limit.blocked("10.0.0.1", t0 + 10min), std::nullopt);
  // Other sources are not concerned.
  EXPECT_EQ(limit.blocked("10.0.0.2", t0 + 2min), std::nullopt);
  // After the window, the count starts again.
  limit.record_failure("10.0.0.1", t0 + 11min);
  limit.record_failure("10.0.0.1", t0 + 12min);
  EXPECT_EQ(limit.blocked("10.0.0.1", t0 + 12min), std::nullopt);
  limit.record_failure("10.0.0.1", t0 + 13min);
  EXPECT_EQ(limit.blocked("10.0.0.1", t0 + 13min), 8min);
}

TEST(FailureLimit, FailuresSpreadOverWindowsNeverBlock) {
  FailureLimit limit(2, 1min, 100);
  for (int i = 0; i < 10; ++i) {
    limit.record_failure("::1", t0 + i * 61s);
    EXPECT_EQ(limit.blocked("::1", t0 + i * 61s), std::nullopt) << i;
  }
}

TEST(FailureLimit, TheTableOfSourcesIsBounded) {
  FailureLimit limit(2, 10min, 64);
  for (int i = 0; i < 10000; ++i) {
    limit.record_failure("s" + std::to_string(i), t0 + 1s + i * 1ms);
    ASSERT_LE(limit.size(), 64u);
  }
  // Sources whose window closed go before any other.
  FailureLimit expiring(1, 1min, 8);
  for (int i = 0; i < 7; ++i) expiring.record_failure("old" + std::to_string(i), t0);
  expiring.record_failure("recent", t0 + 2min);
  expiring.record_failure("new", t0 + 2min + 1s);
  EXPECT_EQ(expiring.size(), 2u);
  EXPECT_TRUE(expiring.blocked("recent", t0 + 2min + 1s).has_value());
  EXPECT_TRUE(expiring.blocked("new", t0 + 2min + 1s).has_value());
}

TEST(FailureLimit, ParsesNSlashMinutes) {
  const FailureLimit limit = FailureLimit::parse("5/10");
  EXPECT_EQ(limit.failures(), 5u);
  EXPECT_EQ(limit.window(), 10min);
  for (const char* bad : {"", "5", "5/", "/10", "0/10", "5/0", "5/1441", "5/10/2", "-5/10", "5 /10",
                          "x/y", "99999999999/1"}) {
    try {
      (void)FailureLimit::parse(bad);
      ADD_FAILURE() << "accepted: " << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Usage) << bad;
    }
  }
}

} // namespace
