// The userdb edit engine: edit plans applied to a small file through EditSession. Every byte
// the plan does not change must come back as it was (comments, blank lines, CRLF, user-ids and
// phones), and an edit that is refused must leave the file untouched, as shadow-utils' commonio
// does; what the tests of sipcred-user see only through the tool is checked here directly.

#include "temp_store.hpp"

#include "sipcred/digest/digest.hpp"
#include "sipcred/formats/import_list.hpp"
#include "sipcred/store/store.hpp"
#include "sipcred/userdb/edit_plan.hpp"
#include "sipcred/userdb/edit_session.hpp"
#include "sipcred/userdb/user_edit.hpp"
#include "sipcred/util/error.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace sipcred::userdb {
namespace {

std::string contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string md5(std::string_view user, std::string_view realm, std::string_view password) {
  return ha1(HashFunction::Md5, user, realm, password);
}

CredentialPolicy clear_text() {
  CredentialPolicy policy;
  policy.clear_text = true;
  return policy;
}

// Applies `plan` and commits when the engine says it can be done; returns the result.
EditResult apply_plan(const std::string& path, const EditPlan& plan) {
  EditSession session(path, plan);
  if (session.result().status == EditStatus::Done) session.commit();
  return session.result();
}

// CRLF, comments, a blank line and two accounts of carol (one per user-id): the lines no plan
// names must survive every edit byte for byte.
const std::string crlf_users = "version:1\r\n"
                               "# staff\r\n"
                               "alice@d.org clrtxt:a ;\r\n"
                               "\r\n"
                               "carol@d.org md5:" +
                               md5("carol", "d.org", "old") +
                               " ;\r\n"
                               "carol@d.org clrtxt:c2 ; c2-id +3312\r\n"
                               "# end\r\n";

TEST(EditSession, AddAppendsOneLineEndedLikeTheFile) {
  test::TempStore users(crlf_users);
  const EditResult result = apply_plan(
      users.path(), AddPlan{{parse_identity("bob@d.org"), {}, {}, "pw", {}}, clear_text()});
  EXPECT_EQ(result.status, EditStatus::Done);
  EXPECT_EQ(result.added, 1u);
  EXPECT_EQ(contents(users.path()), crlf_users + "bob@d.org clrtxt:pw ;\r\n");
}

TEST(EditSession, AddOfAUserThereAlreadyChangesNoByte) {
  test::TempStore users(crlf_users);
  EditSession session(users.path(),
                      AddPlan{{parse_identity("alice@d.org"), {}, {}, "pw", {}}, clear_text()});
  EXPECT_EQ(session.result().status, EditStatus::Exists);
  // Nothing was made: a commit would write a file the caller was told is unchanged.
  EXPECT_THROW(session.commit(), Error);
  EXPECT_EQ(contents(users.path()), crlf_users);
}

// A phone is the second token after ';': the user-id must be written before it.
TEST(EditSession, AddWithAPhoneWritesTheUserAsUserId) {
  test::TempStore users("version:1\n");
  apply_plan(users.path(),
             AddPlan{{parse_identity("bob@d.org"), {}, "+3310", "pw", {}}, clear_text()});
  EXPECT_EQ(contents(users.path()), "version:1\nbob@d.org clrtxt:pw ; bob +3310\n");
}

TEST(EditPlan, ABareDomainWithAPhoneNeedsAUserId) {
  const AddPlan refused{{parse_identity("d.org"), {}, "+3310", {}, {}}, clear_text()};
  EXPECT_THROW(check_plan(refused), Error);
  try {
    check_plan(refused);
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::Usage);
  }
  EXPECT_NO_THROW(check_plan(AddPlan{{parse_identity("d.org"), "id", "+3310", {}, {}}, {}}));
  EXPECT_NO_THROW(check_plan(AddPlan{{parse_identity("d.org"), {}, {}, {}, {}}, {}}));
}

