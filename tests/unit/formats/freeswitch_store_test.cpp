// The FreeSWITCH directory store (freeswitch:PATH) on files shaped as FreeSWITCH ships them
// (conf/vanilla/directory/default/*.xml: an <include> of one <user> with params, variables and
// commented-out examples; a whole <document> of domains and groups). Expected hashes are MD5 of
// ID:REALM:PASSWORD, from python3 -c "import hashlib; print(hashlib.md5(b'...').hexdigest())".

#include "formats/freeswitch_xml.hpp"
#include "sipcred/formats/formats.hpp"
#include "sipcred/store/account_edit.hpp"
#include "sipcred/store/store.hpp"
#include "sipcred/util/error.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sipcred {
namespace {

namespace fs = std::filesystem;
using userdb::parse_identity;

const std::string domain = "pbx.example.org";

// A user file as conf/directory/default/1000.xml has it: a clear password, voicemail's own
// password, an a1-hash example left commented out, variables; number-alias and cidr attributes.
const std::string reception = R"(<include>
  <!-- Extension 1000: the phone at reception -->
  <user id="1000" number-alias="100" cidr="192.0.2.10/32">
    <params>
      <param name="password" value="reception-pw"/>
      <param name="vm-password" value="1000"/>
      <!--<param name="a1-hash" value="c6440e5de50b403206989679159de89a"/>-->
    </params>
    <variables>
      <variable name="toll_allow" value="domestic,local"/>
      <variable name="user_context" value="default"/>
      <variable name="effective_caller_id_name" value="Reception"/>
      <variable name="effective_caller_id_number" value="1000"/>
      <variable name="callgroup" value="front"/>
    </variables>
  </user>
</include>
)";

// A user kept as an a1-hash only (MD5 of 1001:pbx.example.org:desk-pw), with voicemail's.
const std::string desk = R"(<include>
  <user id="1001">
    <params>
      <param name="a1-hash" value="a28e8ec2a826041b16732b93e565dff7"/>
      <param name="vm-a1-hash" value="0123456789abcdef0123456789abcdef"/>
    </params>
  </user>
</include>
)";

// A whole directory: a domain whose users are in groups (a pointer in a second group), and a
// domain with its own <users>.
const std::string document = R"(<?xml version="1.0" encoding="utf-8"?>
<document type="freeswitch/xml">
  <section name="directory">
    <domain name="pbx.example.org">
      <params>
        <param name="dial-string" value="{presence_id=${dialed_user}@${dialed_domain}}${sofia_contact(${dialed_user}@${dialed_domain})}"/>
      </params>
      <groups>
        <group name="default">
          <users>
            <user id="1000">
              <params>
                <param name="password" value="reception-pw"/>
              </params>
            </user>
          </users>
        </group>
        <group name="sales">
          <users>
            <user id="1000" type="pointer"/>
          </users>
        </group>
      </groups>
    </domain>
    <domain name="other.example.net">
      <users>
        <!-- remote office -->
        <user id="2000">
          <params>
            <param name="a1-hash" value="5a05e061a71536fa5d3f7ef440b856c0"/>
          </params>
        </user>
      </users>
    </domain>
  </section>
</document>
)";

class TempDir {
public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "sipcred-fs-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    m_path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(m_path, ignored);
  }
  std::string path(const std::string& name = "") const { return (m_path / name).string(); }
  std::string write(const std::string& name, const std::string& content) const {
    fs::create_directories(fs::path(path(name)).parent_path());
    std::ofstream(path(name), std::ios::binary) << content;
    return path(name);
  }

private:
  fs::path m_path;
};

std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

StoreOptions with_realm(const std::string& realm) {
  StoreOptions options;
  options.realm = realm;
  return options;
}

std::unique_ptr<Store> open(const std::string& path, const StoreOptions& options = {}) {
  return open_store(parse_locator("freeswitch:" + path), options);
}

