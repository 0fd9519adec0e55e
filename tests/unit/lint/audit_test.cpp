// The audit (lint/audit.hpp) on a userdb with planted weak accounts and strong ones: each rule
// finds its accounts and no other, findings name the account (subject) and never the password,
// the word list is streamed across chunks, and the ordinary rules' findings are not repeated.

#include "sipcred/digest/digest.hpp"
#include "sipcred/lint/audit.hpp"
#include "sipcred/util/error.hpp"

#include "lint/audit_variants.hpp"
#include "temp_store.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

using namespace sipcred;
using namespace sipcred::lint;

namespace {

// code -> the accounts it names
std::map<std::string, std::set<std::string>> by_code(const std::vector<Finding>& findings) {
  std::map<std::string, std::set<std::string>> out;
  for (const Finding& f : findings) out[std::string(f.diagnostic.code)].insert(f.subject);
  return out;
}

std::string md5(std::string_view user, std::string_view realm, std::string_view password) {
  return ha1(HashFunction::Md5, user, realm, password);
}
std::string sha(std::string_view user, std::string_view realm, std::string_view password) {
  return ha1(HashFunction::Sha256, user, realm, password);
}

class Audit : public ::testing::Test {
protected:
  void SetUp() override {
    const std::string d = "sip.example.org";
    // Strong: random-looking passwords, hashes of every algorithm, no clear text.
    std::string users = "version:1\n";
    for (int i = 0; i < 40; ++i) {
      const std::string user = "strong" + std::to_string(i);
      const std::string password = "Xq7-" + std::to_string(i * 7919) + "-vLp2";
      users += user + "@" + d + " md5:" + md5(user, d, password) +
               " sha256:" + sha(user, d, password) + " ;\n";
    }
    // Weak ones, one per rule and algorithm.
    users += "wl-md5@" + d + " md5:" + md5("wl-md5", d, "dragon77") +
             " sha256:" + sha("wl-md5", d, "Strong-Other-1") + " ;\n";
    users += "wl-sha@" + d + " sha256:" + sha("wl-sha", d, "sunshine") +
             " md5:" + md5("wl-sha", d, "Strong-Other-2") + " ;\n";
    users += "wl-clear@" + d + " clrtxt:dragon77 ;\n";
    users += "uid@" + d + " md5:" + md5("1001", d, "letmein") +
             " sha256:" + sha("1001", d, "letmein") + " ; 1001\n"; // hashed with the user-id
    users +=
        "rev@" + d + " md5:" + md5("rev", d, "ver") + " sha256:" + sha("rev", d, "ver") + " ;\n";
    users += "ext2002@" + d + " md5:" + md5("ext2002", d, "2002") +
             " sha256:" + sha("ext2002", d, "2002") + " ;\n";
    users += "run@" + d + " sha256:" + sha("run", d, "123456") + " md5:" + md5("run", d, "123456") +
             " ;\n";
    users += "phone@" + d + " clrtxt:33612345678 ; phone 33612345678\n";
    users += "label@" + d + " clrtxt:example ;\n";
    users += "md5only@" + d + " md5:" + md5("md5only", d, "Long-Random-Pass-9") + " ;\n";
    users += "shared1@" + d + " clrtxt:Same-Long-Pass-1 ;\n";
    users += "shared2@" + d + " clrtxt:Same-Long-Pass-1 ;\n";
    users += "short@" + d + " clrtxt:Ab3!x ;\n";
    m_store = std::make_unique<test::TempStore>(users);
    const std::filesystem::path dir = m_store->dir();
    // The word list: filler first, so that the matches are in a later chunk than the first.
    m_wordlist = (dir / "words.txt").string();
    std::ofstream words(m_wordlist, std::ios::binary);
    for (int i = 0; i < 20000; ++i) words << "filler" << i << "\n";
    words << "dragon77\r\nsunshine\n\n" << std::string(300, 'x') << "\nletmein";
    words.close();
    m_config = (dir / "flexisip.conf").string();
    std::ofstream(m_config) << "[module::Authentication]\nenabled=true\nauth-domains=" << d
                            << "\navailable-algorithms=SHA-256 MD5\nfile-path=" << m_store->path()
                            << "\n";
  }

  AuditRequest request() const {
    AuditRequest r;
    r.store = m_store->path();
    r.config = m_config;
    r.wordlists = {m_wordlist};
    return r;
  }

  std::unique_ptr<test::TempStore> m_store;
  std::string m_wordlist, m_config;
};

const std::string d = "@sip.example.org";

} // namespace