TEST(UserIdToWrite, OnlyAPhoneWithoutAUserIdBringsTheUserIn) {
  EXPECT_EQ(user_id_to_write("bob", "", "+3310"), "bob");
  EXPECT_EQ(user_id_to_write("bob", "b-id", "+3310"), "b-id");
  EXPECT_EQ(user_id_to_write("bob", "", ""), "");
  EXPECT_EQ(user_id_to_write("bob", "b-id", ""), "b-id");
  // The same rule as import lists report it (SC203) and check_phone refuses it.
  EXPECT_FALSE(can_carry_phone("", "", "+3310"));
  EXPECT_TRUE(can_carry_phone("", "id", "+3310"));
  EXPECT_TRUE(can_carry_phone("bob", "", "+3310"));
  EXPECT_TRUE(can_carry_phone("", "", ""));
}

// An import list is checked against the same rule before any store is opened.
TEST(ImportList, ABareDomainWithAPhoneAndNoAuthUserIsReported) {
  std::vector<Diagnostic> diagnostics;
  read_import_list("identity,password,auth_user,phone\n"
                   "d.org,pw,,+3310\n"
                   "d.org,pw,id,+3310\n"
                   "bob@d.org,pw,,+3310\n",
                   ImportFormat::Csv, diagnostics);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].code, "SC203");
  EXPECT_EQ(diagnostics[0].line, 2u);
  EXPECT_NE(diagnostics[0].message.find("carry a phone"), std::string::npos);
}

// The same rule through the Store interface (sipcred-migrate, -convert): one home for both.
TEST(FileStoreWrite, AnAccountWithAPhoneGetsItsUserAsUserId) {
  test::TempStore users("version:1\n");
  Account account;
  account.user = "bob";
  account.domain = "d.org";
  account.phone = "+3310";
  account.credentials.push_back({std::nullopt, "pw", ""});
  auto writer = users.store().begin_write(OnConflict::Fail);
  EXPECT_EQ(writer->write(std::move(account)), WriteResult::Inserted);
  writer->settle();
  writer->commit();
  EXPECT_EQ(contents(users.path()), "version:1\nbob@d.org clrtxt:pw ; bob +3310\n");
}

// Every account of the user gets the new password, each keeping its kinds of credential,
// its user-id and its phone; no other byte changes.
TEST(EditSession, RotateChangesEveryLineOfTheUserAndKeepsTheirKinds) {
  test::TempStore users(crlf_users);
  const EditResult result =
      apply_plan(users.path(), RotatePlan{{parse_identity("carol@d.org"), {}, {}, "new", {}}, {}});
  EXPECT_EQ(result.status, EditStatus::Done);
  EXPECT_EQ(result.rotated, 1u);
  EXPECT_EQ(contents(users.path()), "version:1\r\n"
                                    "# staff\r\n"
                                    "alice@d.org clrtxt:a ;\r\n"
                                    "\r\n"
                                    "carol@d.org md5:" +
                                        md5("carol", "d.org", "new") +
                                        " ;\r\n"
                                        // clear text under another user-id could never
                                        // match: it becomes hashes of that user-id
                                        "carol@d.org md5:" +
                                        md5("c2-id", "d.org", "new") + " sha256:" +
                                        ha1(HashFunction::Sha256, "c2-id", "d.org", "new") +
                                        " ; c2-id +3312\r\n"
                                        "# end\r\n");
}

TEST(EditSession, RotateOfOneUserIdLeavesTheOtherAccount) {
  test::TempStore users(crlf_users);
  CredentialPolicy md5_only;
  md5_only.hashes = {HashFunction::Md5};
  apply_plan(users.path(),
             RotatePlan{{parse_identity("carol@d.org"), "c2-id", {}, "new", {}}, {md5_only, true}});
  std::string expected = crlf_users;
  const std::string old_line = "carol@d.org clrtxt:c2 ; c2-id +3312\r\n";
  expected.replace(expected.find(old_line), old_line.size(),
                   "carol@d.org md5:" + md5("c2-id", "d.org", "new") + " ; c2-id +3312\r\n");
  EXPECT_EQ(contents(users.path()), expected);
}