std::vector<Account> read_all(Store& store) {
  std::vector<Account> accounts;
  store.read([&](Account&& account) { accounts.push_back(std::move(account)); });
  return accounts;
}

// The diagnostics of an InvalidStoreData the store's read() throws, as "LINE:COL: message".
std::vector<std::string> read_problems(Store& store) {
  try {
    read_all(store);
  } catch (const InvalidStoreData& invalid) {
    EXPECT_EQ(invalid.kind(), ErrorKind::DataError);
    std::vector<std::string> out;
    for (const Diagnostic& d : invalid.diagnostics()) {
      EXPECT_EQ(d.code, "SC211");
      out.push_back(std::to_string(d.line) + ":" + std::to_string(d.column) + ": " + d.message);
    }
    return out;
  }
  ADD_FAILURE() << "read() accepted the data";
  return {};
}

ErrorKind read_error(Store& store, std::string& message) {
  try {
    read_all(store);
  } catch (const Error& error) {
    message = error.what();
    return error.kind();
  }
  ADD_FAILURE() << "read() accepted the data";
  return ErrorKind::Internal;
}

userdb::RotatePlan rotate(const std::string& identity, std::string_view password) {
  return {{parse_identity(identity), {}, {}, password, {}}, {}};
}

TEST(FreeswitchStore, ReadsADirectoryOfUserFilesInTheDomainOfRealm) {
  TempDir dir;
  dir.write("default/1000.xml", reception);
  dir.write("default/1001.xml", desk);
  dir.write("default/notes.txt", "not a user file");
  dir.write("default/.1002.xml.sipcred-abc123", "<include><user id=\"1002\"/></include>");
  auto store = open(dir.path("default"), with_realm(domain));
  const auto accounts = read_all(*store);
  ASSERT_EQ(accounts.size(), 2u);
  EXPECT_EQ(accounts[0].identity(), "1000@pbx.example.org");
  EXPECT_EQ(accounts[0].line, 3u);
  EXPECT_EQ(accounts[0].credentials, (std::vector<Credential>{{std::nullopt, "reception-pw", ""}}))
      << "vm-password and the commented-out a1-hash are not the user's SIP credentials";
  EXPECT_EQ(accounts[1].identity(), "1001@pbx.example.org");
  EXPECT_EQ(
      accounts[1].credentials,
      (std::vector<Credential>{{HashFunction::Md5, "a28e8ec2a826041b16732b93e565dff7", domain}}))
      << "vm-a1-hash is voicemail's";

  // As sofia authenticates: the a1-hash as it is, else MD5 of the password.
  const auto found = store->lookup(accounts[0]);
  ASSERT_TRUE(found);
  const Credential* md5 = found->hash_for(HashFunction::Md5, domain);
  ASSERT_NE(md5, nullptr);
  EXPECT_EQ(md5->value, "71c48ba71c405a8e0afa8fb44b647a51");
  EXPECT_FALSE(store->lookup(Account{"1000", "elsewhere.example.com", "", "", {}}));
}

TEST(FreeswitchStore, ReadsAWholeDocumentWithDomainsAndGroups) {
  TempDir dir;
  auto store = open(dir.write("freeswitch.xml", document));
  const auto accounts = read_all(*store);
  ASSERT_EQ(accounts.size(), 2u) << "the pointer in group sales is not a second user";
  EXPECT_EQ(accounts[0].identity(), "1000@pbx.example.org");
  EXPECT_EQ(accounts[0].credentials, (std::vector<Credential>{{std::nullopt, "reception-pw", ""}}));
  EXPECT_EQ(accounts[1].identity(), "2000@other.example.net");
  EXPECT_EQ(accounts[1].credentials,
            (std::vector<Credential>{
                {HashFunction::Md5, "5a05e061a71536fa5d3f7ef440b856c0", "other.example.net"}}));
}

