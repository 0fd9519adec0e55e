// What Asterisk loads of an auth object, pjsip.conf section or ps_auths row alike.
#include "sipcred/formats/pjsip_auth.hpp"

#include "sipcred/digest/digest.hpp"

#include <gtest/gtest.h>

using namespace sipcred;
using namespace sipcred::formats;

namespace {

const std::string md5_hex = ha1(HashFunction::Md5, "alice", "sip.example.org", "pw");
const std::string sha256_hex = ha1(HashFunction::Sha256, "alice", "sip.example.org", "pw");

PjsipAuth alice() {
  PjsipAuth auth;
  auth.username = "alice";
  auth.realm = "sip.example.org";
  return auth;
}

} // namespace

TEST(PjsipAuth, OneValueHoldsSeveralDigestsSeparatedByCommas) {
  PjsipAuth auth = alice();
  auth.password_digests = {" MD5:" + md5_hex + " , sha-256:" + sha256_hex};
  const PjsipAuthLoad load = load_pjsip_auth(auth);
  ASSERT_EQ(load.problem, "");
  ASSERT_TRUE(load.account);
  EXPECT_EQ(load.account->user, "alice");
  EXPECT_EQ(load.account->domain, "sip.example.org");
  ASSERT_NE(load.account->hash_for(HashFunction::Md5, "sip.example.org"), nullptr);
  EXPECT_EQ(load.account->hash_for(HashFunction::Md5, "sip.example.org")->value, md5_hex);
  EXPECT_NE(load.account->hash_for(HashFunction::Sha256, "sip.example.org"), nullptr);
}

TEST(PjsipAuth, ADigestWithoutAlgorithmIsMd5AndALaterOneReplacesIt) {
  PjsipAuth auth = alice();
  auth.md5_cred = std::string(32, '0');
  auth.password_digests = {md5_hex};
  const PjsipAuthLoad load = load_pjsip_auth(auth);
  ASSERT_TRUE(load.account) << load.problem;
  ASSERT_EQ(load.account->credentials.size(), 1u);
  EXPECT_EQ(load.account->credentials[0].value, md5_hex);
}

TEST(PjsipAuth, WithoutRealmTheDefaultRealm) {
  PjsipAuth auth = alice();
  auth.realm.clear();
  auth.password = "pw";
  const PjsipAuthLoad load = load_pjsip_auth(auth);
  ASSERT_TRUE(load.account);
  EXPECT_EQ(load.account->domain, "asterisk");
}

TEST(PjsipAuth, WhatAsteriskRefusesToLoad) {
  const auto problem = [](PjsipAuth auth) { return load_pjsip_auth(auth).problem; };
  PjsipAuth no_user = alice();
  no_user.username.clear();
  no_user.password = "pw";
  EXPECT_NE(problem(no_user), "");
  PjsipAuth short_digest = alice();
  short_digest.password_digests = {"MD5:" + md5_hex.substr(1)};
  EXPECT_NE(problem(short_digest), "");
  PjsipAuth unknown = alice();
  unknown.password_digests = {"SHA-1:" + md5_hex};
  EXPECT_NE(problem(unknown), "");
  PjsipAuth session = alice();
  session.password_digests = {"MD5-sess:" + md5_hex};
  EXPECT_NE(problem(session), "");
  // SHA-256 only, with the default lists (MD5): no credential for MD5.
  PjsipAuth sha_only = alice();
  sha_only.password_digests = {"SHA-256:" + sha256_hex};
  EXPECT_NE(problem(sha_only), "");
  sha_only.supported_algorithms_uas = sha_only.supported_algorithms_uac = "SHA-256";
  EXPECT_EQ(problem(sha_only), "");
  sha_only.supported_algorithms_uac = "SHA-256,SHA-1";
  EXPECT_NE(problem(sha_only), "");
  PjsipAuth bad_type = alice();
  bad_type.password = "pw";
  bad_type.auth_type = "plain";
  EXPECT_NE(problem(bad_type), "");
}

TEST(PjsipAuth, AnOauthObjectLoadsWithoutADigestAccount) {
  PjsipAuth auth = alice();
  auth.auth_type = "google_oauth";
  const PjsipAuthLoad load = load_pjsip_auth(auth);
  EXPECT_EQ(load.problem, "");
  EXPECT_FALSE(load.account);
}

TEST(PjsipAuth, WrittenObjectsLoadBack) {
  Account hashed{"alice", "sip.example.org", "", "", {}};
  hashed.credentials = {{HashFunction::Sha256, sha256_hex, "sip.example.org"}};
  const PjsipAuth auth = pjsip_auth_of(hashed, "sip.example.org");
  EXPECT_EQ(auth.supported_algorithms_uas, "SHA-256");
  EXPECT_EQ(auth.supported_algorithms_uac, "SHA-256");
  const PjsipAuthLoad load = load_pjsip_auth(auth);
  ASSERT_TRUE(load.account) << load.problem;
  EXPECT_EQ(load.account->credentials, hashed.credentials);
}