TEST(EditSession, RotateOfAMissingUserIsNotFoundAndChangesNoByte) {
  test::TempStore users(crlf_users);
  const EditResult result =
      apply_plan(users.path(), RotatePlan{{parse_identity("zoe@d.org"), {}, {}, "new", {}}, {}});
  EXPECT_EQ(result.status, EditStatus::NotFound);
  ASSERT_EQ(result.missing.size(), 1u);
  EXPECT_EQ(result.missing[0].text(), "zoe@d.org");
  EXPECT_EQ(contents(users.path()), crlf_users);
}

TEST(EditSession, RemoveTakesEveryLineOfEachUser) {
  test::TempStore users(crlf_users);
  const EditResult result = apply_plan(
      users.path(), RemovePlan{{parse_identity("carol@d.org"), parse_identity("alice@d.org")}});
  EXPECT_EQ(result.status, EditStatus::Done);
  EXPECT_EQ(result.removed_lines, 3u);
  EXPECT_EQ(contents(users.path()), "version:1\r\n# staff\r\n\r\n# end\r\n");
}

// All or nothing: one missing user and no line of the others is removed.
TEST(EditSession, RemoveWithOneUserMissingRemovesNothing) {
  test::TempStore users(crlf_users);
  const EditResult result = apply_plan(
      users.path(), RemovePlan{{parse_identity("alice@d.org"), parse_identity("zoe@d.org"),
                                parse_identity("yann@d.org")}});
  EXPECT_EQ(result.status, EditStatus::NotFound);
  ASSERT_EQ(result.missing.size(), 2u);
  EXPECT_EQ(result.missing[0].text(), "zoe@d.org");
  EXPECT_EQ(result.missing[1].text(), "yann@d.org");
  EXPECT_EQ(result.removed_lines, 0u);
  EXPECT_EQ(contents(users.path()), crlf_users);
}

// Users there are rotated (the phone kept when the list has none), the others added, in one
// write, the new ones after the file's last line.
TEST(EditSession, ImportRotatesUsersThereAndAddsTheOthers) {
  test::TempStore users("version:1\n"
                        "alice@d.org clrtxt:a ; alice +3301\n"
                        "# keep me\n"
                        "dave@d.org clrtxt:d ;\n");
  const EditResult result =
      apply_plan(users.path(), ImportPlan{{{parse_identity("alice@d.org"), {}, {}, "a2", "l:1"},
                                           {parse_identity("bob@d.org"), {}, "+3302", "b", "l:2"},
                                           {parse_identity("%63arl@d.org"), {}, {}, "c", "l:3"}},
                                          {clear_text(), false}});
  EXPECT_EQ(result.status, EditStatus::Done);
  EXPECT_EQ(result.rotated, 1u);
  EXPECT_EQ(result.added, 2u);
  EXPECT_EQ(contents(users.path()), "version:1\n"
                                    "alice@d.org clrtxt:a2 ; alice +3301\n"
                                    "# keep me\n"
                                    "dave@d.org clrtxt:d ;\n"
                                    "bob@d.org clrtxt:b ; bob +3302\n"
                                    "%63arl@d.org clrtxt:c ;\n");
}

// An import line naming a user-id the user lacks is a new account of that user, while the
// user's other account is left as it was.
TEST(EditSession, ImportOfAnotherUserIdAddsAnAccount) {
  const std::string before = "version:1\nalice@d.org clrtxt:a ;\n";
  test::TempStore users(before);
  CredentialPolicy md5_only;
  md5_only.hashes = {HashFunction::Md5};
  const EditResult result =
      apply_plan(users.path(), ImportPlan{{{parse_identity("alice@d.org"), "a-id", {}, "x", {}}},
                                          {md5_only, true}});
  EXPECT_EQ(result.added, 1u);
  EXPECT_EQ(result.rotated, 0u);
  EXPECT_EQ(contents(users.path()),
            before + "alice@d.org md5:" + md5("a-id", "d.org", "x") + " ; a-id\n");
}

