// flexisip.conf -> AuthSettings and store: Flexisip's defaults, each setting, and the refusals
// (what Flexisip refuses, what sipcred-sim cannot rehearse) with their line and column.

#include "sipcred/config/auth_config.hpp"

#include <gtest/gtest.h>

using namespace sipcred;
using namespace std::chrono_literals;

namespace {

const Algorithm md5{HashFunction::Md5, false};
const Algorithm sha256{HashFunction::Sha256, false};

std::vector<std::string> errors(const AuthConfig& config) {
  std::vector<std::string> out;
  for (const Diagnostic& d : config.diagnostics)
    if (d.severity == Severity::Error)
      out.push_back(std::to_string(d.line) + ":" + std::to_string(d.column) + " " +
                    std::string(d.code));
  return out;
}

TEST(AuthConfig, FlexisipDefaults) {
  const AuthConfig c = read_auth_config("[module::Authentication]\nenabled=true\n"
                                        "file-path=/etc/flexisip/users\n");
  EXPECT_TRUE(errors(c).empty());
  EXPECT_TRUE(c.settings.enabled);
  EXPECT_EQ(c.settings.algorithms, std::vector<Algorithm>{md5});
  EXPECT_EQ(c.settings.auth_domains, std::vector<std::string>{"localhost"});
  EXPECT_EQ(c.settings.realm, "");
  EXPECT_EQ(c.settings.realm_regex, "");
  EXPECT_FALSE(c.settings.disable_qop_auth);
  EXPECT_FALSE(c.settings.no_403);
  EXPECT_EQ(c.settings.nonce_expires, 3600s);
  EXPECT_TRUE(c.settings.file_backend);
  ASSERT_TRUE(c.store);
  EXPECT_EQ(c.store->kind, StoreKind::Userdb);
  EXPECT_EQ(c.store->path, "/etc/flexisip/users");
  // No section, or enabled not true: the module is off.
  EXPECT_FALSE(read_auth_config("[global]\n").settings.enabled);
  EXPECT_FALSE(read_auth_config("[module::Authentication]\nfile-path=/u\n").settings.enabled);
}

TEST(AuthConfig, EverySettingTheExchangeUses) {
  const AuthConfig c = read_auth_config("[module::Authentication]\n"
                                        "enabled=1\n"
                                        "auth-domains=a.org  *.b.org\n"
                                        "available-algorithms=SHA-256 SHA-256 MD5\n"
                                        "disable-qop-auth=true\n"
                                        "no-403=true\n"
                                        "nonce-expires=2min\n"
                                        "realm=sip.a.org\n"
                                        "trusted-hosts=10.0.0.1 ::1\n"
                                        "datasource=/var/users\n");
  EXPECT_TRUE(errors(c).empty()) << errors(c).front();
  EXPECT_TRUE(c.settings.enabled);
  EXPECT_EQ(c.settings.auth_domains, (std::vector<std::string>{"a.org", "*.b.org"}));
  // Repeated neighbours are dropped, as Flexisip's list::unique does.
  EXPECT_EQ(c.settings.algorithms, (std::vector<Algorithm>{sha256, md5}));
  EXPECT_TRUE(c.settings.disable_qop_auth);
  EXPECT_TRUE(c.settings.no_403);
  EXPECT_EQ(c.settings.nonce_expires, 120s);
  EXPECT_EQ(c.settings.realm, "sip.a.org");
  EXPECT_EQ(c.settings.trusted_hosts, (std::vector<std::string>{"10.0.0.1", "::1"}));
  ASSERT_TRUE(c.store); // datasource: the old name of file-path
  EXPECT_EQ(c.store->path, "/var/users");

  EXPECT_EQ(
      read_auth_config("[module::Authentication]\navailable-algorithms=\n").settings.algorithms,
      (std::vector<Algorithm>{md5, sha256})); // empty: every algorithm Flexisip knows
  const AuthConfig regex = read_auth_config("[module::Authentication]\nrealm=regex:@(.*)$\n");
  EXPECT_EQ(regex.settings.realm, "");
  EXPECT_EQ(regex.settings.realm_regex, "@(.*)$");
  EXPECT_EQ(parse_config_duration("90"), 90s);
  EXPECT_EQ(parse_config_duration("1h"), 3600s);
  EXPECT_EQ(parse_config_duration("1d"), 86400s);
  EXPECT_EQ(parse_config_duration("1500ms"), 1s);
  EXPECT_FALSE(parse_config_duration("1 h"));
  EXPECT_FALSE(parse_config_duration("h"));
}

TEST(AuthConfig, SociStoreAndItsPasswordRequest) {
  const AuthConfig c = read_auth_config(
      "[module::Authentication]\ndb-implementation=soci\nsoci-backend=sqlite3\n"
      "soci-connection-string=db=/var/lib/auth.db\n"
      "soci-password-request=select password, algorithm from pw where user = :id\n");
  EXPECT_TRUE(errors(c).empty());
  EXPECT_FALSE(c.settings.file_backend);
  ASSERT_TRUE(c.store);
  EXPECT_EQ(c.store->kind, StoreKind::Sql);
  EXPECT_EQ(c.store->backend, "sqlite3");
  EXPECT_EQ(c.store->connection, "db=/var/lib/auth.db");
  EXPECT_EQ(c.store_options.schema, Schema::Flexisip);
  EXPECT_EQ(c.store_options.password_request,
            "select password, algorithm from pw where user = :id");
}

TEST(AuthConfig, RefusalsNameTheirPlace) {
  // What Flexisip refuses (lint's rules)...
  EXPECT_EQ(errors(read_auth_config("[module::Authentication]\nenabled=yes\nfile-path=/u\n")),
            std::vector<std::string>{"2:9 SC312"});
  EXPECT_EQ(
      errors(read_auth_config("[module::Authentication]\nrealm=a\nrealm-regex=b\nfile-path=/u\n")),
      std::vector<std::string>{"3:1 SC317"});
  EXPECT_EQ(errors(read_auth_config("[module::Authentication]\ndb-implementation=file\n")),
            std::vector<std::string>{"2:19 SC330"});
  // ... and what sipcred-sim cannot rehearse.
  EXPECT_EQ(errors(read_auth_config("[module::Authentication]\nfile-path=/u\n"
                                    "filter=is_request && request.method == 'REGISTER'\n")),
            std::vector<std::string>{"3:8 SIM"});
  EXPECT_EQ(errors(read_auth_config("[module::Authentication]\nfile-path=/u\n"
                                    "no-403=user-agent contains 'Linphone'\n")),
            std::vector<std::string>{"3:8 SIM"});
  EXPECT_EQ(errors(read_auth_config("[module::Authentication]\nfile-path=/u\n"
                                    "trusted-hosts=10.0.0.1 proxy.example.org\n")),
            std::vector<std::string>{"3:15 SIM"});
  const AuthConfig odbc = read_auth_config(
      "[module::Authentication]\ndb-implementation=soci\nsoci-backend=odbc\n"
      "soci-connection-string=DSN=x\nsoci-password-request=select p, a from t where u = :id\n");
  EXPECT_EQ(errors(odbc), std::vector<std::string>{"3:14 SIM"});
  EXPECT_FALSE(odbc.store);
  // Flexisip's built-in password request differs between its versions: not guessed.
  EXPECT_EQ(errors(read_auth_config("[module::Authentication]\ndb-implementation=soci\n"
                                    "soci-backend=sqlite3\nsoci-connection-string=db=/a.db\n")),
            std::vector<std::string>{"2:19 SIM"});
  // Settings of TLS clients change nothing for UDP or TCP ones: a note, not an error.
  const AuthConfig tls =
      read_auth_config("[module::Authentication]\nfile-path=/u\ntrust-domain-certificates=true\n");
  EXPECT_TRUE(errors(tls).empty());
  EXPECT_TRUE(std::any_of(tls.diagnostics.begin(), tls.diagnostics.end(), [](const Diagnostic& d) {
    return d.code == "SIM" && d.severity == Severity::Note && d.line == 3;
  }));
}

} // namespace
