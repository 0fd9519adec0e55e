// convert_account: what survives a migration into each kind of store. Expected hashes were
// computed with python3 hashlib (e.g. hashlib.md5(b"alice:corp:secret").hexdigest()).
#include "sipcred/account/account.hpp"
#include "sipcred/store/store.hpp"
#include "sipcred/util/error.hpp"

#include <gtest/gtest.h>

namespace sipcred {
namespace {

const std::string md5_domain = "543e1aec5d3614f03141652d6ada51b2"; // alice:example.org:secret
const std::string sha256_domain =
    "d1659fff7a501be15962adc35514ca6a5868905695f2dd1093741f931e000a1f";
const std::string md5_corp = "4ce82b49df6e42c44ec2679f0840bbe5"; // alice:corp:secret
const std::string sha256_corp = "c8691deb81e593879db15d633c164329e842a2838ceea9f112710ac7fc112abf";
const std::string sha512_256_corp =
    "c164b7c9dd8ea0079a5b684a689da39a7a6438dcc39944b319ba4567507b6454";

Account clear_alice() { return {"alice", "example.org", "", "", {{std::nullopt, "secret", ""}}}; }

CredentialNeeds flexisip(std::string realm = "") {
  return {true, true, true, {HashFunction::Md5, HashFunction::Sha256}, {}, std::move(realm)};
}

CredentialNeeds kamailio(HashFunction hash, std::string realm = "") {
  return {true, false, false, {hash}, {hash}, std::move(realm)};
}

TEST(ConvertAccount, ClearTextStaysClearWhereTheServerDerivesHashes) {
  auto result = convert_account(clear_alice(), flexisip());
  EXPECT_EQ(result.unconvertible, "");
  EXPECT_EQ(result.account.credentials, clear_alice().credentials);
}

TEST(ConvertAccount, ClearTextForAnotherRealmBecomesHashesForIt) {
  // Flexisip hashes clear text with the domain: for realm "corp" it must store hashes.
  auto result = convert_account(clear_alice(), flexisip("corp"));
  ASSERT_EQ(result.account.credentials.size(), 2u);
  EXPECT_EQ(result.account.credentials[0], (Credential{HashFunction::Md5, md5_corp, "corp"}));
  EXPECT_EQ(result.account.credentials[1], (Credential{HashFunction::Sha256, sha256_corp, "corp"}));
}

TEST(ConvertAccount, ColumnsOfEveryAlgorithmAreDerivedFromClearText) {
  CredentialNeeds opensips{
      true, false, false, {HashFunction::Md5, HashFunction::Sha256, HashFunction::Sha512_256},
      {},   "corp"};
  auto result = convert_account(clear_alice(), opensips);
  ASSERT_EQ(result.account.credentials.size(), 4u);
  EXPECT_TRUE(result.account.credentials[0].is_clear_text());
  EXPECT_EQ(result.account.credentials[3].value, sha512_256_corp);
}

TEST(ConvertAccount, HashMigratesOnlyForTheSameAlgorithmAndRealm) {
  Account bob{"alice", "example.org", "", "", {{HashFunction::Md5, md5_domain, "example.org"}}};
  auto same = convert_account(bob, kamailio(HashFunction::Md5));
  EXPECT_EQ(same.unconvertible, "");
  EXPECT_EQ(same.account.credentials, bob.credentials);

  auto other_realm = convert_account(bob, kamailio(HashFunction::Md5, "corp"));
  EXPECT_EQ(other_realm.unconvertible, "no clear-text password and no MD5 hash for realm \"corp\"");
  EXPECT_TRUE(other_realm.account.credentials.empty());

  auto other_algorithm = convert_account(bob, kamailio(HashFunction::Sha256));
  EXPECT_EQ(other_algorithm.unconvertible,
            "no clear-text password and no SHA-256 hash for realm \"example.org\"");
}

TEST(ConvertAccount, HashesTheTargetCannotHoldAreReportedDropped) {
  Account carol{"alice",
                "example.org",
                "",
                "",
                {{HashFunction::Sha256, sha256_domain, "example.org"},
                 {HashFunction::Sha512_256, sha512_256_corp, "example.org"}}};
  auto result = convert_account(carol, flexisip());
  EXPECT_EQ(result.unconvertible, "");
  ASSERT_EQ(result.account.credentials.size(), 1u);
  EXPECT_EQ(result.account.credentials[0].hash, HashFunction::Sha256);
  ASSERT_EQ(result.dropped.size(), 1u);
  EXPECT_EQ(result.dropped[0], "SHA-512-256 hash for realm \"example.org\"");
}

TEST(ConvertAccount, NothingUsableIsUnconvertible) {
  Account only_sha512{
      "alice", "example.org", "", "", {{HashFunction::Sha512_256, sha512_256_corp, "example.org"}}};
  auto result = convert_account(only_sha512, flexisip());
  EXPECT_EQ(result.unconvertible,
            "no credential the target can use (SHA-512-256 hash for realm \"example.org\")");
  CredentialNeeds clear_only{true, false, false, {}, {}, ""};
  EXPECT_NE(
      convert_account(Account{"a", "d", "", "", {{HashFunction::Md5, md5_domain, "d"}}}, clear_only)
          .unconvertible,
      "");
}

// carol's phone sends the user-id carol-desk as its digest username, and hashes that.
const std::string md5_desk = "b1625c53f2f2f8d44f123a4e7694f7df"; // carol-desk:example.org:secret
const std::string sha256_desk = "e4c18db809dc0e4ab98357a8192daf6647d350838df8041c3e01c919d3bd7c95";
const std::string md5_carol = "eb26e9ad7d710a48943d6c06e3936b65"; // carol:example.org:secret

Account carol(std::vector<Credential> credentials) {
  return {"carol", "example.org", "carol-desk", "", std::move(credentials)};
}

CredentialNeeds flexisip_userdb() {
  CredentialNeeds needs = flexisip();
  needs.keeps_auth_user = true;
  needs.clear_text_hashes_user = true;
  return needs;
}

TEST(ConvertAccount, HashesAreOfTheUserIdTheClientSends) {
  // Flexisip would hash the clear text with carol: only hashes of carol-desk can match.
  auto result = convert_account(carol({{std::nullopt, "secret", ""}}), flexisip_userdb());
  EXPECT_EQ(result.unconvertible, "");
  EXPECT_EQ(result.account.auth_user, "carol-desk");
  EXPECT_EQ(result.account.credentials,
            (std::vector<Credential>{{HashFunction::Md5, md5_desk, "example.org"},
                                     {HashFunction::Sha256, sha256_desk, "example.org"}}));
  ASSERT_EQ(result.dropped.size(), 1u);
  EXPECT_NE(result.dropped[0].find("not the user-id \"carol-desk\""), std::string::npos);

  // Stored hashes of the user-id carry over where the user-id does.
  auto hashed =
      convert_account(carol({{HashFunction::Md5, md5_desk, "example.org"}}), flexisip_userdb());
  EXPECT_EQ(hashed.unconvertible, "");
  EXPECT_EQ(hashed.account.credentials[0].value, md5_desk);
}

TEST(ConvertAccount, WithoutAPlaceForTheUserIdTheUserIsTheDigestUsername) {
  // Kamailio's username is what the client sends: hashes of carol, from the clear text.
  auto result = convert_account(carol({{std::nullopt, "secret", ""}}), kamailio(HashFunction::Md5));
  EXPECT_EQ(result.unconvertible, "");
  EXPECT_EQ(result.account.auth_user, "");
  EXPECT_EQ(result.account.credentials[1],
            (Credential{HashFunction::Md5, md5_carol, "example.org"}));
  // A hash of carol-desk is useless there, and nothing else can be derived.
  auto hashed = convert_account(carol({{HashFunction::Md5, md5_desk, "example.org"}}),
                                kamailio(HashFunction::Md5));
  EXPECT_EQ(hashed.unconvertible, "no clear-text password and no MD5 hash for realm "
                                  "\"example.org\" and digest username \"carol\"");
  auto flexisip_sql =
      convert_account(carol({{HashFunction::Md5, md5_desk, "example.org"}}), flexisip());
  EXPECT_NE(flexisip_sql.unconvertible.find("its hashes are of the user-id \"carol-desk\""),
            std::string::npos);
}

TEST(Locator, NamesEveryKindOfStore) {
  EXPECT_EQ(parse_locator("/etc/flexisip/users").kind, StoreKind::Userdb);
  EXPECT_EQ(parse_locator("pjsip:/etc/asterisk/pjsip.conf").path, "/etc/asterisk/pjsip.conf");
  EXPECT_EQ(parse_locator("htdigest:h").kind, StoreKind::Htdigest);
  auto sql = parse_locator("postgresql://dbname=d host=h password='a b' user=u");
  EXPECT_EQ(sql.kind, StoreKind::Sql);
  EXPECT_EQ(sql.backend, "postgresql");
  EXPECT_EQ(sql.connection, "dbname=d host=h password='a b' user=u");
  EXPECT_EQ(sql.display(), "postgresql://dbname=d host=h password=*** user=u");
  EXPECT_EQ(parse_locator("mysql://db=x pass=s3cret").display(), "mysql://db=x pass=***");
}

// The regex that masked passwords stopped at an escaped quote and knew no URI.
TEST(Locator, DisplayMasksEverySpellingOfAPassword) {
  const std::pair<const char*, const char*> cases[] = {
      {R"(postgresql://host=h password='se\'cr3t' user=u)",
       "postgresql://host=h password=*** user=u"},
      {R"(mysql://db=x pass = 'a b\\' user=u)", "mysql://db=x pass = *** user=u"},
      {R"(mysql://db=x password=s\ ecret user=u)", "mysql://db=x password=*** user=u"},
      {"postgresql://PASSWORD=x sslpassword=key passfile=/p",
       "postgresql://PASSWORD=*** sslpassword=*** passfile=/p"},
      {"postgresql://u:PASS@h/db", "postgresql://u:***@h/db"},
      {"postgresql://postgresql://u:PASS@h:5432/db?sslmode=require&password=PASS2",
       "postgresql://postgresql://u:***@h:5432/db?sslmode=require&password=***"},
      {"postgresql://u@h/db?password=PASS", "postgresql://u@h/db?password=***"},
      {"postgresql://u:p%40ss@h/db", "postgresql://u:***@h/db"},
      {"mysql://db=x user=u", "mysql://db=x user=u"},
  };
  for (const auto& [locator, shown] : cases) {
    EXPECT_EQ(parse_locator(locator).display(), shown) << locator;
    for (const char* secret : {"cr3t", "PASS@", "PASS2", "=PASS", "ecret", "=key", "p%40"})
      EXPECT_EQ(std::string(shown).find(secret), std::string::npos) << shown;
  }
}

TEST(Locator, RefusesWhatItCannotName) {
  for (const char* bad : {"oracle://x", "sqlite3://", "csv:", ""}) {
    try {
      parse_locator(bad);
      ADD_FAILURE() << bad;
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), ErrorKind::Usage) << bad;
    }
  }
}

} // namespace
} // namespace sipcred