TEST(EditPlan, AnImportErrorNamesThePlaceOfTheAccount) {
  CredentialPolicy realm_clear_text = clear_text();
  realm_clear_text.realm = "other.org"; // Flexisip hashes clear text with the domain
  const ImportPlan plan{{{parse_identity("alice@d.org"), {}, {}, {}, "list.csv:3"}},
                        {realm_clear_text, true}};
  try {
    check_plan(plan);
    FAIL() << "clear text with another realm was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::Usage);
    EXPECT_EQ(std::string(error.what()).rfind("list.csv:3: ", 0), 0u) << error.what();
  }
}

// A file Flexisip would refuse is refused whole, with what is wrong, and left as it was.
TEST(EditSession, AFileTheServerWouldRefuseIsLeftAsItWas) {
  const std::string broken = "version:1\nalice@d.org clrtxt:a ;\nbob@d.org\n";
  test::TempStore users(broken);
  try {
    EditSession session(users.path(), RemovePlan{{parse_identity("alice@d.org")}});
    FAIL() << "a file with an error was opened for editing";
  } catch (const InvalidStoreData& refused) {
    EXPECT_FALSE(refused.diagnostics().empty());
    EXPECT_EQ(refused.diagnostics()[0].line, 3u);
  }
  EXPECT_EQ(contents(users.path()), broken);
  EXPECT_THROW(preview(users.path(), RemovePlan{{parse_identity("alice@d.org")}}),
               InvalidStoreData);
}

// A password a userdb cannot hold is refused when the plan is applied, before any write.
TEST(EditSession, APasswordTheFileCannotHoldChangesNoByte) {
  test::TempStore users(crlf_users);
  EXPECT_THROW(EditSession(users.path(),
                           AddPlan{{parse_identity("bob@d.org"), {}, {}, "a b", {}}, clear_text()}),
               Error);
  EXPECT_EQ(contents(users.path()), crlf_users);
}

// The unlocked look before a prompt says what the locked edit will find, without a password.
TEST(Preview, SaysWhatTheEditWouldFind) {
  test::TempStore users(crlf_users);
  EXPECT_EQ(preview(users.path(), AddPlan{{parse_identity("alice@d.org"), {}, {}, {}, {}}, {}}),
            EditStatus::Exists);
  EXPECT_EQ(preview(users.path(), AddPlan{{parse_identity("bob@d.org"), {}, {}, {}, {}}, {}}),
            EditStatus::Done);
  EXPECT_EQ(preview(users.path(), RotatePlan{{parse_identity("zoe@d.org"), {}, {}, {}, {}}, {}}),
            EditStatus::NotFound);
  EXPECT_EQ(preview(users.path(), RotatePlan{{parse_identity("carol@d.org"), {}, {}, {}, {}}, {}}),
            EditStatus::Done);
  EXPECT_EQ(contents(users.path()), crlf_users);
}

// Lines Flexisip reads with a warning are kept as they are, and the tool's report learns
// which lines the commit replaced (their old findings are gone) and what the new ones draw.
TEST(EditSession, WrittenNamesTheReplacedLinesNumberedAsInTheOriginal) {
  const std::string warned = "version:1\n"
                             "alice@d.org clrtxt:x clrtxt:a ;\n" // SC123: only the last is used
                             "bob@d.org clrtxt:b clrtxt:b2 ;\n";
  test::TempStore users(warned);
  EditSession session(users.path(), RotatePlan{{parse_identity("alice@d.org"), {}, {}, "n", {}},
                                               {clear_text(), true}});
  ASSERT_EQ(session.result().status, EditStatus::Done);
  ASSERT_EQ(session.findings().size(), 2u);
  EXPECT_EQ(session.findings()[0].line + session.findings()[1].line, 5u); // lines 2 and 3
  session.commit();
  const EditSession::Written written = session.written();
  EXPECT_EQ(written.replaced, (std::set<std::size_t>{2}));
  EXPECT_TRUE(written.findings.empty()) << written.findings[0].message;
  EXPECT_EQ(contents(users.path()),
            "version:1\nalice@d.org clrtxt:n ;\nbob@d.org clrtxt:b clrtxt:b2 ;\n");
}

} // namespace
} // namespace sipcred::userdb
