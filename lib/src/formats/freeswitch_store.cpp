#include "formats/freeswitch_store.hpp"

#include "formats/freeswitch_xml.hpp"
#include "sipcred/formats/formats.hpp"
#include "sipcred/util/atomic_file.hpp"
#include "sipcred/util/error.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>
#include <unordered_map>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sipcred {
namespace {

namespace fs = std::filesystem;
using freeswitch::Document;
using freeswitch::Problem;
using freeswitch::User;

std::string key_of(const std::string& user, const std::string& domain) {
  return user + '\0' + domain;
}

bool is_lowercase_md5(const std::string& hex) {
  return hex.size() == 32 && hex.find_first_not_of("0123456789abcdef") == std::string::npos;
}

bool names_directory(const std::string& path) {
  std::error_code error;
  if (fs::exists(path, error)) return fs::is_directory(path, error);
  return !path.ends_with(".xml");
}

// The account of `user` as sofia authenticates it. Credentials sofia could not use as sipcred
// would copy them are left out, each with a problem for a reader that refuses them (read());
// an edit replaces them.
Account account_of(const User& user, const std::string& name, const StoreOptions& options,
                   std::vector<Problem>& problems) {
  Account account;
  account.user = user.id;
  account.domain = user.domain.empty() ? options.realm : user.domain;
  account.line = user.line;
  if (user.id.empty()) problems.push_back({user.line, 0, "a <user> without an id"});
  if (account.domain.empty())
    throw Error(ErrorKind::Usage, name + ":" + std::to_string(user.line) + ": user " + user.id +
                                      " is in no <domain> the file names (a user file of "
                                      "conf/directory/, or a domain named $${domain}): give its "
                                      "domain with --realm DOMAIN");
  const std::string& realm = options.realm.empty() ? account.domain : options.realm;
  if (user.password) {
    if (user.password->find("$${") != std::string::npos)
      problems.push_back({user.line, 0,
                          "the password of " + user.id +
                              " is a preprocessor variable ($${...}), which sipcred does not "
                              "expand: write the password itself"});
    else if (!user.password->empty())
      account.credentials.push_back({std::nullopt, *user.password, ""});
    else if (!user.a1_hash)
      problems.push_back(
          {user.line, 0, user.id + " has an empty password: sofia lets anyone register as them"});
  }
  if (user.a1_hash) {
    if (is_lowercase_md5(*user.a1_hash))
      account.credentials.push_back({HashFunction::Md5, *user.a1_hash, realm});
    else
      problems.push_back({user.a1_hash_line, 0,
                          "the a1-hash of " + user.id +
                              " is not 32 lowercase hex digits: sofia puts it into the digest "
                              "as it is written, so no client's response would match"});
  }
  return account;
}

Diagnostic diagnostic_of(const Problem& problem) {
  return {"SC211", Severity::Error, problem.line, problem.column, problem.message};
}

// An advisory lock on a directory, as AtomicFile takes one on a file: sipcred's writers of a
// FreeSWITCH directory wait for each other (a bounded time) instead of mixing their changes.
class DirectoryLock {
public:
  explicit DirectoryLock(const fs::path& path) {
    m_fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (m_fd < 0)
      throw Error(ErrorKind::NoInput, path.string() + ": cannot open: " + std::strerror(errno));
    const auto deadline = std::chrono::steady_clock::now() + AtomicFile::default_lock_timeout;
    while (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK && errno != EINTR)
        throw Error(ErrorKind::Io, path.string() + ": cannot lock: " + std::strerror(errno));
      if (std::chrono::steady_clock::now() >= deadline)
        throw Error(ErrorKind::TempFail, path.string() + ": locked by another writer; gave up");
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  ~DirectoryLock() { ::close(m_fd); }
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

private:
  int m_fd = -1;
};

// The XML files of a directory as FreeSWITCH's X-PRE-PROCESS include of DIR/*.xml takes them
// (a glob: no hidden files, and so none of AtomicFile's temporary files), in name order.
std::vector<fs::path> directory_files(const fs::path& directory) {
  std::vector<fs::path> files;
  std::error_code error;
  fs::directory_iterator entries(directory, error);
  if (error)
    throw Error(ErrorKind::NoInput, directory.string() + ": cannot read: " + error.message());
  for (const auto& entry : entries) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(".") || !name.ends_with(".xml")) continue;
    if (entry.is_regular_file(error)) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// A file's content, refused unread when larger than the parser takes.
std::string bounded_content(const fs::path& path) {
  std::error_code error;
  const auto size = fs::file_size(path, error);
  if (!error) freeswitch::check_size(size, path.string());
  return read_file(path);
}

void sync_directory(const fs::path& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const bool synced = fd >= 0 && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  if (!synced)
    throw Error(ErrorKind::Io, directory.string() + ": cannot sync: " + std::strerror(errno));
}

// The store's files as one edit sees them: every user indexed (the first of a name winning, as
// FreeSWITCH finds the first), changes made in the trees, and written on commit().
class Workspace {
public:
  Workspace(const std::string& path, bool directory, const StoreOptions& options)
      : m_path(path), m_directory(directory), m_options(options) {
    std::error_code error;
    if (m_directory) {
      if (fs::exists(m_path, error)) {
        m_directory_lock = std::make_unique<DirectoryLock>(m_path);
        for (const fs::path& file : directory_files(m_path))
          load(file, Document::parse(bounded_content(file), file.string()));
      }
    } else if (fs::exists(m_path, error)) {
      bounded_content(m_path); // the size check, before the lock
      m_file_lock = std::make_unique<AtomicFile>(m_path);
      load(m_path, Document::parse(m_file_lock->read(), m_path.string()));
    } else {
      m_files.push_back({m_path, Document::new_directory(), false});
    }
  }

