// The library's private text helpers (lib/src/text.hpp).
#include "util/text.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace sipcred {
namespace {

// Hex of every byte value, at every length from 0 to 48 (digests are 16 and 32 bytes, written
// 16 at a time with SSE2, the rest one at a time), against printf's %02x. Bytes past the
// length are left alone.
TEST(Text, WriteHexOfEveryByteAtEveryLength) {
  unsigned char bytes[256 + 48];
  for (std::size_t i = 0; i < sizeof bytes; ++i) bytes[i] = static_cast<unsigned char>(i * 7);
  for (std::size_t start = 0; start < 256; start += 5) {
    for (std::size_t length = 0; length <= 48; ++length) {
      std::string expected;
      for (std::size_t i = 0; i < length; ++i) {
        char pair[3];
        std::snprintf(pair, sizeof pair, "%02x", bytes[start + i]);
        expected += pair;
      }
      std::string written(2 * length + 2, '#');
      write_hex(written.data(), bytes + start, length);
      EXPECT_EQ(written, expected + "##") << "start " << start << ", length " << length;
    }
  }
}

// Spaces and tabs go at both ends, nothing else does: not a CR, not a space inside.
TEST(Text, TrimTakesSpacesAndTabsAtBothEnds) {
  EXPECT_EQ(trim(" \t a b \t "), "a b");
  EXPECT_EQ(trim("a\r"), "a\r");
  EXPECT_EQ(trim("\ra"), "\ra");
  EXPECT_EQ(trim(" \t "), "");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim_end("a \r\t\r", " \t\r"), "a");
  EXPECT_EQ(trim_end(" a", " "), " a");
}

// Only A-Z and a-z change case: bytes of UTF-8 and other letters are left as they are,
// whatever the locale would say.
TEST(Text, AsciiCaseIgnoresTheLocale) {
  EXPECT_EQ(ascii_lowercase("SHA-256 Md5 \xc4\xb0 @[`{"), "sha-256 md5 \xc4\xb0 @[`{");
  EXPECT_EQ(ascii_uppercase("register iNvite \xc4\xb1 @[`{"), "REGISTER INVITE \xc4\xb1 @[`{");
  EXPECT_TRUE(iequals("WWW-Authenticate", "www-authenticate"));
  EXPECT_FALSE(iequals("@", "`"));
  EXPECT_FALSE(iequals("[", "{"));
  EXPECT_FALSE(iequals("md5", "md5 "));
}

} // namespace
} // namespace sipcred