TEST_F(Audit, EachRuleFindsItsAccountsAndNoStrongOne) {
  const auto found = by_code(audit(request()));
  EXPECT_EQ(found.at("SC604"),
            (std::set<std::string>{"wl-md5" + d, "wl-sha" + d, "wl-clear" + d, "uid" + d}));
  EXPECT_EQ(found.at("SC605"),
            (std::set<std::string>{"rev" + d, "ext2002" + d, "run" + d, "phone" + d, "label" + d}));
  EXPECT_EQ(found.at("SC603"), std::set<std::string>{"md5only" + d});
  EXPECT_EQ(found.at("SC606"), (std::set<std::string>{"shared1" + d, "shared2" + d}));
  EXPECT_EQ(found.at("SC607"), (std::set<std::string>{"short" + d, "label" + d}));
  EXPECT_EQ(found.at("SC601"), (std::set<std::string>{"wl-clear" + d, "phone" + d, "label" + d,
                                                      "shared1" + d, "shared2" + d, "short" + d}));
  for (const auto& [code, accounts] : found)
    for (const std::string& account : accounts)
      EXPECT_EQ(account.find("strong"), std::string::npos) << code << " " << account;
}

TEST_F(Audit, FindingsPlaceTheAccountAndHideThePassword) {
  for (const Finding& f : audit(request())) {
    EXPECT_EQ(f.file, m_store->path());
    EXPECT_GE(f.diagnostic.line, 1u);
    for (const char* secret : {"dragon77", "sunshine", "letmein", "123456", "Same-Long", "Ab3!x"})
      EXPECT_EQ(f.diagnostic.message.find(secret), std::string::npos) << f.diagnostic.message;
  }
  AuditRequest shown = request();
  shown.show_passwords = true;
  std::string all;
  for (const Finding& f : audit(shown)) all += f.diagnostic.message + "\n";
  EXPECT_NE(all.find("'dragon77'"), std::string::npos) << all;
  EXPECT_NE(all.find("'sunshine'"), std::string::npos) << all;
}

TEST_F(Audit, OneThreadFindsTheSame) {
  AuditRequest one = request();
  one.threads = 1;
  EXPECT_EQ(by_code(audit(one)), by_code(audit(request())));
}

TEST_F(Audit, WithoutConfigMd5IsAllThatIsOffered) {
  AuditRequest r = request();
  r.config.clear();
  const auto found = by_code(audit(r));
  EXPECT_EQ(found.count("SC603"), 0u); // SHA-256 not offered
  EXPECT_EQ(found.at("SC604").size(), 4u);
}

TEST_F(Audit, TheConfigNamesTheStore) {
  AuditRequest r = request();
  r.store = m_config;
  r.config.clear();
  EXPECT_EQ(by_code(audit(r)), by_code(audit(request())));
}

TEST(AuditRules, ClearTextBesideEveryHashIsNotRepeatedForAUserdb) {
  // The userdb line has SC122 (hash after a clear text): SC601/SC602 would repeat it.
  const std::string h = ha1(HashFunction::Md5, "a", "b.org", "Long-Enough-Pass");
  test::TempStore store("version:1\na@b.org clrtxt:Long-Enough-Pass md5:" + h + " ;\n");
  AuditRequest r;
  r.store = store.path();
  const auto found = by_code(audit(r));
  EXPECT_EQ(found.count("SC122"), 1u);
  EXPECT_EQ(found.count("SC601"), 0u);
  EXPECT_EQ(found.count("SC602"), 0u);
  // A CSV has no such rule: its clear text is SC601.
  test::TempStore csv("identity,password\na@b.org,Long-Enough-Pass\n", "users.csv");
  r.store = "csv:" + csv.path();
  EXPECT_EQ(by_code(audit(r)).at("SC601"), std::set<std::string>{"a@b.org"});
}

TEST(AuditRules, MissingWordListIsNoInput) {
  test::TempStore store("version:1\na@b.org clrtxt:Long-Enough-Pass ;\n");
  AuditRequest r;
  r.store = store.path();
  r.wordlists = {store.dir() + "/none"};
  try {
    audit(r);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::NoInput);
    EXPECT_NE(std::string(e.what()).find("none"), std::string::npos);
  }
}

TEST(AuditVariants, WhatTheAccountGivesAway) {
  Account a;
  a.user = "ext1001";
  a.domain = "sip.acme.com";
  a.auth_user = "u1001";
  a.phone = "+3361";
  std::map<std::string, std::string> rules;
  for (const Variant& v : account_variants(a)) rules[v.candidate] = std::string(v.rule);
  EXPECT_EQ(rules.at("ext1001"), "the user name");
  EXPECT_EQ(rules.at("u1001"), "the user-id");
  EXPECT_EQ(rules.at("+3361"), "the phone");
  EXPECT_EQ(rules.at("1001"), "the extension digits");
  EXPECT_EQ(rules.at("1001txe"), "the user name reversed");
  EXPECT_EQ(rules.at("sip"), "the first label of the domain");
  EXPECT_EQ(rules.at("acme"), "the name of the domain");
  EXPECT_EQ(rules.at("1234"), "a digit run");
  EXPECT_EQ(rules.at("0000"), "a digit run");
  EXPECT_EQ(rules.count(""), 0u);
}