  std::optional<Account> find(const std::string& user, const std::string& domain) const {
    const auto found = m_index.find(key_of(user, domain));
    if (found == m_index.end()) return std::nullopt;
    std::vector<Problem> ignored; // an edit replaces what sofia could not use
    return account_of(found->second.user, m_files[found->second.file].path.string(), m_options,
                      ignored);
  }

  bool has(const std::string& key) const { return m_index.count(key) > 0; }

  void put(const Account& account) {
    if (m_directory && account.domain != m_options.realm)
      throw Error(ErrorKind::Usage, account.identity() + ": not of " + m_options.realm +
                                        ", the domain of the directory's users (--realm)");
    std::optional<std::string> password, a1_hash;
    if (const Credential* clear = account.clear_text()) password = clear->value;
    for (const Credential& credential : account.credentials)
      if (credential.hash == HashFunction::Md5) a1_hash = credential.value;
    const std::string key = key_of(account.user, account.domain);
    auto found = m_index.find(key);
    if (found == m_index.end()) {
      const std::size_t file = file_for(account.user);
      User user;
      user.node = m_files[file].doc.add_user(account.domain, m_options.realm, account.user);
      user.id = account.user;
      user.domain = account.domain;
      found = m_index.emplace(key, Entry{file, std::move(user)}).first;
    }
    Entry& entry = found->second;
    m_files[entry.file].doc.set_credentials(entry.user.node, password, a1_hash);
    m_files[entry.file].changed = true;
    entry.user.password = password;
    entry.user.a1_hash = a1_hash;
  }

  bool remove(const std::string& user, const std::string& domain) {
    const auto found = m_index.find(key_of(user, domain));
    if (found == m_index.end()) return false;
    File& file = m_files[found->second.file];
    // A directory's file of this user alone goes with it; otherwise the <user> element does.
    if (m_directory && file.doc.users().size() == 1)
      file.removed = true;
    else
      file.doc.remove_user(found->second.user.node);
    file.changed = true;
    m_index.erase(found);
    return true;
  }