TEST(FreeswitchStore, TheDomainOfAUserFileComesFromRealmOrItIsAUsageError) {
  TempDir dir;
  dir.write("default/1000.xml", reception);
  try {
    open(dir.path("default"));
    ADD_FAILURE() << "a directory opened without --realm";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::Usage);
    EXPECT_NE(std::string(error.what()).find("--realm"), std::string::npos) << error.what();
  }
  // One file that does not name the domain: $${domain} is the preprocessor's.
  const std::string file =
      dir.write("default.xml", "<include>\n  <domain name=\"$${domain}\">\n    <users>\n" +
                                   reception.substr(9, reception.size() - 20) +
                                   "    </users>\n  </domain>\n</include>\n");
  std::string message;
  EXPECT_EQ(read_error(*open(file), message), ErrorKind::Usage);
  EXPECT_NE(message.find("--realm"), std::string::npos) << message;
  const auto accounts = read_all(*open(file, with_realm(domain)));
  ASSERT_EQ(accounts.size(), 1u);
  EXPECT_EQ(accounts[0].identity(), "1000@pbx.example.org");
}

// A rotation changes the password values and nothing else: comments, other params, variables
// and attributes stay as they were, byte for byte.
TEST(FreeswitchStore, RotateReplacesTheCredentialsInPlaceAndKeepsTheRest) {
  TempDir dir;
  const std::string file_1000 = dir.write("default/1000.xml", reception);
  const std::string file_1001 = dir.write("default/1001.xml", desk);
  ::chmod(file_1001.c_str(), 0640);
  auto store = open(dir.path("default"), with_realm(domain));
  for (const char* identity : {"1000@pbx.example.org", "1001@pbx.example.org"}) {
    const auto outcome = apply_plan(*store, rotate(identity, "new-pw"), false);
    EXPECT_EQ(outcome.result.status, userdb::EditStatus::Done);
    EXPECT_EQ(outcome.result.rotated, 1u);
  }
  // 1000 kept clear text; the store adds the a1-hash it holds, after the user's last param.
  std::string expected_1000 = reception;
  expected_1000.replace(expected_1000.find("reception-pw"), 12, "new-pw");
  const std::string commented = "\"/>-->\n"; // the commented-out a1-hash
  expected_1000.insert(
      expected_1000.find(commented) + commented.size(),
      "      <param name=\"a1-hash\" value=\"33877a04a2f601c5d5de14bf6e8898cb\"/>\n");
  EXPECT_EQ(bytes_of(file_1000), expected_1000);
  // 1001 had an a1-hash only: it keeps an a1-hash only, vm-a1-hash untouched.
  std::string expected_1001 = desk;
  expected_1001.replace(expected_1001.find("a28e8ec2a826041b16732b93e565dff7"), 32,
                        "4d2de5d58632da14c71d9eeb982c5a3c");
  EXPECT_EQ(bytes_of(file_1001), expected_1001);
  struct stat info {};
  ASSERT_EQ(::stat(file_1001.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0640u) << "a replaced file keeps its mode";

  const auto accounts = read_all(*open(dir.path("default"), with_realm(domain)));
  ASSERT_EQ(accounts.size(), 2u);
  EXPECT_EQ(accounts[0].clear_text()->value, "new-pw");
}

TEST(FreeswitchStore, AddMakesAUserFileOfMode0600AndRemoveDeletesIt) {
  TempDir dir;
  dir.write("default/1000.xml", reception);
  auto store = open(dir.path("default"), with_realm(domain));
  userdb::AddPlan add{{parse_identity("1002@pbx.example.org"), {}, {}, "lobby-pw", {}}, {}};
  add.policy.hashes = {};
  EXPECT_EQ(apply_plan(*store, add, false).result.added, 1u);
  const std::string file = dir.path("default/1002.xml");
  EXPECT_EQ(bytes_of(file), R"(<include>
  <user id="1002">
    <params>
      <param name="a1-hash" value="e4023f9bba5238a2e7508fd888ba07c0"/>
    </params>
  </user>
</include>
)");
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  const auto removed =
      apply_plan(*store, userdb::RemovePlan{{parse_identity("1002@" + domain)}}, false);
  EXPECT_EQ(removed.result.removed_lines, 1u);
  EXPECT_FALSE(fs::exists(file));
  EXPECT_EQ(bytes_of(dir.path("default/1000.xml")), reception);
}

TEST(FreeswitchStore, RemoveTakesOneUserOutOfAFileOfSeveral) {
  TempDir dir;
  const std::string file = dir.write("freeswitch.xml", document);
  auto store = open(file);
  const auto outcome =
      apply_plan(*store, userdb::RemovePlan{{parse_identity("2000@other.example.net")}}, false);
  EXPECT_EQ(outcome.result.removed_lines, 1u);
  std::string expected = document;
  const std::size_t from = expected.find("        <user id=\"2000\">");
  const std::size_t to = expected.find("</user>", from) + 8;
  expected.erase(from, to - from);
  EXPECT_EQ(bytes_of(file), expected) << "the comment before it and everything else stay";
}

// Writing over an existing user keeps what sipcred does not own, and a hash-only account
// leaves no stale password behind.
TEST(FreeswitchStore, AMigrationReplacingAUserKeepsItsOtherParams) {
  TempDir dir;
  const std::string file = dir.write("default/1000.xml", reception);
  auto store = open(dir.path("default"), with_realm(domain));
  auto writer = store->begin_write(OnConflict::Replace);
  const std::string hash = ha1(HashFunction::Md5, "1000", domain, "hashed-pw");
  EXPECT_EQ(writer->write(Account{"1000", domain, "", "", {{HashFunction::Md5, hash, domain}}}),
            WriteResult::Replaced);
  writer->commit();
  const std::string text = bytes_of(file);
  EXPECT_EQ(text.find("reception-pw"), std::string::npos) << text;
  EXPECT_NE(text.find("<param name=\"a1-hash\" value=\"" + hash + "\"/>"), std::string::npos);
  EXPECT_NE(text.find("<param name=\"vm-password\" value=\"1000\"/>"), std::string::npos);
  EXPECT_NE(text.find("number-alias=\"100\" cidr=\"192.0.2.10/32\""), std::string::npos);
  EXPECT_NE(text.find("<variable name=\"callgroup\" value=\"front\"/>"), std::string::npos);
}

TEST(FreeswitchStore, MalformedXmlIsADataErrorAtItsLineAndColumn) {
  TempDir dir;
  auto store = open(dir.write("bad.xml", "<include>\n  <user id=\"1\">\n  </usr>\n</include>\n"));
  const auto problems = read_problems(*store);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].substr(0, 5), "3:9: ") << problems[0];
  EXPECT_NE(problems[0].find("not well-formed"), std::string::npos) << problems[0];
}

