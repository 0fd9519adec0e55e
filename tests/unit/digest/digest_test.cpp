#include "sipcred/digest/digest.hpp"
#include "sipcred/util/error.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <string>
#include <string_view>
#include <utility>

using namespace sipcred;

namespace {

const Algorithm md5{HashFunction::Md5, false};

TEST(Digest, Rfc2617Section3_5) {
  const std::string key = ha1(HashFunction::Md5, "Mufasa", "testrealm@host.com", "Circle Of Life");
  EXPECT_EQ(key, "939e7578ed9e3c518a452acee763bce9");
  DigestInput in{md5,
                 key,
                 "dcd98b7102dd2f0e8b11d0f600bfb0c093",
                 "0a4f113b",
                 "00000001",
                 Qop::Auth,
                 "GET",
                 "/dir/index.html",
                 ""};
  EXPECT_EQ(request_digest(in), "6629fae49393a05397450978507c4ef1");
}

// RFC 7616 §3.9.1 (note the lowercase "of" in the password there).
TEST(Digest, Rfc7616Section3_9_1) {
  struct Case {
    HashFunction hash;
    const char* response;
  } cases[] = {
      {HashFunction::Md5, "8ca523f5e9506fed4657c9700eebdbec"},
      {HashFunction::Sha256, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"},
  };
  for (const Case& c : cases) {
    const std::string key = ha1(c.hash, "Mufasa", "http-auth@example.org", "Circle of Life");
    DigestInput in{{c.hash, false},
                   key,
                   "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
                   "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
                   "00000001",
                   Qop::Auth,
                   "GET",
                   "/dir/index.html",
                   ""};
    EXPECT_EQ(request_digest(in), c.response) << hash_name(c.hash);
  }
}

// HA1 of every hash function. Checked with:
//   printf 'Mufasa:testrealm@host.com:Circle Of Life' | openssl dgst -md5|-sha256|-sha512-256
TEST(Digest, Ha1OfEveryHash) {
  EXPECT_EQ(ha1(HashFunction::Md5, "Mufasa", "testrealm@host.com", "Circle Of Life"),
            "939e7578ed9e3c518a452acee763bce9");
  EXPECT_EQ(ha1(HashFunction::Sha256, "Mufasa", "testrealm@host.com", "Circle Of Life"),
            "3ba6cd94661c5ef34598040c868f13b8775df29109986be50ad35ae537dd3aa4");
  // SHA-512/256 has its own initial values: a truncated SHA-512 would differ.
  EXPECT_EQ(ha1(HashFunction::Sha512_256, "Mufasa", "testrealm@host.com", "Circle Of Life"),
            "4f89a1c293dd533bc27546c1da0608df9efcaa6bd1c350edca70a01c8a823360");
  // python3 -c "import hashlib; print(hashlib.new('sha512_256', b'').hexdigest())"
  EXPECT_EQ(hex_digest(HashFunction::Sha512_256, ""),
            "c672b8d1ef56ed28ab87c3622c5114069bdd3ad7b8f9737498d0c01ecef0967a");
}

// SHA-256 of strings that fit one block once padded (55 bytes or fewer) is computed apart from
// longer ones: A1 strings of 54, 55, 56 and 64 bytes. Each expected value is from
//   python3 -c "import hashlib; print(hashlib.sha256(b'alice:example.org:' + b'p'*N).hexdigest())"
TEST(Digest, Sha256Ha1AroundOneBlock) {
  const struct {
    std::size_t password_length; // N
    const char* ha1;
  } cases[] = {
      {36, "a0f5411e8a154498f6551af888c8346a3531a4c447c422f86b745134eceed305"},
      {37, "6a3f8ce9c73581602b0b71b90d4fa904d4d08f51f16576213c984e10a571bdce"},
      {38, "7cc13a3eb0f24f681ec7928e1db11ce61d8676e1ca73dc199c4360686faa2bd8"},
      {46, "861d09f517a6c4f2afb5d3859e7f8d3bdf670a7f1f69d8268acdb542f7bf8c86"},
  };
  for (const auto& c : cases)
    EXPECT_EQ(
        ha1(HashFunction::Sha256, "alice", "example.org", std::string(c.password_length, 'p')),
        c.ha1)
        << c.password_length;
}

// Every hash of 0 to 3 pieces joined with ':' (H(body), the userhash, the HA1), against
// OpenSSL's EVP digest of the joined string: every joined length from 0 to 132 bytes, bytes
// above 127 included.
TEST(Digest, JoinedPiecesMatchEvpOfTheJoinedString) {
  const std::pair<HashFunction, const EVP_MD*> hashes[] = {
      {HashFunction::Md5, EVP_md5()},
      {HashFunction::Sha256, EVP_sha256()},
      {HashFunction::Sha512_256, EVP_sha512_256()},
  };
  std::string bytes;
  for (int i = 0; i < 130; ++i) bytes += static_cast<char>((i * 37 + 11) % 256);
  const auto evp_hex = [](const EVP_MD* md, std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned length = 0;
    EXPECT_EQ(EVP_Digest(data.data(), data.size(), digest, &length, md, nullptr), 1);
    std::string hex;
    for (unsigned i = 0; i < length; ++i) {
      constexpr char digits[] = "0123456789abcdef";
      hex += digits[digest[i] >> 4];
      hex += digits[digest[i] & 15];
    }
    return hex;
  };
  for (const auto& [hash, md] : hashes) {
    EXPECT_EQ(hex_digest_joined(hash, {}), evp_hex(md, "")) << hash_name(hash);
    for (std::size_t length = 0; length <= 130; ++length) {
      const std::string_view all = std::string_view(bytes).substr(0, length);
      const std::string_view a = all.substr(0, length / 3), b = all.substr(length / 3);
      const std::string_view b1 = b.substr(0, b.size() / 2), b2 = b.substr(b.size() / 2);
      const std::string ab = std::string(a) + ":" + std::string(b);
      const std::string abb = std::string(a) + ":" + std::string(b1) + ":" + std::string(b2);
      EXPECT_EQ(hex_digest_joined(hash, {all}), evp_hex(md, all)) << hash_name(hash) << length;
      EXPECT_EQ(hex_digest_joined(hash, {a, b}), evp_hex(md, ab)) << hash_name(hash) << length;
      EXPECT_EQ(hex_digest_joined(hash, {a, b1, b2}), evp_hex(md, abb))
          << hash_name(hash) << length;
    }
  }
}

// Every algorithm x sess x qop, on a SIP REGISTER with an SDP-like body for auth-int.
// Expected values printed by: python3 tests/unit/digest/digest_vectors.py (hashlib only).
TEST(Digest, EveryAlgorithmQopAndSess) {
  struct Case {
    const char* algorithm;
    const char* qop;
    const char* response;
  } cases[] = {
      {"MD5", "", "370d70cace7af67ac98701ce5528a6a7"},
      {"MD5", "auth", "d093b282036953973abf984b7314e035"},
      {"MD5", "auth-int", "8d90be125cba530d4a52b5e825cfe939"},
      {"MD5-sess", "auth", "358889434b500a32c797d15b78df2dc7"},
      {"MD5-sess", "auth-int", "5bc2722a19fdab8b012f723dcdd29483"},
      {"SHA-256", "", "a090acf5707d834f70bb62b1802cbbabd63c9defa9d0a8a94d0a653dec3706c0"},
      {"SHA-256", "auth", "4e85d71528d57900cbbd8965d0134ef4a8c1ba9c885d90ed934d70f1450cc707"},
      {"SHA-256", "auth-int", "eaaf7e1d81e0030c64a814677460058ee985624d41f89d699483a83aaa4e74e1"},
      {"SHA-256-sess", "auth", "7082e163b339d3060b3c4a6c5f7fe1ab4144ab2470ddfd13b001a1905c94d834"},
      {"SHA-256-sess", "auth-int",
       "a36260ca2ce22c8170a29d301c95ada6d4947ecc79195845c14a30d366cf097c"},
      {"SHA-512-256", "", "560d50bd4800b5c88b5183805799b52818934abdd4d34f74ad6f5aec0ac2be71"},
      {"SHA-512-256", "auth", "12b7f6d72207d748faeb2915fb31c42b6433ebf84c812cb295e9ada7f99d00e9"},
      {"SHA-512-256", "auth-int",
       "8cfb28d909e9baa7014c11f0815e89324513e1eee341b4c814a396dfe112bbff"},
      {"SHA-512-256-sess", "auth",
       "07a873e030571c8db5d3613507e314eed494b85ea7b7cea8ac19ed9c307c7015"},
      {"SHA-512-256-sess", "auth-int",
       "86fa1fab3d4cfde16c073082d9df2219f34a0f5dfca9b41cc355d035ee4ce6d3"},
  };
  for (const Case& c : cases) {
    const Algorithm algorithm = parse_algorithm(c.algorithm).value();
    const std::string key = ha1(algorithm.hash, "Mufasa", "testrealm@host.com", "Circle Of Life");
    DigestInput in;
    in.algorithm = algorithm;
    in.ha1 = key;
    in.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
    in.cnonce = "0a4f113b";
    in.nc = "00000001";
    in.qop = *c.qop ? parse_qop(c.qop).value() : Qop::None;
    in.method = "REGISTER";
    in.uri = "sip:biloxi.com";
    in.body = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n";
    EXPECT_EQ(request_digest(in), c.response) << c.algorithm << " qop=" << c.qop;
  }
}

TEST(Digest, SessWithoutQopIsRefused) {
  DigestInput in;
  in.algorithm = {HashFunction::Sha256, true};
  in.ha1 = "00";
  try {
    request_digest(in);
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::Usage);
  }
}

// RFC 7616 §3.9.2 with its erratum: the printed userhash in the RFC text is wrong.
// python3 -c "import hashlib; print(hashlib.new('sha512_256',
//   'J\u00e4s\u00f8n Doe:api@example.org'.encode()).hexdigest())"
TEST(Digest, UserhashOfUtf8User) {
  EXPECT_EQ(userhash(HashFunction::Sha512_256, "J\xc3\xa4s\xc3\xb8n Doe", "api@example.org"),
            "793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b");
}

TEST(Digest, AlgorithmTokensAreCaseInsensitiveAndPrintedCanonically) {
  EXPECT_EQ(parse_algorithm("md5"), (Algorithm{HashFunction::Md5, false}));
  EXPECT_EQ(parse_algorithm("sha-256-SESS"), (Algorithm{HashFunction::Sha256, true}));
  EXPECT_EQ(parse_algorithm("Sha-512-256"), (Algorithm{HashFunction::Sha512_256, false}));
  EXPECT_EQ(algorithm_name(*parse_algorithm("sha-512-256-sess")), "SHA-512-256-sess");
  EXPECT_EQ(algorithm_name(*parse_algorithm("md5-Sess")), "MD5-sess");
  EXPECT_FALSE(parse_algorithm("SHA256"));
  EXPECT_FALSE(parse_algorithm("SHA-512"));
  EXPECT_FALSE(parse_algorithm("-sess"));
  EXPECT_FALSE(parse_algorithm(""));
}

TEST(Digest, HashNamesAcceptUserdbPrefixesButNotSess) {
  EXPECT_EQ(parse_hash_name("sha256"), HashFunction::Sha256);
  EXPECT_EQ(parse_hash_name("MD5"), HashFunction::Md5);
  EXPECT_EQ(parse_hash_name("sha-512-256"), HashFunction::Sha512_256);
  EXPECT_FALSE(parse_hash_name("MD5-sess"));
  EXPECT_FALSE(parse_hash_name("sha512"));
}

TEST(Digest, UserdbPrefixesAreExactLowercase) {
  EXPECT_EQ(parse_userdb_prefix("md5"), HashFunction::Md5);
  EXPECT_EQ(parse_userdb_prefix("sha256"), HashFunction::Sha256);
  EXPECT_FALSE(parse_userdb_prefix("MD5"));
  EXPECT_FALSE(parse_userdb_prefix("sha-256"));
  EXPECT_EQ(userdb_prefix(HashFunction::Sha256), "sha256");
  EXPECT_FALSE(userdb_prefix(HashFunction::Sha512_256));
}

TEST(Digest, QopTokens) {
  EXPECT_EQ(parse_qop("AUTH"), Qop::Auth);
  EXPECT_EQ(parse_qop("auth-int"), Qop::AuthInt);
  EXPECT_FALSE(parse_qop("auth,auth-int"));
  EXPECT_EQ(qop_name(Qop::AuthInt), "auth-int");
}

} // namespace
