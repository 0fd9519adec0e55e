// sipcred-user's edits (apply_plan) on an SQLite database in the flexiapi and asterisk schemas:
// the rows as each server reads them, with hashes computed here by OpenSSL directly.
#include "sipcred/store/account_edit.hpp"
#include "sipcred/util/error.hpp"
#include "store/store_conformance.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

using namespace sipcred;

namespace {

// H(text) in lowercase hex, by OpenSSL's EVP: a second implementation beside lib/digest.
std::string evp_hex(const EVP_MD* md, const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, md, nullptr);
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += digits[digest[i] >> 4];
    hex += digits[digest[i] & 15];
  }
  return hex;
}
std::string md5(const std::string& text) { return evp_hex(EVP_md5(), text); }
std::string sha256(const std::string& text) { return evp_hex(EVP_sha256(), text); }

using Row = std::map<std::string, std::optional<std::string>>;

// Every row of `sql`, each column by name (nullopt for NULL).
std::vector<Row> rows(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  std::vector<Row> out;
  while (statement && sqlite3_step(statement) == SQLITE_ROW) {
    Row row;
    for (int i = 0; i < sqlite3_column_count(statement); ++i) {
      const auto* text = sqlite3_column_text(statement, i);
      row[sqlite3_column_name(statement, i)] =
          text ? std::optional<std::string>(reinterpret_cast<const char*>(text)) : std::nullopt;
    }
    out.push_back(std::move(row));
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return out;
}

class SqlAccountEdit : public testing::Test {
protected:
  std::unique_ptr<Store> open(Schema schema) {
    StoreOptions options;
    options.schema = schema;
    options.create_schema = true;
    return open_store(parse_locator("sqlite3://db=" + m_path), options);
  }

  userdb::AccountChange alice(std::string_view password) {
    return {userdb::parse_identity("alice@sip.example.org"), {}, {}, password, {}};
  }

  std::unique_ptr<test::StoreLocation> m_location = test::temp_file_location("", "edit.db");
  std::string m_path = m_location->file();
};

TEST_F(SqlAccountEdit, FlexiapiAddRotateRemove) {
  auto store = open(Schema::Flexiapi);
  apply_plan(*store, userdb::AddPlan{alice("pw-one"), {}}, false);

  const auto spaces = rows(m_path, "SELECT domain, host, name FROM spaces");
  ASSERT_EQ(spaces.size(), 1u);
  EXPECT_EQ(spaces[0].at("domain"), "sip.example.org");
  EXPECT_EQ(spaces[0].at("host"), "sip.example.org");
  const auto accounts = rows(m_path, "SELECT id, username, domain, activated, ip_address, "
                                     "user_agent, created_at FROM accounts");
  ASSERT_EQ(accounts.size(), 1u);
  EXPECT_EQ(accounts[0].at("username"), "alice");
  EXPECT_EQ(accounts[0].at("activated"), "1");
  EXPECT_EQ(accounts[0].at("ip_address"), "127.0.0.1");
  EXPECT_EQ(accounts[0].at("user_agent"), "sipcred");
  EXPECT_TRUE(accounts[0].at("created_at").has_value());
  const auto passwords = [&] {
    std::map<std::string, std::string> out;
    for (const Row& row : rows(m_path, "SELECT algorithm, password FROM passwords"))
      out[*row.at("algorithm")] = *row.at("password");
    return out;
  };
  EXPECT_EQ(passwords(), (std::map<std::string, std::string>{
                             {"MD5", md5("alice:sip.example.org:pw-one")},
                             {"SHA-256", sha256("alice:sip.example.org:pw-one")}}));
  // Flexisip finds it as its default request does.
  const auto found = store->lookup(Account{"alice", "sip.example.org", "", "", {}});
  ASSERT_TRUE(found.has_value());

  apply_plan(*store, userdb::RotatePlan{alice("pw-two"), {}}, false);
  EXPECT_EQ(passwords(), (std::map<std::string, std::string>{
                             {"MD5", md5("alice:sip.example.org:pw-two")},
                             {"SHA-256", sha256("alice:sip.example.org:pw-two")}}));

  apply_plan(*store, userdb::RemovePlan{{userdb::parse_identity("alice@sip.example.org")}}, false);
  EXPECT_TRUE(rows(m_path, "SELECT id FROM accounts").empty());
  EXPECT_TRUE(rows(m_path, "SELECT id FROM passwords").empty());
  EXPECT_EQ(rows(m_path, "SELECT id FROM spaces").size(), 1u) << "a space is FlexiAPI's own";
}

// An import into Flexisip's tables on SQLite writes the rows it found by their ids (and skips
// an accounts row that stays): every case of what it found must still end as one rotation per
// account would: an account not activated activated with every hash, a new phone written, an
// algorithm no longer asked for dropped (an unknown one too, as update() drops it), the rows
// kept rewritten in place.
TEST_F(SqlAccountEdit, FlexisipImportRewritesTheRowsItFound) {
  // The tables, made by a first edit, then emptied.
  apply_plan(*open(Schema::Flexisip), userdb::AddPlan{alice("pw"), {}}, false);
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(m_path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "DELETE FROM passwords; DELETE FROM accounts; "
                           "INSERT INTO accounts (id, username, domain, phone, activated) VALUES "
                           "(1, 'alice', 'sip.example.org', '+111', 1), "
                           "(2, 'bob', 'sip.example.org', NULL, 0), "
                           "(3, 'carol', 'sip.example.org', '+333', 1); "
                           "INSERT INTO passwords (id, account_id, password, algorithm) VALUES "
                           "(10, 1, 'old-a-md5', 'MD5'), (11, 1, 'old-a-sha', 'SHA-256'), "
                           "(12, 1, 'old-a-other', 'SHA-512'), (20, 2, 'old-b-md5', 'MD5'), "
                           "(30, 3, 'old-c-md5', 'MD5'), (31, 3, 'old-c-sha', 'SHA-256')",
                           nullptr, nullptr, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  const auto change = [](const char* user, const char* phone, std::string_view password) {
    return userdb::AccountChange{{user, "sip.example.org"}, "", phone, password, ""};
  };
  auto store = open(Schema::Flexisip);
  const AccountEditOutcome kept =
      apply_plan(*store,
                 userdb::ImportPlan{{change("bob", "", "pw-b"), change("alice", "+222", "pw-a"),
                                     change("carol", "", "pw-c")},
                                    {}},
                 false);
  EXPECT_EQ(kept.result.rotated, 3u);
  const auto state = [&] {
    std::vector<std::string> out;
    for (const Row& row : rows(m_path, "SELECT a.username, a.phone, a.activated, p.id, "
                                       "p.algorithm, p.password FROM accounts a JOIN passwords p "
                                       "ON p.account_id = a.id ORDER BY a.id, p.algorithm"))
      out.push_back(*row.at("username") + " " + row.at("phone").value_or("NULL") + " " +
                    *row.at("activated") + " " + *row.at("id") + " " + *row.at("algorithm") + " " +
                    *row.at("password"));
    return out;
  };
  const auto ha = [](const char* user, const char* password) {
    const std::string a1 = std::string(user) + ":sip.example.org:" + password;
    return std::pair{md5(a1), sha256(a1)};
  };
  const auto [a_md5, a_sha] = ha("alice", "pw-a");
  const auto [b_md5, b_sha] = ha("bob", "pw-b");
  const auto [c_md5, c_sha] = ha("carol", "pw-c");
  std::vector<std::string> expected = {
      "alice +222 1 10 MD5 " + a_md5,    "alice +222 1 11 SHA-256 " + a_sha,
      "bob NULL 1 20 MD5 " + b_md5,
      "bob NULL 1 32 SHA-256 " + b_sha, // not activated: found with no hash, given both
      "carol +333 1 30 MD5 " + c_md5,   // an empty phone keeps the stored one
      "carol +333 1 31 SHA-256 " + c_sha};
  EXPECT_EQ(state(), expected);

  // Only SHA-256 asked for: carol's MD5 row goes, her SHA-256 row is rewritten where it is.
  userdb::CredentialRequest sha_only;
  sha_only.policy.hashes = {HashFunction::Sha256};
  sha_only.kinds_asked = true;
  apply_plan(*store, userdb::ImportPlan{{change("carol", "", "pw-c2")}, sha_only}, false);
  expected.erase(expected.begin() + 4, expected.end());
  expected.push_back("carol +333 1 31 SHA-256 " + sha256("carol:sip.example.org:pw-c2"));
  EXPECT_EQ(state(), expected);
}

TEST_F(SqlAccountEdit, FlexiapiKeepsNoClearText) {
  auto store = open(Schema::Flexiapi);
  userdb::CredentialPolicy clear;
  clear.clear_text = true;
  clear.hashes.clear();
  EXPECT_THROW(apply_plan(*store, userdb::AddPlan{alice("pw"), clear}, false), Error);
}

TEST_F(SqlAccountEdit, AsteriskAddRotateRemove) {
  auto store = open(Schema::Asterisk);
  apply_plan(*store, userdb::AddPlan{alice("pw-one"), {}}, false);
  const std::string select = "SELECT id, auth_type, username, realm, password, md5_cred, "
                             "password_digest, supported_algorithms_uas, "
                             "supported_algorithms_uac FROM ps_auths";
  auto auths = rows(m_path, select);
  ASSERT_EQ(auths.size(), 1u);
  EXPECT_EQ(auths[0].at("id"), "alice@sip.example.org");
  EXPECT_EQ(auths[0].at("auth_type"), "userpass");
  EXPECT_EQ(auths[0].at("username"), "alice");
  EXPECT_EQ(auths[0].at("realm"), "sip.example.org");
  EXPECT_EQ(auths[0].at("password"), std::nullopt);
  EXPECT_EQ(auths[0].at("password_digest"),
            "MD5:" + md5("alice:sip.example.org:pw-one") +
                ",SHA-256:" + sha256("alice:sip.example.org:pw-one"));
  EXPECT_EQ(auths[0].at("supported_algorithms_uas"), std::nullopt) << "MD5, the default, is there";

  // A rotation asking for clear text: the password alone, from which Asterisk derives digests.
  userdb::CredentialRequest clear;
  clear.kinds_asked = true;
  clear.policy.clear_text = true;
  clear.policy.hashes.clear();
  apply_plan(*store, userdb::RotatePlan{alice("pw;two"), clear}, false);
  auths = rows(m_path, select);
  ASSERT_EQ(auths.size(), 1u);
  EXPECT_EQ(auths[0].at("password"), "pw^3Btwo") << "';' would split the realtime value";
  EXPECT_EQ(auths[0].at("password_digest"), std::nullopt);
  const auto found = store->lookup(Account{"alice", "sip.example.org", "", "", {}});
  ASSERT_TRUE(found.has_value());
  ASSERT_NE(found->clear_text(), nullptr);
  EXPECT_EQ(found->clear_text()->value, "pw;two");

  // SHA-256 only: both algorithm lists name it, or Asterisk would refuse the object.
  userdb::CredentialRequest sha;
  sha.kinds_asked = true;
  sha.policy.hashes = {HashFunction::Sha256};
  apply_plan(*store, userdb::RotatePlan{alice("pw-three"), sha}, false);
  auths = rows(m_path, select);
  EXPECT_EQ(auths[0].at("password"), std::nullopt);
  EXPECT_EQ(auths[0].at("password_digest"), "SHA-256:" + sha256("alice:sip.example.org:pw-three"));
  EXPECT_EQ(auths[0].at("supported_algorithms_uas"), "SHA-256");
  EXPECT_EQ(auths[0].at("supported_algorithms_uac"), "SHA-256");

  apply_plan(*store, userdb::RemovePlan{{userdb::parse_identity("alice@sip.example.org")}}, false);
  EXPECT_TRUE(rows(m_path, select).empty());
}

} // namespace
