// migrate() and verify_migration() between file stores: what a run writes, refuses, skips,
// replaces and reports, and that nothing is written unless the whole run is. Expected HA1s come
// from python3's hashlib, as each comment says.

#include "sipcred/store/migration.hpp"
#include "sipcred/util/error.hpp"
#include "temp_store.hpp"

#include <gtest/gtest.h>
#include <soci/soci.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

// SOCI's SQLite backend, to change a row behind the store's back (its header needs sqlite3's).
namespace soci {
extern "C" backend_factory const* factory_sqlite3();
} // namespace soci

namespace sipcred {
namespace {

// python3 -c "import hashlib; print(hashlib.md5(b'bob:sip.example.org:bob-pw').hexdigest())"
const std::string bob_md5 = "d002f87f14d46eb7d902444451210a21";
// python3 -c "import hashlib; print(hashlib.md5(b'alice:sip.example.org:alice-pw').hexdigest())"
const std::string alice_md5 = "0dffcb96753e373fc4aa779fe154130e";
// python3 -c "import hashlib;
//   print(hashlib.sha256(b'carol:sip.example.org:carol-pw').hexdigest())"
const std::string carol_sha256 = "8913fe31cbb102ba4e9ce5f0ffc77420e21d8591d64a70e36bf49b414c4d7966";

const std::string users = "version:1\n"
                          "alice@sip.example.org clrtxt:alice-pw ;\n"
                          "bob@sip.example.org md5:" +
                          bob_md5 +
                          " ;\n"
                          "carol@sip.example.org sha256:" +
                          carol_sha256 + " ;\n";

std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<std::string> identities(const AccountNotes& notes) {
  std::vector<std::string> out;
  for (const auto& note : notes.listed) out.push_back(note.identity);
  return out;
}

class Migration : public testing::Test {
protected:
  std::unique_ptr<Store> destination(const std::string& locator_prefix) {
    m_destination = (std::filesystem::path(m_source.dir()) / "out").string();
    return open_store(parse_locator(locator_prefix + m_destination), StoreOptions{});
  }
  test::TempStore m_source{users};
  std::string m_destination;
};

// carol has only a SHA-256 hash, htdigest needs MD5: the run fails, and writes nothing.
TEST_F(Migration, AnUnconvertibleAccountFailsTheWholeRun) {
  auto htdigest = destination("htdigest:");
  const MigrationReport report = migrate(m_source.store(), *htdigest, MigrationOptions{});
  EXPECT_EQ(report.read, 3u);
  EXPECT_EQ(identities(report.unconvertible), std::vector<std::string>{"carol@sip.example.org"});
  EXPECT_TRUE(report.refused(MigrationOptions{}));
  EXPECT_FALSE(report.committed);
  EXPECT_FALSE(std::filesystem::exists(m_destination));
}

TEST_F(Migration, SkippingUnconvertibleAccountsWritesTheOthers) {
  auto htdigest = destination("htdigest:");
  MigrationOptions options;
  options.skip_unconvertible = true;
  std::vector<std::size_t> progress;
  const MigrationReport report =
      migrate(m_source.store(), *htdigest, options, [&](std::size_t n) { progress.push_back(n); });
  EXPECT_TRUE(report.committed);
  EXPECT_FALSE(report.refused(options));
  EXPECT_EQ(report.read, 3u);
  EXPECT_EQ(report.inserted, 2u);
  EXPECT_EQ(report.credentials, 2u);
  EXPECT_EQ(report.unconvertible.count, 1u);
  EXPECT_EQ(report.domains, std::set<std::string>{"sip.example.org"});
  EXPECT_FALSE(report.more_domains);
  // alice's MD5 derived from her clear text, bob's copied.
  EXPECT_EQ(bytes_of(m_destination), "alice:sip.example.org:" + alice_md5 +
                                         "\n"
                                         "bob:sip.example.org:" +
                                         bob_md5 + "\n");
  ASSERT_FALSE(progress.empty());
  EXPECT_TRUE(std::is_sorted(progress.begin(), progress.end()));
  EXPECT_EQ(progress.back(), 3u);

  const VerifyReport verified = verify_migration(m_source.store(), *htdigest, report);
  EXPECT_EQ(verified.checked, 2u);
  EXPECT_TRUE(verified.differences.empty()) << verified.differences.listed.front().reason;
}

TEST_F(Migration, VerifyFindsAWrongOrMissingAccount) {
  auto htdigest = destination("htdigest:");
  MigrationOptions options;
  options.skip_unconvertible = true;
  const MigrationReport report = migrate(m_source.store(), *htdigest, options);
  ASSERT_TRUE(report.committed);
  // bob's hash changed behind the migration's back, alice gone.
  std::ofstream(m_destination, std::ios::binary | std::ios::trunc)
      << "bob:sip.example.org:" << std::string(32, '0') << "\n";
  auto reopened = open_store(parse_locator("htdigest:" + m_destination), StoreOptions{});
  const VerifyReport verified = verify_migration(m_source.store(), *reopened, report);
  EXPECT_EQ(verified.checked, 2u);
  EXPECT_EQ(identities(verified.differences),
            (std::vector<std::string>{"alice@sip.example.org", "bob@sip.example.org"}));
}

TEST_F(Migration, ADryRunWritesNothing) {
  auto userdb = destination("");
  MigrationOptions options;
  options.dry_run = true;
  const MigrationReport report = migrate(m_source.store(), *userdb, options);
  EXPECT_EQ(report.inserted, 3u);
  EXPECT_FALSE(report.committed);
  EXPECT_FALSE(std::filesystem::exists(m_destination));
}

TEST_F(Migration, WhatTheDestinationCannotKeepIsListedAsDropped) {
  test::TempStore source("version:1\n"
                         "alice@sip.example.org clrtxt:alice-pw ;alice-desk +33612345678\n");
  const std::string out = (std::filesystem::path(source.dir()) / "out").string();
  auto htdigest = open_store(parse_locator("htdigest:" + out), StoreOptions{});
  const MigrationReport report = migrate(source.store(), *htdigest, MigrationOptions{});
  EXPECT_TRUE(report.committed);
  std::string reasons;
  for (const auto& note : report.dropped.listed) reasons += note.reason + "\n";
  EXPECT_NE(reasons.find("alice-desk"), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("+33612345678"), std::string::npos) << reasons;
  // The hash is of the digest username the destination keeps: its user, not the user-id.
  EXPECT_EQ(bytes_of(out), "alice:sip.example.org:" + alice_md5 + "\n");
}

// DEST (a userdb) has alice already; SOURCE has her with a new password, and dave.
class MigrationConflicts : public testing::Test {
protected:
  void SetUp() override {
    std::ofstream(m_destination.path(), std::ios::binary | std::ios::trunc) << m_before;
  }
  MigrationReport run(OnConflict on_conflict) {
    MigrationOptions options;
    options.on_conflict = on_conflict;
    return migrate(m_source.store(), m_destination.store(), options);
  }
  const std::string m_before = "version:1\n# staff\nalice@sip.example.org clrtxt:alice-pw ;\n";
  test::TempStore m_source{"version:1\n"
                           "alice@sip.example.org clrtxt:new-pw ;\n"
                           "dave@sip.example.org clrtxt:dave-pw ;\n"};
  test::TempStore m_destination{""};
};

TEST_F(MigrationConflicts, FailListsTheConflictAndWritesNothing) {
  const MigrationReport report = run(OnConflict::Fail);
  EXPECT_EQ(identities(report.conflicts), std::vector<std::string>{"alice@sip.example.org"});
  EXPECT_TRUE(report.refused(MigrationOptions{}));
  EXPECT_FALSE(report.committed);
  EXPECT_EQ(bytes_of(m_destination.path()), m_before);
}

TEST_F(MigrationConflicts, SkipKeepsTheAccountAndWritesTheOthers) {
  const MigrationReport report = run(OnConflict::Skip);
  EXPECT_TRUE(report.committed);
  EXPECT_EQ(identities(report.skipped), std::vector<std::string>{"alice@sip.example.org"});
  EXPECT_EQ(report.skipped_identities, std::vector<std::string>{"alice@sip.example.org"});
  EXPECT_EQ(report.inserted, 1u);
  EXPECT_EQ(report.replaced, 0u);
  EXPECT_EQ(bytes_of(m_destination.path()), m_before + "dave@sip.example.org clrtxt:dave-pw ;\n");
  // verify leaves the skipped account alone: its old password is no difference.
  const VerifyReport verified = verify_migration(m_source.store(), m_destination.store(), report);
  EXPECT_EQ(verified.checked, 1u);
  EXPECT_TRUE(verified.differences.empty());
}

TEST_F(MigrationConflicts, ReplaceRewritesTheAccountInPlace) {
  const MigrationReport report = run(OnConflict::Replace);
  EXPECT_TRUE(report.committed);
  EXPECT_EQ(report.replaced, 1u);
  EXPECT_EQ(report.inserted, 1u);
  EXPECT_EQ(report.credentials, 2u);
  EXPECT_EQ(bytes_of(m_destination.path()), "version:1\n# staff\n"
                                            "alice@sip.example.org clrtxt:new-pw ;\n"
                                            "dave@sip.example.org clrtxt:dave-pw ;\n");
  const VerifyReport verified = verify_migration(m_source.store(), m_destination.store(), report);
  EXPECT_EQ(verified.checked, 2u);
  EXPECT_TRUE(verified.differences.empty());
}

// Flexisip uses the last line of a user: so does DEST, and the counts leave out the others.
TEST(MigrationRepeats, TheLastEntryOfARepeatedAccountIsKept) {
  // python3 -c "import hashlib;
  //   print(hashlib.md5(b'alice:sip.example.org:third-pw').hexdigest())"
  test::TempStore source("version:1\n"
                         "alice@sip.example.org clrtxt:first-pw ;\n"
                         "bob@sip.example.org md5:" +
                         bob_md5 +
                         " ;\n"
                         "alice@sip.example.org clrtxt:second-pw ;\n"
                         "alice@sip.example.org clrtxt:third-pw ;\n");
  const std::string out = (std::filesystem::path(source.dir()) / "out").string();
  auto htdigest = open_store(parse_locator("htdigest:" + out), StoreOptions{});
  const MigrationReport report = migrate(source.store(), *htdigest, MigrationOptions{});
  EXPECT_TRUE(report.committed);
  EXPECT_EQ(report.read, 4u);
  EXPECT_EQ(report.inserted, 2u);
  EXPECT_EQ(report.credentials, 2u);
  EXPECT_EQ(report.duplicates.notes.count, 2u);
  EXPECT_EQ(report.duplicates.earlier,
            (std::map<std::string, std::size_t>{{"alice@sip.example.org", 2}}));
  EXPECT_EQ(bytes_of(out), "alice:sip.example.org:466610aad548f0a4938a3561396ca72f\n"
                           "bob:sip.example.org:" +
                               bob_md5 + "\n");
  const VerifyReport verified = verify_migration(source.store(), *htdigest, report);
  EXPECT_EQ(verified.checked, 2u);
  EXPECT_TRUE(verified.differences.empty()) << verified.differences.listed.front().reason;
}

// A store with a domain per user does not fill the report: the first 100, and a flag.
TEST(MigrationDomains, AtMostAHundredDomainsAreListed) {
  std::string content = "version:1\n";
  for (int i = 0; i < 101; ++i) {
    content += "u@d" + std::to_string(i) + ".example.org clrtxt:pw ;\n";
  }
  test::TempStore source(content);
  const std::string out = (std::filesystem::path(source.dir()) / "out").string();
  auto csv = open_store(parse_locator("csv:" + out), StoreOptions{});
  const MigrationReport report = migrate(source.store(), *csv, MigrationOptions{});
  EXPECT_EQ(report.inserted, 101u);
  EXPECT_EQ(report.domains.size(), MigrationReport::listed_domains_at_most);
  EXPECT_TRUE(report.more_domains);
}

TEST(MigrationErrors, AMalformedSourceThrowsAndWritesNothing) {
  test::TempStore source("version:1\nalice@sip.example.org clrtxt:pw ;\nnot a user line\n");
  const std::string out = (std::filesystem::path(source.dir()) / "out").string();
  auto userdb = open_store(parse_locator(out), StoreOptions{});
  try {
    migrate(source.store(), *userdb, MigrationOptions{});
    ADD_FAILURE() << "a malformed source was migrated";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::DataError);
  }
  EXPECT_FALSE(std::filesystem::exists(out));
}

// Kamailio authenticates alice also as the digest username alice@sip.example.org, with the
// ha1b column: verify checks that hash too, and finds it wrong when it is alice's own HA1.
TEST(MigrationToKamailio, VerifyChecksTheHa1bOfUserAtDomain) {
  test::TempStore source("version:1\nalice@sip.example.org clrtxt:alice-pw ;\n");
  const std::string db = (std::filesystem::path(source.dir()) / "kamailio.db").string();
  StoreOptions options;
  options.schema = Schema::Kamailio;
  options.create_schema = true;
  auto kamailio = open_store(parse_locator("sqlite3://db=" + db), options);
  const MigrationReport report = migrate(source.store(), *kamailio, MigrationOptions{});
  ASSERT_TRUE(report.committed);
  EXPECT_EQ(report.inserted, 1u);
  {
    soci::session session(*soci::factory_sqlite3(), "db=" + db);
    std::string ha1, ha1b;
    session << "SELECT ha1, ha1b FROM subscriber WHERE username = 'alice'", soci::into(ha1),
        soci::into(ha1b);
    EXPECT_EQ(ha1, alice_md5);
    // python3 -c "import hashlib;
    //   print(hashlib.md5(b'alice@sip.example.org:sip.example.org:alice-pw').hexdigest())"
    EXPECT_EQ(ha1b, "eacd98e46cb3a259a5f1101896599a59");
  }
  const VerifyReport verified = verify_migration(source.store(), *kamailio, report);
  EXPECT_EQ(verified.checked, 1u);
  EXPECT_TRUE(verified.differences.empty()) << verified.differences.listed.front().reason;

  {
    soci::session session(*soci::factory_sqlite3(), "db=" + db);
    session << "UPDATE subscriber SET ha1b = ha1";
  }
  auto reopened = open_store(parse_locator("sqlite3://db=" + db), options);
  const VerifyReport wrong = verify_migration(source.store(), *reopened, report);
  EXPECT_EQ(identities(wrong.differences), std::vector<std::string>{"alice@sip.example.org"});
  ASSERT_FALSE(wrong.differences.listed.empty());
  EXPECT_NE(wrong.differences.listed.front().reason.find("ha1b"), std::string::npos)
      << wrong.differences.listed.front().reason;
  EXPECT_NE(wrong.differences.listed.front().reason.find("alice@sip.example.org"),
            std::string::npos)
      << wrong.differences.listed.front().reason;
}

} // namespace
} // namespace sipcred