TEST(FreeswitchStore, HostileFilesAreRefusedBeforeTheParserSpendsOnThem) {
  TempDir dir;
  // Larger than the bound: refused unread (a sparse file costs no disk).
  const std::string huge = dir.write("huge.xml", "");
  ASSERT_EQ(::truncate(huge.c_str(), static_cast<off_t>(freeswitch::max_file_size + 1)), 0);
  std::string message;
  EXPECT_EQ(read_error(*open(huge), message), ErrorKind::DataError);
  EXPECT_NE(message.find("larger than"), std::string::npos) << message;

  // libxml2 2.9 compares every attribute of a tag with every other: 40000 took 14 s.
  std::string attributes = "<include><user id=\"1\"";
  for (int i = 0; i < 40000; ++i) attributes += " a" + std::to_string(i) + "=\"\"";
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(read_error(*open(dir.write("attributes.xml", attributes + "/></include>")), message),
            ErrorKind::DataError);
  EXPECT_NE(message.find("attributes in one tag"), std::string::npos) << message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));

  // Entities that expand to gigabytes: FreeSWITCH's files have no DTD, so none is read.
  const std::string laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE include [\n"
                             "<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
                             "]>\n<include><user id=\"&b;\"/></include>\n";
  EXPECT_EQ(read_error(*open(dir.write("laughs.xml", laughs)), message), ErrorKind::DataError);
  EXPECT_NE(message.find("laughs.xml:2:1: a DTD"), std::string::npos) << message;
}

