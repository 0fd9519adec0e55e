// What each file format can hold (formats.hpp): every value it accepts reads back the same,
// through sipcred's own pjsip.conf reader (which follows Asterisk's), and what it refuses would
// have read back as something else.
#include "sipcred/config/pjsip_config.hpp"
#include "sipcred/formats/formats.hpp"
#include "sipcred/util/error.hpp"

#include <gtest/gtest.h>

namespace sipcred::formats {
namespace {

std::string read_back_password(const std::string& written) {
  std::vector<Diagnostic> diagnostics;
  const auto config =
      config::PjsipConfig::parse("[a]\ntype=auth\npassword=" + written + "\n", diagnostics);
  EXPECT_TRUE(diagnostics.empty());
  return config.sections().at(0).find_all("password").at(0)->value;
}

TEST(Formats, HtdigestRefusesWhatWouldShiftAFieldOrStartALine) {
  EXPECT_EQ(htdigest_refusal("alice", "sip.example.org"), "");
  for (std::string user :
       {std::string("a:b"), std::string("a\nb"), std::string("a\rb"), std::string("a\0b", 3)})
    EXPECT_NE(htdigest_refusal(user, "r"), "") << user;
  EXPECT_NE(htdigest_refusal("alice", "realm:x"), "");
  EXPECT_EQ(htdigest_line("alice", "r", "00ff"), "alice:r:00ff\n");
  EXPECT_THROW(htdigest_line("a:b", "r", "00ff"), sipcred::Error);
}

TEST(Formats, PjsipValuesReadBackAsWritten) {
  for (std::string value : {"secret", "p;w", ";;", "a\\b", "ends\\", "in ner", "#x", "a=b"}) {
    ASSERT_EQ(pjsip_value_refusal(value), "") << value;
    EXPECT_EQ(read_back_password(pjsip_escape(value)), value) << value;
  }
}

TEST(Formats, PjsipRefusesWhatWouldReadBackAsSomethingElse) {
  using namespace std::string_literals;
  for (std::string value :
       {""s, " lead"s, "trail "s, "tab\t"s, "a\nb"s, "a\rb"s, ">x"s, "a\\;b"s, "a\0b"s})
    EXPECT_NE(pjsip_value_refusal(value), "") << value;
  EXPECT_EQ(pjsip_section_refusal("alice@sip.example.org"), "");
  EXPECT_NE(pjsip_section_refusal("a]b"), "");
  EXPECT_NE(pjsip_section_refusal("a;b"), "");
  EXPECT_EQ(pjsip_section_refusal(std::string(79, 'x')), "");
  EXPECT_NE(pjsip_section_refusal(std::string(80, 'x')), ""); // Asterisk keeps 79 bytes
}

TEST(Formats, PjsipAccountNamesTheFieldItCannotHold) {
  Account account{"carol", "example.org", "carol-desk ", "", {{std::nullopt, "pw", ""}}};
  EXPECT_NE(pjsip_refusal(account, "example.org").find("username"), std::string::npos);
  account.auth_user.clear();
  EXPECT_EQ(pjsip_refusal(account, "example.org"), "");
  account.credentials[0].value = "pw\n";
  EXPECT_NE(pjsip_refusal(account, "example.org").find("password"), std::string::npos);
}

TEST(Formats, UserdbHoldsItsTokensOnly) {
  Account account{"d@ve", "example.org", "dave desk", "+33", {{std::nullopt, "pw", ""}}};
  EXPECT_EQ(userdb_refusal(account), ""); // user and user-id are written URL-escaped
  account.credentials[0].value = "p w";
  EXPECT_NE(userdb_refusal(account).find("password"), std::string::npos);
  account.credentials[0].value = "pw";
  account.phone = "+33 6";
  EXPECT_NE(userdb_refusal(account).find("phone"), std::string::npos);
}

} // namespace
} // namespace sipcred::formats