  // Every changed file is made whole before the first is written: a file that cannot be
  // written as XML stops the commit with nothing changed.
  void commit() {
    std::vector<std::pair<File*, std::string>> writes;
    for (File& file : m_files)
      if (file.changed) writes.emplace_back(&file, file.removed ? "" : file.doc.text());
    if (m_directory && !writes.empty() && ::mkdir(m_path.c_str(), 0700) != 0 && errno != EEXIST)
      throw Error(ErrorKind::CannotCreate,
                  m_path.string() + ": cannot create: " + std::strerror(errno));
    bool unlinked = false;
    for (auto& [file, text] : writes) {
      if (file->removed) {
        if (file->exists && ::unlink(file->path.c_str()) != 0)
          throw Error(ErrorKind::CannotCreate,
                      file->path.string() + ": cannot remove: " + std::strerror(errno));
        unlinked = true;
      } else if (!file->exists) {
        AtomicFile::create(file->path, text);
      } else if (m_file_lock) {
        m_file_lock->replace(text);
      } else {
        AtomicFile(file->path).replace(text);
      }
      file->exists = !file->removed;
      file->changed = false;
    }
    if (unlinked) sync_directory(m_path);
  }

private:
  struct File {
    fs::path path;
    Document doc;
    bool exists = true;
    bool changed = false;
    bool removed = false;
  };
  struct Entry {
    std::size_t file;
    User user;
  };

  void load(const fs::path& path, Document doc) {
    m_files.push_back({path, std::move(doc)});
    const std::size_t file = m_files.size() - 1;
    for (User& user : m_files[file].doc.users()) {
      std::vector<Problem> ignored;
      const Account account = account_of(user, path.string(), m_options, ignored);
      m_index.try_emplace(key_of(account.user, account.domain), Entry{file, std::move(user)});
    }
  }

  // The file a new user goes into: the file, or the directory's ID.xml.
  std::size_t file_for(const std::string& user) {
    if (!m_directory) return 0;
    const fs::path path = m_path / (user + ".xml");
    for (std::size_t i = 0; i < m_files.size(); ++i)
      if (m_files[i].path == path && !m_files[i].removed) return i;
    m_files.push_back({path, Document::new_include(), false});
    return m_files.size() - 1;
  }

  fs::path m_path;
  bool m_directory;
  StoreOptions m_options;
  std::unique_ptr<DirectoryLock> m_directory_lock;
  std::unique_ptr<AtomicFile> m_file_lock;
  std::vector<File> m_files;
  std::unordered_map<std::string, Entry> m_index;
};

class Writer : public StoreWriter {
public:
  Writer(std::unique_ptr<Workspace> workspace, OnConflict on_conflict)
      : m_workspace(std::move(workspace)), m_on_conflict(on_conflict) {}

  WriteResult write(Account&& account) override {
    const std::string key = key_of(account.user, account.domain);
    if (const auto earlier = m_written.find(key); earlier != m_written.end()) {
      m_duplicates.add(account.identity(), earlier->second);
      earlier->second = account.credentials.size();
      m_workspace->put(account);
      return WriteResult::Inserted;
    }
    const bool existed = m_workspace->has(key);
    if (existed && m_on_conflict == OnConflict::Fail) return WriteResult::Conflict;
    if (existed && m_on_conflict == OnConflict::Skip) return WriteResult::Skipped;
    m_workspace->put(account);
    m_written.emplace(key, account.credentials.size());
    return existed ? WriteResult::Replaced : WriteResult::Inserted;
  }

  Duplicates settle() override { return std::move(m_duplicates); }
  void commit() override { m_workspace->commit(); }

private:
  std::unique_ptr<Workspace> m_workspace;
  OnConflict m_on_conflict;
  std::unordered_map<std::string, std::size_t> m_written; // key -> credentials of the last
  Duplicates m_duplicates;
};

class Edit : public StoreEdit {
public:
  explicit Edit(std::unique_ptr<Workspace> workspace) : m_workspace(std::move(workspace)) {}

  std::optional<Account> find(const std::string& user, const std::string& domain) override {
    return m_workspace->find(user, domain);
  }
  void put(const Account& account, std::string_view) override { m_workspace->put(account); }
  bool remove(const std::string& user, const std::string& domain) override {
    return m_workspace->remove(user, domain);
  }
  void commit() override { m_workspace->commit(); }

private:
  std::unique_ptr<Workspace> m_workspace;
};

class FreeswitchStore : public Store {
public:
  FreeswitchStore(const Locator& locator, const StoreOptions& options)
      : m_locator(locator), m_options(options), m_directory(names_directory(locator.path)) {
    if (m_directory && options.realm.empty())
      throw Error(ErrorKind::Usage, m_locator.display() +
                                        ": the user files of a FreeSWITCH directory do not name "
                                        "their domain: give it with --realm DOMAIN");
  }