TEST(FreeswitchStore, CredentialsSofiaWouldMisuseAreProblemsOfRead) {
  TempDir dir;
  auto store = open(dir.write("users.xml", R"(<include>
  <domain name="pbx.example.org">
    <params>
      <param name="password" value="shared-pw"/>
    </params>
    <users>
      <user id="1000">
        <params>
          <param name="password" value="$${default_password}"/>
        </params>
      </user>
      <user id="1001">
        <params>
          <param name="a1-hash" value="A28E8EC2A826041B16732B93E565DFF7"/>
        </params>
      </user>
      <user id="1002">
        <params>
          <param name="password" value=""/>
        </params>
      </user>
      <user id="1001"/>
    </users>
  </domain>
</include>
)"));
  const auto problems = read_problems(*store);
  ASSERT_EQ(problems.size(), 5u);
  EXPECT_NE(problems[0].find("4:0: a password or a1-hash param of a <domain>"), std::string::npos)
      << problems[0];
  EXPECT_NE(problems[1].find("7:0: the password of 1000 is a preprocessor variable"),
            std::string::npos)
      << problems[1];
  EXPECT_NE(problems[2].find("14:0: the a1-hash of 1001 is not 32 lowercase hex digits"),
            std::string::npos)
      << problems[2];
  EXPECT_NE(problems[3].find("17:0: 1002 has an empty password"), std::string::npos) << problems[3];
  EXPECT_NE(problems[4].find("1001@pbx.example.org again: FreeSWITCH uses the first"),
            std::string::npos)
      << problems[4];
}

TEST(FreeswitchStore, RefusesWhatItsXmlCannotHold) {
  const auto refusal = [](std::string user, std::string password, bool file_per_user = true) {
    return formats::freeswitch_refusal(
        Account{std::move(user), domain, "", "", {{std::nullopt, std::move(password), ""}}},
        file_per_user);
  };
  EXPECT_EQ(refusal("1000", "pw"), "");
  EXPECT_EQ(refusal("\xc3\xa9lodie", "p\xc3\xa4ss w0rd \"<&>\""), "");
  EXPECT_NE(refusal(std::string("nul\0byte", 8), "pw"), "");
  EXPECT_NE(refusal("1000", "line\nend"), "");
  EXPECT_NE(refusal("1000", "tab\there"), "");
  EXPECT_NE(refusal("1000", "\xff\xfe"), "") << "not UTF-8";
  EXPECT_NE(refusal("1000", "\xef\xbf\xbe"), "") << "U+FFFE is no XML character";
  EXPECT_NE(refusal("1000", "\xc0\xaf"), "") << "an overlong '/'";
  EXPECT_NE(refusal("1000", "$${default_password}"), "");
  EXPECT_NE(refusal("1000", ""), "");
  EXPECT_NE(refusal("a@b", "pw"), "");
  EXPECT_NE(refusal("", "pw"), "");
  EXPECT_NE(refusal("../1000", "pw"), "");
  EXPECT_NE(refusal(".hidden", "pw"), "");
  EXPECT_EQ(refusal("a/b", "pw", false), "") << "a file of several users names no file by id";
  EXPECT_NE(refusal(std::string(201, 'u'), "pw"), "");

  TempDir dir;
  auto store = open(dir.path("default"), with_realm(domain));
  EXPECT_NE(store->refusal(Account{"1000", "other.example.net", "", "", {}}), "")
      << "a directory holds the users of its one domain";
}

} // namespace
} // namespace sipcred
