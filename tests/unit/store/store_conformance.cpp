// The cases every store passes (store_conformance.hpp). Expectations come from what the store
// declares: accounts are converted for its needs() as a migration converts them, and an account
// its refusal() turns down is never written; whatever it accepts must come back as it was kept,
// and be found by lookup() with hashes a client's response can be checked against.

#include "store/store_conformance.hpp"

#include "sipcred/account/account.hpp"
#include "sipcred/digest/digest.hpp"
#include "sipcred/store/account_edit.hpp"
#include "sipcred/util/error.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <vector>

#include <stdlib.h>

namespace sipcred::test {

namespace {

class TempFileLocation : public StoreLocation {
public:
  TempFileLocation(std::string prefix, std::string name) : m_prefix(std::move(prefix)) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "sipcred-conformance-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    m_dir = pattern;
    m_file = (std::filesystem::path(m_dir) / name).string();
  }
  ~TempFileLocation() override {
    std::error_code ignored;
    std::filesystem::remove_all(m_dir, ignored);
  }
  std::string locator() const override { return m_prefix + m_file; }
  std::string file() const override { return m_file; }
  void reset() override {
    for (const auto& entry : std::filesystem::directory_iterator(m_dir)) {
      std::filesystem::remove_all(entry.path());
    }
  }

private:
  std::string m_prefix, m_dir, m_file;
};

const std::string domain = "sip.example.org";
const std::string other_domain = "other.example.net";

// An account and the password its credentials come from, which the test knows.
struct Sample {
  Account account;
  std::string password;
};

Sample clear(std::string user, std::string password, std::string auth_user = "",
             std::string phone = "", std::string at = domain) {
  Account account{std::move(user), std::move(at), std::move(auth_user), std::move(phone), {}};
  account.credentials.push_back({std::nullopt, password, ""});
  return {std::move(account), std::move(password)};
}

// Hashes only, of the user and its domain: no clear text for the store to derive others from.
Sample hashed(std::string user, std::string password, std::vector<HashFunction> hashes) {
  Account account{std::move(user), domain, "", "", {}};
  for (HashFunction hash : hashes) {
    account.credentials.push_back({hash, ha1(hash, account.user, domain, password), domain});
  }
  return {std::move(account), std::move(password)};
}

// Text as a C string literal would spell it, every byte outside printable ASCII as \xNN.
std::string escaped(std::string_view text) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      out += c == '"' || c == '\\' ? std::string{'\\', static_cast<char>(c)}
                                   : std::string{'\\', 'x', digits[c >> 4], digits[c & 15]};
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string describe(const Credential& credential) {
  if (credential.is_clear_text()) return "clear:" + credential.value;
  return std::string(hash_name(*credential.hash)) + ":" + credential.value + "@" + credential.realm;
}

// An account as text, credentials in a fixed order: stores need not keep their order.
std::string describe(const Account& account) {
  std::vector<std::string> credentials;
  for (const auto& credential : account.credentials) credentials.push_back(describe(credential));
  std::sort(credentials.begin(), credentials.end());
  std::ostringstream out;
  out << "user=" << escaped(account.user) << " domain=" << escaped(account.domain)
      << " auth_user=" << escaped(account.auth_user) << " phone=" << escaped(account.phone) << " {";
  for (const auto& credential : credentials) out << " " << escaped(credential);
  return out.str() + " }";
}

// What names one account in what read() gives.
std::string key_of(const Account& account) { return account.identity() + '\n' + account.auth_user; }

std::map<std::string, Account> read_all(Store& store) {
  std::map<std::string, Account> accounts;
  store.read([&](Account&& account) {
    std::string key = key_of(account);
    if (!accounts.emplace(key, std::move(account)).second) {
      ADD_FAILURE() << "read() gave " << escaped(key) << " twice";
    }
  });
  return accounts;
}

std::vector<std::string> described(const std::map<std::string, Account>& accounts) {
  std::vector<std::string> out;
  for (const auto& [key, account] : accounts) out.push_back(describe(account));
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> described(const std::vector<Account>& accounts) {
  std::vector<std::string> out;
  for (const auto& account : accounts) out.push_back(describe(account));
  std::sort(out.begin(), out.end());
  return out;
}

std::string bytes_of(const std::string& path) {
  std::error_code ignored;
  if (!std::filesystem::exists(path, ignored)) return "<no file>";
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The account as the store keeps it (convert_account for its needs(), as a migration does),
// or nullopt when the store cannot hold it: unconvertible, or refused by its format.
std::optional<Account> kept_by(const Store& store, const Sample& sample) {
  Conversion conversion = convert_account(sample.account, store.needs());
  if (!conversion.unconvertible.empty()) return std::nullopt;
  if (!store.refusal(conversion.account).empty()) return std::nullopt;
  return std::move(conversion.account);
}

Account kept_or_fail(const Store& store, const Sample& sample) {
  auto kept = kept_by(store, sample);
  if (!kept) {
    ADD_FAILURE() << "the store cannot hold " << describe(sample.account)
                  << ", a clear-text password of a plain name every store holds";
    return sample.account;
  }
  return *kept;
}

// What a server checking `password` against the store would find: the account, with HA1s of
// its digest username for the store's realm, each one right.
void expect_server_accepts(Store& store, const Account& kept, const std::string& password) {
  SCOPED_TRACE("lookup of " + describe(kept));
  const std::optional<Account> found = store.lookup(kept);
  ASSERT_TRUE(found.has_value()) << "the server would not find the account";
  const CredentialNeeds needs = store.needs();
  const std::string& realm = needs.realm.empty() ? kept.domain : needs.realm;
  std::size_t hashes = 0;
  for (const auto& credential : found->credentials) {
    if (credential.is_clear_text()) {
      EXPECT_EQ(credential.value, password);
      continue;
    }
    ++hashes;
    EXPECT_EQ(credential.realm, realm);
    EXPECT_EQ(credential.value, ha1(*credential.hash, kept.digest_username(), realm, password))
        << hash_name(*credential.hash) << " of " << kept.digest_username();
  }
  EXPECT_GT(hashes, 0u) << "no HA1 to check a response against";
  for (HashFunction hash : needs.required) {
    EXPECT_NE(found->hash_for(hash, realm), nullptr) << "required " << hash_name(hash);
  }
  for (const auto& credential : kept.credentials) {
    if (!credential.is_clear_text()) {
      EXPECT_NE(found->hash_for(*credential.hash, realm), nullptr)
          << "written " << hash_name(*credential.hash);
    }
  }
  // The other names the server takes the account under (Kamailio's user@domain, from ha1b):
  // looked up by that name, hashes of that name. A clear-text password written gives at least
  // one; without it, the store may have none to offer.
  const bool clear_written =
      std::any_of(kept.credentials.begin(), kept.credentials.end(),
                  [](const Credential& credential) { return credential.is_clear_text(); });
  for (const OtherDigestUsername& other : store.other_digest_usernames(kept)) {
    SCOPED_TRACE("as " + other.username + " (" + other.where + ")");
    Account as_other = kept;
    as_other.auth_user = other.username;
    const std::optional<Account> other_found = store.lookup(as_other);
    ASSERT_TRUE(other_found.has_value()) << "the server would not find the account";
    std::size_t other_hashes = 0;
    for (const auto& credential : other_found->credentials) {
      if (credential.is_clear_text()) continue;
      ++other_hashes;
      EXPECT_EQ(credential.realm, realm);
      EXPECT_EQ(credential.value, ha1(*credential.hash, other.username, realm, password))
          << hash_name(*credential.hash) << " of " << other.username;
    }
    if (clear_written) {
      EXPECT_GT(other_hashes, 0u) << "no HA1 to check a response against";
    }
  }
}

// The accounts of most cases: clear text, hashes only (all three, or one the single-hash
// stores may not hold), a user-id with a phone, another domain.
std::vector<Sample> samples() {
  return {
      clear("alice", "alice-pw1"),
      hashed("bob", "bob-pw", {HashFunction::Md5, HashFunction::Sha256, HashFunction::Sha512_256}),
      clear("carol", "carol-pw", "carol-desk", "+33612345678"),
      hashed("dave", "dave-pw", {HashFunction::Sha256}),
      clear("erin", "erin-pw", "", "", other_domain)};
}

// Writes the samples the store can hold in one committed run; returns them as kept, with the
// password of each.
std::vector<std::pair<Account, std::string>> commit_samples(Store& store,
                                                            const std::vector<Sample>& all) {
  std::vector<std::pair<Account, std::string>> written;
  auto writer = store.begin_write(OnConflict::Fail);
  for (const auto& sample : all) {
    auto kept = kept_by(store, sample);
    if (!kept) continue;
    Account copy = *kept;
    EXPECT_EQ(writer->write(std::move(copy)), WriteResult::Inserted) << describe(*kept);
    written.emplace_back(std::move(*kept), sample.password);
  }
  EXPECT_EQ(writer->settle().notes.count, 0u);
  writer->commit();
  return written;
}

std::vector<Account> accounts_of(const std::vector<std::pair<Account, std::string>>& written) {
  std::vector<Account> out;
  for (const auto& [account, password] : written) out.push_back(account);
  return out;
}

// The store's accounts, or none when reading says there is no store (no file, no table).
std::map<std::string, Account> read_or_nothing(Store& store) {
  try {
    return read_all(store);
  } catch (const Error&) {
    return {};
  }
}

} // namespace

std::unique_ptr<StoreLocation> temp_file_location(std::string prefix, std::string name) {
  return std::make_unique<TempFileLocation>(std::move(prefix), std::move(name));
}

void StoreConformance::SetUp() {
  m_location = GetParam().location();
  m_location->reset();
}

void StoreConformance::TearDown() { m_location.reset(); }

std::unique_ptr<Store> StoreConformance::open() const {
  StoreOptions options = GetParam().options;
  options.create_schema = true; // a new SQL database gets its tables, as --create-schema does
  return open_store(parse_locator(m_location->locator()), options);
}

namespace {

// Accounts written in one run read back as the store keeps them, no more and no less.
TEST_P(StoreConformance, RoundTrip) {
  auto store = open();
  const auto all = samples();
  // A clear-text password of a plain name: every store can hold it (in another domain, every
  // store that holds more than one).
  kept_or_fail(*store, all[0]);
  if (GetParam().one_domain)
    EXPECT_FALSE(kept_by(*store, all[4])) << "a store of one domain takes another's account";
  else
    kept_or_fail(*store, all[4]);
  const auto written = commit_samples(*store, all);
  ASSERT_GE(written.size(), 2u);

  auto reopened = open();
  EXPECT_EQ(described(read_all(*reopened)), described(accounts_of(written)));
  if (auto hint = reopened->size_hint()) {
    EXPECT_EQ(*hint, written.size());
  }
}

// lookup() finds each account as its server does, with HA1s a client's response matches.
TEST_P(StoreConformance, LookupAsTheServerReadsIt) {
  std::vector<std::pair<Account, std::string>> written;
  {
    auto store = open();
    written = commit_samples(*store, samples());
  }
  auto store = open();
  for (const auto& [account, password] : written) expect_server_accepts(*store, account, password);

  // alice's MD5 HA1 for Flexisip, Kamailio, htdigest...: python3 -c "import hashlib;
  // print(hashlib.md5(b'alice:sip.example.org:alice-pw1').hexdigest())"
  const Account alice = kept_or_fail(*store, samples()[0]);
  const auto found = store->lookup(alice);
  ASSERT_TRUE(found.has_value());
  if (const Credential* md5 = found->hash_for(HashFunction::Md5, domain)) {
    EXPECT_EQ(md5->value, "db05b0332b44d5b2f4c01e4431141bb5");
  }

  Account stranger = alice;
  stranger.user = "mallory";
  EXPECT_FALSE(store->lookup(stranger).has_value()) << "a user never written is found";
  Account elsewhere = alice;
  elsewhere.domain = "elsewhere.example.com";
  EXPECT_FALSE(store->lookup(elsewhere).has_value()) << "alice is found in another domain";
}

// A writer destroyed without commit() leaves the store as it was: the same accounts, and a
// file the same bytes.
TEST_P(StoreConformance, UncommittedWriterLeavesTheStoreUnchanged) {
  const std::string file = location().file();
  {
    auto store = open();
    commit_samples(*store, samples());
  }
  const std::string bytes = file.empty() ? "" : bytes_of(file);
  auto store = open();
  const auto before = described(read_all(*store));
  {
    auto writer = store->begin_write(OnConflict::Replace);
    writer->write(kept_or_fail(*store, clear("alice", "alice-pw2")));
    writer->write(kept_or_fail(*store, clear("frank", "frank-pw")));
    writer->settle();
  }
  if (!file.empty()) {
    EXPECT_EQ(bytes_of(file), bytes);
  }
  EXPECT_EQ(described(read_all(*store)), before);
  store.reset();
  auto reopened = open();
  EXPECT_EQ(described(read_all(*reopened)), before);
  if (!file.empty()) {
    EXPECT_EQ(bytes_of(file), bytes);
  }
}

// The first write of a new store, never committed, leaves no store behind (no file, no
// accounts).
TEST_P(StoreConformance, UncommittedFirstWriteLeavesNothing) {
  {
    auto store = open();
    auto writer = store->begin_write(OnConflict::Fail);
    writer->write(kept_or_fail(*store, clear("alice", "alice-pw1")));
    writer->settle();
  }
  if (!location().file().empty()) {
    EXPECT_FALSE(std::filesystem::exists(location().file()))
        << bytes_of(location().file()) << " was left";
  }
  auto store = open();
  EXPECT_TRUE(read_or_nothing(*store).empty());
}

// A second run over accounts the store has, with the given OnConflict: alice again with a new
// password, and a new account, gina. `alice_after` is the password alice has afterwards.
void second_run(StoreConformance& test, OnConflict on_conflict, WriteResult expected,
                const std::string& alice_after, bool rewrites, const std::string& file) {
  {
    auto store = test.open();
    commit_samples(*store, samples());
  }
  const std::string bytes = file.empty() ? "" : bytes_of(file);
  auto store = test.open();
  const auto before = read_all(*store);
  const Account alice_old = kept_or_fail(*store, samples()[0]);
  ASSERT_TRUE(store->lookup(alice_old).has_value()); // a lookup cache, if any, is filled now

  const Sample alice_new = clear("alice", "alice-pw2");
  const Sample gina = clear("gina", "gina-pw");
  const Account alice_kept = kept_or_fail(*store, alice_new);
  const Account gina_kept = kept_or_fail(*store, gina);
  auto writer = store->begin_write(on_conflict);
  const WriteResult alice_result = writer->write(Account(alice_kept));
  const WriteResult gina_result = writer->write(Account(gina_kept));
  EXPECT_EQ(writer->settle().notes.count, 0u) << "no account repeats in this run";

  if (!rewrites) {
    // A new file only: the run cannot commit over the store, which stays as it was.
    try {
      writer->commit();
      ADD_FAILURE() << "a commit over an existing store of a new-file-only format succeeded";
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), ErrorKind::CannotCreate) << error.what();
    }
    writer.reset();
    if (!file.empty()) {
      EXPECT_EQ(bytes_of(file), bytes);
    }
    EXPECT_EQ(described(read_all(*store)), described(before));
    return;
  }
  EXPECT_EQ(alice_result, expected);
  EXPECT_EQ(gina_result, WriteResult::Inserted);
  writer->commit();
  writer.reset();

  // The same Store object, then a new one: both see what was committed.
  for (int pass = 0; pass < 2; ++pass) {
    SCOPED_TRACE(pass == 0 ? "the writing Store" : "a Store opened afterwards");
    auto after = pass == 0 ? std::move(store) : test.open();
    auto accounts = before;
    const Account& alice = alice_after == alice_new.password ? alice_kept : alice_old;
    accounts[key_of(alice)] = alice;
    accounts[key_of(gina_kept)] = gina_kept;
    EXPECT_EQ(described(read_all(*after)), described(accounts));
    expect_server_accepts(*after, alice, alice_after);
    expect_server_accepts(*after, gina_kept, gina.password);
    store = std::move(after);
  }
}

TEST_P(StoreConformance, OnConflictFailLeavesTheAccountAndWritesTheOthers) {
  second_run(*this, OnConflict::Fail, WriteResult::Conflict, "alice-pw1", GetParam().rewrites,
             location().file());
}

TEST_P(StoreConformance, OnConflictSkipLeavesTheAccountAndWritesTheOthers) {
  second_run(*this, OnConflict::Skip, WriteResult::Skipped, "alice-pw1", GetParam().rewrites,
             location().file());
}

TEST_P(StoreConformance, OnConflictReplaceWritesTheNewCredentials) {
  second_run(*this, OnConflict::Replace, WriteResult::Replaced, "alice-pw2", GetParam().rewrites,
             location().file());
}

// An account a run writes more than once: each write says Inserted, settle() names the
// earlier entries (and their credentials), and the last entry is the one kept, as Flexisip
// uses the last line of a user.
TEST_P(StoreConformance, RepeatedAccountsInOneRunTheLastWins) {
  std::vector<Account> expected;
  {
    auto store = open();
    const Account first = kept_or_fail(*store, clear("alice", "alice-pw1"));
    const Account second = kept_or_fail(*store, clear("alice", "alice-pw2"));
    const Account last = kept_or_fail(*store, clear("alice", "alice-pw3"));
    const Account erin =
        kept_or_fail(*store, GetParam().one_domain ? clear("erin", "erin-pw") : samples()[4]);
    auto writer = store->begin_write(OnConflict::Fail);
    EXPECT_EQ(writer->write(Account(first)), WriteResult::Inserted);
    EXPECT_EQ(writer->write(Account(erin)), WriteResult::Inserted);
    EXPECT_EQ(writer->write(Account(second)), WriteResult::Inserted);
    EXPECT_EQ(writer->write(Account(last)), WriteResult::Inserted);
    const Duplicates duplicates = writer->settle();
    EXPECT_EQ(duplicates.notes.count, 2u);
    EXPECT_EQ(duplicates.earlier, (std::map<std::string, std::size_t>{{first.identity(), 2}}));
    EXPECT_EQ(duplicates.credentials, first.credentials.size() + second.credentials.size());
    writer->commit();
    expected = {last, erin};
  }
  auto store = open();
  EXPECT_EQ(described(read_all(*store)), described(expected));
  expect_server_accepts(*store, expected[0], "alice-pw3");
}

// One user name in two domains is two accounts: neither replaces the other (a store keyed by
// the user alone, or by the user and a fixed realm, would keep one and call it a repeat).
TEST_P(StoreConformance, OneUserInTwoDomainsIsTwoAccounts) {
  std::vector<Account> written;
  if (GetParam().one_domain) {
    auto store = open();
    EXPECT_FALSE(kept_by(*store, clear("alice", "alice-pw9", "", "", other_domain)))
        << "a store of one domain takes another's account";
    return;
  }
  {
    auto store = open();
    const Account here = kept_or_fail(*store, clear("alice", "alice-pw1"));
    const Account there = kept_or_fail(*store, clear("alice", "alice-pw9", "", "", other_domain));
    auto writer = store->begin_write(OnConflict::Fail);
    EXPECT_EQ(writer->write(Account(here)), WriteResult::Inserted);
    EXPECT_EQ(writer->write(Account(there)), WriteResult::Inserted);
    const Duplicates duplicates = writer->settle();
    EXPECT_EQ(duplicates.notes.count, 0u);
    EXPECT_TRUE(duplicates.earlier.empty());
    writer->commit();
    written = {here, there};
  }
  auto store = open();
  EXPECT_EQ(described(read_all(*store)), described(written));
  expect_server_accepts(*store, written[0], "alice-pw1");
  expect_server_accepts(*store, written[1], "alice-pw9");
}

// The same in a run over a store that has accounts already (an SQL store then checks each
// row instead of loading in bulk); a store written as a new file only refuses the run.
TEST_P(StoreConformance, RepeatedAccountsInARunOverExistingAccountsTheLastWins) {
  const std::string file = location().file();
  std::vector<std::pair<Account, std::string>> written;
  {
    auto store = open();
    written = commit_samples(*store, samples());
  }
  const std::string bytes = file.empty() ? "" : bytes_of(file);
  auto store = open();
  const Account first = kept_or_fail(*store, clear("hank", "hank-pw1"));
  const Account last = kept_or_fail(*store, clear("hank", "hank-pw2"));
  auto writer = store->begin_write(OnConflict::Fail);
  EXPECT_EQ(writer->write(Account(first)), WriteResult::Inserted);
  EXPECT_EQ(writer->write(Account(last)), WriteResult::Inserted);
  const Duplicates duplicates = writer->settle();
  EXPECT_EQ(duplicates.earlier, (std::map<std::string, std::size_t>{{first.identity(), 1}}));
  EXPECT_EQ(duplicates.credentials, first.credentials.size());
  if (!GetParam().rewrites) {
    EXPECT_THROW(writer->commit(), Error);
    writer.reset();
    if (!file.empty()) {
      EXPECT_EQ(bytes_of(file), bytes);
    }
    return;
  }
  writer->commit();
  writer.reset();
  auto accounts = accounts_of(written);
  accounts.push_back(last);
  auto reopened = open();
  EXPECT_EQ(described(read_all(*reopened)), described(accounts));
  expect_server_accepts(*reopened, last, "hank-pw2");
}

// Names and passwords some format cannot hold. For each, the store either refuses it
// (refusal() says why, without the password) or holds it: then it reads back exactly as kept,
// the account written beside it too, and the server finds it. A refusal the store forgets
// shows here as an account that comes back different, or breaks the file.
TEST_P(StoreConformance, WhatTheStoreCannotHoldItRefuses) {
  const std::vector<std::pair<std::string, Sample>> cases = {
      {"':' in the user", clear("a:b", "pw-colon")},
      {"'@' in the user", clear("a@b", "pw-at")},
      {"a line end in the user", clear("new\nline", "pw-newline")},
      {"a CR in the user", clear("car\rriage", "pw-cr")},
      {"a NUL in the user", clear(std::string("nul\0byte", 8), "pw-nul")},
      {"a space in the user", clear("with space", "pw-space")},
      {"';' in the user", clear("semi;colon", "pw-semicolon")},
      {"'%' and '/' in the user", clear("100%/x", "pw-percent")},
      {"'[', ']' and '=' in the user", clear("[a]=b", "pw-bracket")},
      {"'#' in the user", clear("#hash", "pw-hash")},
      {"UTF-8 in the user", clear("\xc3\xa9lodie", "pw-utf8")},
      {"bytes that are not UTF-8 in the user", clear("\xff\xfe", "pw-latin")},
      {"no user (a bare domain)", clear("", "pw-domain")},
      {"a 70-byte user", clear(std::string(70, 'u'), "pw-long-user")},
      {"a line end in the password", clear("pwnewline", "pass\nword")},
      {"';' and '\\' in the password", clear("pwsemicolon", "pa;ss\\word")},
      {"'\"' and ',' in the password", clear("pwquote", "pa\"ss,word")},
      {"spaces around the password", clear("pwspaces", " pass word ")},
      {"a 100-byte password", clear("pwlong", std::string(100, 'p'))},
      {"a ':' in the domain (a port)", clear("port", "pw-port", "", "", domain + ":5060")},
      {"a ':' in the user-id", clear("frank", "pw-frank", "fr:ank")},
      {"a space in the phone", clear("phoebe", "pw-phone", "", "+33 6 12")},
  };
  std::vector<std::string> refused;
  for (const auto& [what, sample] : cases) {
    SCOPED_TRACE(what);
    location().reset();
    auto store = open();
    const Conversion conversion = convert_account(sample.account, store->needs());
    const std::string refusal =
        conversion.unconvertible.empty() ? store->refusal(conversion.account) : "";
    if (!conversion.unconvertible.empty() || !refusal.empty()) {
      const std::string& reason = refusal.empty() ? conversion.unconvertible : refusal;
      EXPECT_FALSE(reason.empty());
      EXPECT_EQ(reason.find(sample.password), std::string::npos) << reason;
      refused.push_back(what);
      continue;
    }
    try {
      const Account anchor = kept_or_fail(*store, clear("alice", "alice-pw1"));
      const Account& kept = conversion.account;
      {
        auto writer = store->begin_write(OnConflict::Fail);
        EXPECT_EQ(writer->write(Account(anchor)), WriteResult::Inserted);
        EXPECT_EQ(writer->write(Account(kept)), WriteResult::Inserted);
        EXPECT_EQ(writer->settle().notes.count, 0u);
        writer->commit();
      }
      store.reset();
      auto reopened = open();
      EXPECT_EQ(described(read_all(*reopened)), described(std::vector<Account>{anchor, kept}))
          << "refusal() was empty";
      expect_server_accepts(*reopened, kept, sample.password);
    } catch (const std::exception& error) {
      ADD_FAILURE() << "refusal() was empty, then: " << error.what();
    }
  }
  std::string list;
  for (const auto& what : refused) list += (list.empty() ? "" : "; ") + what;
  RecordProperty("refused", list);
}

// sipcred-user's edits (apply_plan through Store::begin_edit), on every store that takes them:
// an account added logs in as its server reads it, a rotation makes the old password fail, a
// dry run changes nothing, a removal leaves nothing to log in with. A store that cannot be
// edited so refuses the plan before anything is written.
TEST_P(StoreConformance, EditsAsSipcredUserMakesThem) {
  const userdb::Identity alice{"alice", domain};
  const auto add = [](std::string_view password) {
    return userdb::AddPlan{{{"alice", domain}, "", "", password, ""}, {{}, false, ""}};
  };
  const auto rotate = [](std::string_view password) {
    return userdb::RotatePlan{{{"alice", domain}, "", "", password, ""}, {{{}, false, ""}, false}};
  };
  const Account key{"alice", domain, "", "", {}};
  auto store = open();
  if (!store->can_edit()) {
    EXPECT_THROW(check_plan_for(*store, add("")), Error);
    return;
  }
  EXPECT_EQ(apply_plan(*store, add("edit-pw1"), false).result.status, userdb::EditStatus::Done);
  store = open();
  expect_server_accepts(*store, key, "edit-pw1");
  EXPECT_EQ(apply_plan(*store, add("edit-pw9"), false).result.status, userdb::EditStatus::Exists);

  EXPECT_EQ(apply_plan(*store, rotate("edit-pw2"), false).result.rotated, 1u);
  store = open();
  expect_server_accepts(*store, key, "edit-pw2");
  const std::optional<Account> rotated = store->lookup(key);
  ASSERT_TRUE(rotated.has_value());
  const std::string realm = store->needs().realm.empty() ? domain : store->needs().realm;
  for (const Credential& credential : rotated->credentials) {
    if (credential.is_clear_text()) continue;
    EXPECT_NE(credential.value, ha1(*credential.hash, "alice", realm, "edit-pw1"))
        << "the old password still matches " << hash_name(*credential.hash);
  }

  EXPECT_EQ(apply_plan(*store, rotate("edit-pw3"), true).result.rotated, 1u); // a dry run
  store = open();
  expect_server_accepts(*store, key, "edit-pw2");

  const userdb::RemovePlan remove{{alice, {"bob", domain}}};
  EXPECT_EQ(apply_plan(*store, remove, false).result.status, userdb::EditStatus::NotFound);
  store = open();
  EXPECT_TRUE(store->lookup(key).has_value()) << "a remove naming a missing user removed one";
  EXPECT_EQ(apply_plan(*store, userdb::RemovePlan{{alice}}, false).result.removed_lines, 1u);
  store = open();
  EXPECT_FALSE(store->lookup(key).has_value()) << "a removed account is still found";
}

// An import looks up and writes its accounts set by set (StoreEdit::find_all, put_all): the
// result must be what one edit per account makes, reported in the list's order.
TEST_P(StoreConformance, ImportAddsAndRotatesAsOneEditPerAccountWould) {
  const auto change = [](const char* user, std::string_view password) {
    return userdb::AccountChange{{user, domain}, "", "", password, ""};
  };
  const auto account = [](const char* user) { return Account{user, domain, "", "", {}}; };
  auto store = open();
  if (!store->can_edit()) return;
  for (const auto& [user, password] : {std::pair{"alice", "imp-a0"}, {"carol", "imp-c0"}})
    ASSERT_EQ(apply_plan(*store, userdb::AddPlan{change(user, password), {{}, false, ""}}, false)
                  .result.status,
              userdb::EditStatus::Done);
  const userdb::ImportPlan plan{
      {change("zed", "imp-z1"), change("alice", "imp-a1"), change("bob", "imp-b1")},
      {{{}, false, ""}, false}};
  const AccountEditOutcome dry = apply_plan(*store, plan, true);
  EXPECT_EQ(dry.result.added, 2u);
  EXPECT_EQ(dry.result.rotated, 1u);
  store = open();
  EXPECT_FALSE(store->lookup(account("zed")).has_value()) << "a dry run added an account";
  expect_server_accepts(*store, account("alice"), "imp-a0");

  const AccountEditOutcome outcome = apply_plan(*store, plan, false);
  EXPECT_EQ(outcome.result.added, 2u);
  EXPECT_EQ(outcome.result.rotated, 1u);
  ASSERT_EQ(outcome.changes.size(), 3u);
  const std::pair<const char*, AccountChangeMade::Kind> expected[] = {
      {"zed", AccountChangeMade::Kind::Added},
      {"alice", AccountChangeMade::Kind::Rotated},
      {"bob", AccountChangeMade::Kind::Added}};
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(outcome.changes[i].identity, std::string(expected[i].first) + "@" + domain);
    EXPECT_EQ(outcome.changes[i].kind, expected[i].second) << expected[i].first;
  }
  store = open();
  expect_server_accepts(*store, account("zed"), "imp-z1");
  expect_server_accepts(*store, account("alice"), "imp-a1");
  expect_server_accepts(*store, account("bob"), "imp-b1");
  expect_server_accepts(*store, account("carol"), "imp-c0");

  // Every account there now: all rotated, and the hashes of the old passwords gone.
  const userdb::ImportPlan again{
      {change("bob", "imp-b2"), change("zed", "imp-z2"), change("alice", "imp-a2")},
      {{{}, false, ""}, false}};
  EXPECT_EQ(apply_plan(*store, again, false).result.rotated, 3u);
  store = open();
  const std::string realm = store->needs().realm.empty() ? domain : store->needs().realm;
  const std::tuple<const char*, const char*, const char*> rotated[] = {
      {"bob", "imp-b2", "imp-b1"}, {"zed", "imp-z2", "imp-z1"}, {"alice", "imp-a2", "imp-a1"}};
  for (const auto& [user, password, old] : rotated) {
    expect_server_accepts(*store, account(user), password);
    const std::optional<Account> found = store->lookup(account(user));
    ASSERT_TRUE(found.has_value());
    for (const Credential& credential : found->credentials) {
      if (credential.is_clear_text()) continue;
      EXPECT_NE(credential.value, ha1(*credential.hash, user, realm, old))
          << user << ": the old password still matches";
    }
  }
}

} // namespace

} // namespace sipcred::test