  // sofia hashes the password with MD5 itself, or uses the a1-hash as it is: clear text serves
  // alone, and an MD5 HA1 without it (RFC 8760 algorithms need the password).
  CredentialNeeds needs() const override {
    CredentialNeeds needs;
    needs.hashes = {HashFunction::Md5};
    needs.realm = m_options.realm;
    return needs;
  }

  std::string refusal(const Account& account) const override {
    if (std::string refused = formats::freeswitch_refusal(account, m_directory); !refused.empty())
      return refused;
    if (m_directory && account.domain != m_options.realm)
      return "a directory of FreeSWITCH user files holds the users of one domain, " +
             m_options.realm + " (--realm)";
    return {};
  }

  // One file at a time; a file with problems throws once its accounts are given (a writer
  // given them rolls back).
  void read(const std::function<void(Account&&)>& visit) override {
    std::unordered_map<std::string, std::pair<std::string, std::size_t>> seen; // key -> place
    const auto read_one = [&](const fs::path& path) {
      const std::string name = path.string();
      const Document doc = Document::parse(bounded_content(path), name);
      std::vector<Problem> problems;
      for (const User& user : doc.users(&problems)) {
        Account account = account_of(user, name, m_options, problems);
        const auto [earlier, first] =
            seen.try_emplace(key_of(account.user, account.domain), name, user.line);
        if (!first) {
          problems.push_back({user.line, 0,
                              account.identity() + " again: FreeSWITCH uses the first, at " +
                                  earlier->second.first + ":" +
                                  std::to_string(earlier->second.second)});
          continue;
        }
        visit(std::move(account));
      }
      if (!problems.empty()) {
        std::vector<Diagnostic> diagnostics;
        for (const Problem& problem : problems) diagnostics.push_back(diagnostic_of(problem));
        throw InvalidStoreData(name, std::move(diagnostics));
      }
    };
    if (!m_directory) return read_one(m_locator.path);
    std::error_code error;
    if (!fs::is_directory(m_locator.path, error))
      throw Error(ErrorKind::NoInput, m_locator.path + ": no such directory");
    for (const fs::path& file : directory_files(m_locator.path)) read_one(file);
  }

  std::unique_ptr<StoreWriter> begin_write(OnConflict on_conflict) override {
    m_index.reset();
    return std::make_unique<Writer>(workspace(), on_conflict);
  }

  bool can_edit() const override { return true; }
  std::unique_ptr<StoreEdit> begin_edit() override {
    m_index.reset();
    return std::make_unique<Edit>(workspace());
  }

  // As sofia_reg_parse_auth: the user by id in the domain, its a1-hash as it is, else MD5 of
  // the password.
  std::optional<Account> lookup(const Account& account) override {
    if (!m_index) {
      m_index.emplace();
      read([this](Account&& found) {
        std::string key = key_of(found.user, found.domain);
        m_index->emplace(std::move(key), std::move(found));
      });
    }
    const auto found = m_index->find(key_of(account.user, account.domain));
    if (found == m_index->end()) return std::nullopt;
    Account as_used = found->second;
    const std::string& realm = m_options.realm.empty() ? as_used.domain : m_options.realm;
    if (const Credential* clear = as_used.clear_text();
        clear && !as_used.hash_for(HashFunction::Md5, realm)) {
      const std::string password = clear->value;
      as_used.credentials.push_back(
          {HashFunction::Md5, ha1(HashFunction::Md5, as_used.user, realm, password), realm});
    }
    return as_used;
  }

private:
  std::unique_ptr<Workspace> workspace() const {
    return std::make_unique<Workspace>(m_locator.path, m_directory, m_options);
  }

  Locator m_locator;
  StoreOptions m_options;
  bool m_directory;
  std::optional<std::unordered_map<std::string, Account>> m_index;
};

} // namespace

std::unique_ptr<Store> open_freeswitch_store(const Locator& locator, const StoreOptions& options) {
  return std::make_unique<FreeswitchStore>(locator, options);
}

} // namespace sipcred
