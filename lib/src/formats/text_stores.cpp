#include "formats/text_stores.hpp"

#include "sipcred/config/pjsip_config.hpp"
#include "sipcred/formats/formats.hpp"
#include "sipcred/formats/import_list.hpp"
#include "sipcred/formats/pjsip_auth.hpp"
#include "sipcred/userdb/userdb.hpp"
#include "sipcred/util/atomic_file.hpp"
#include "sipcred/util/error.hpp"
#include "util/text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <unordered_map>

namespace sipcred {

namespace {

std::vector<std::string_view> lines_of(std::string_view content) {
  std::vector<std::string_view> lines;
  while (!content.empty()) {
    auto end = content.find('\n');
    lines.push_back(content.substr(0, end));
    content.remove_prefix(end == std::string_view::npos ? content.size() : end + 1);
  }
  return lines;
}

Diagnostic problem(std::size_t line, std::size_t column, std::string message) {
  return {"SC210", Severity::Error, line, column, std::move(message)};
}

// The format of one kind of file: how to read it whole, and how to write one account.
class TextFormat {
public:
  virtual ~TextFormat() = default;
  virtual CredentialNeeds needs(const StoreOptions& options) const = 0;
  virtual std::vector<Account> parse(std::string_view content,
                                     std::vector<Diagnostic>& problems) const = 0;
  virtual std::string header() const { return {}; }
  // Why the file cannot hold the (converted) account, or "" (formats.hpp).
  virtual std::string refusal(const Account& account, const StoreOptions& options) const = 0;
  // What names one account in the file: a later one with the same key replaces it.
  virtual std::string key(const Account& account, const StoreOptions& options) const = 0;
  virtual std::string format(const Account& account, const StoreOptions& options) const = 0;

protected:
  static const std::string& realm_of(const Account& account, const StoreOptions& options) {
    return options.realm.empty() ? account.domain : options.realm;
  }
};

// Apache htdigest: user:realm:MD5(user:realm:password). The realm stands for the domain.
class Htdigest : public TextFormat {
public:
  CredentialNeeds needs(const StoreOptions& options) const override {
    CredentialNeeds needs;
    needs.clear_text = false;
    needs.hashes = {HashFunction::Md5};
    needs.required = {HashFunction::Md5};
    needs.realm = options.realm;
    return needs;
  }

  std::vector<Account> parse(std::string_view content,
                             std::vector<Diagnostic>& problems) const override {
    std::vector<Account> accounts;
    std::size_t number = 0;
    for (auto line : lines_of(content)) {
      ++number;
      line = trim(trim_end(line, " \t\r"));
      if (line.empty()) {
        continue;
      }
      auto first = line.find(':');
      auto second = first == std::string_view::npos ? first : line.find(':', first + 1);
      if (second == std::string_view::npos) {
        problems.push_back(problem(number, 1, "expected user:realm:md5hex"));
        continue;
      }
      std::string_view hex = line.substr(second + 1);
      if (hex.size() != 32 || hex.find_first_not_of("0123456789abcdefABCDEF") != hex.npos) {
        problems.push_back(problem(number, second + 2, "expected 32 hex digits (an MD5 HA1)"));
        continue;
      }
      std::string realm(line.substr(first + 1, second - first - 1));
      accounts.push_back({std::string(line.substr(0, first)),
                          realm,
                          "",
                          "",
                          {{HashFunction::Md5, ascii_lowercase(hex), realm}},
                          number});
    }
    return accounts;
  }

  std::string refusal(const Account& account, const StoreOptions& options) const override {
    return formats::htdigest_refusal(account.digest_username(), realm_of(account, options));
  }

  std::string key(const Account& account, const StoreOptions& options) const override {
    return account.digest_username() + ':' + realm_of(account, options);
  }

  std::string format(const Account& account, const StoreOptions& options) const override {
    return formats::htdigest_line(account.digest_username(), realm_of(account, options),
                                  account.credentials.front().value);
  }
};

// Asterisk pjsip.conf `type=auth` sections: auth objects (pjsip_auth.hpp) in a config file.
class Pjsip : public TextFormat {
public:
  CredentialNeeds needs(const StoreOptions& options) const override {
    return formats::pjsip_credential_needs(options.realm);
  }

  // Objects as Asterisk loads them: `type=auth` sections, templates applied, the last value of
  // a key winning (password_digest may repeat, one per algorithm).
  std::vector<Account> parse(std::string_view content,
                             std::vector<Diagnostic>& problems) const override {
    const auto config = config::PjsipConfig::parse(content, problems);
    std::vector<Account> accounts;
    for (const auto& section : config.sections()) {
      if (section.is_template) {
        continue;
      }
      std::map<std::string, std::vector<std::string>> values;
      for (const auto& entry : config.effective_entries(section)) {
        values[ascii_lowercase(entry.key)].push_back(entry.value);
      }
      auto get = [&](const std::string& key) {
        auto found = values.find(key);
        return found == values.end() ? std::string() : found->second.back();
      };
      if (ascii_lowercase(get("type")) != "auth") {
        continue;
      }
      const formats::PjsipAuth auth{get("auth_type"),
                                    get("username"),
                                    get("realm"),
                                    get("password"),
                                    get("md5_cred"),
                                    values["password_digest"],
                                    get("supported_algorithms_uas"),
                                    get("supported_algorithms_uac")};
      formats::PjsipAuthLoad load = formats::load_pjsip_auth(auth);
      if (!load.problem.empty()) {
        problems.push_back(problem(section.position.line, section.position.column,
                                   "auth section [" + section.name + "] has " + load.problem +
                                       ": Asterisk refuses to load it"));
      } else if (load.account) {
        accounts.push_back(std::move(*load.account));
      }
    }
    return accounts;
  }

  std::string refusal(const Account& account, const StoreOptions& options) const override {
    return formats::pjsip_refusal(account, realm_of(account, options));
  }

  std::string key(const Account& account, const StoreOptions&) const override {
    return account.identity(); // the section name
  }

  // username= is what Asterisk compares with the digest username a client sends.
  std::string format(const Account& account, const StoreOptions& options) const override {
    const formats::PjsipAuth auth = formats::pjsip_auth_of(account, realm_of(account, options));
    std::string text = "[" + account.identity() + "]\ntype=auth\nauth_type=digest\nusername=" +
                       formats::pjsip_escape(auth.username) +
                       "\nrealm=" + formats::pjsip_escape(auth.realm) + "\n";
    if (!auth.password.empty()) text += "password=" + formats::pjsip_escape(auth.password) + "\n";
    for (const std::string& digest : auth.password_digests)
      text += "password_digest=" + digest + "\n";
    if (!auth.supported_algorithms_uas.empty())
      text += "supported_algorithms_uas=" + auth.supported_algorithms_uas + "\n";
    if (!auth.supported_algorithms_uac.empty())
      text += "supported_algorithms_uac=" + auth.supported_algorithms_uac + "\n";
    return text + "\n";
  }
};

// The identity as a userdb writes it (the user URL-escaped), so that the list reads back.
std::string escaped_identity(const Account& account) {
  return account.user.empty() ? account.domain
                              : userdb::url_escape(account.user) + "@" + account.domain;
}

// identity,password[,auth_user,phone] (sipcred-user import's lists): clear text only.
class ImportList : public TextFormat {
public:
  explicit ImportList(ImportFormat format) : m_format(format) {}

  CredentialNeeds needs(const StoreOptions& options) const override {
    CredentialNeeds needs;
    needs.realm = options.realm;
    needs.keeps_auth_user = true;
    needs.keeps_phone = true;
    return needs;
  }

  std::vector<Account> parse(std::string_view content,
                             std::vector<Diagnostic>& problems) const override {
    std::vector<Account> accounts;
    for (auto& record : read_import_list(content, m_format, problems)) {
      auto at = record.identity.find('@');
      Account account;
      account.user =
          at == std::string::npos ? "" : userdb::url_unescape(record.identity.substr(0, at));
      account.domain = at == std::string::npos ? record.identity : record.identity.substr(at + 1);
      account.auth_user = userdb::url_unescape(record.auth_user);
      account.phone = record.phone;
      if (!record.password.empty()) {
        account.credentials.push_back({std::nullopt, record.password, ""});
      }
      accounts.push_back(std::move(account));
    }
    return accounts;
  }

  std::string header() const override {
    return m_format == ImportFormat::Csv ? "identity,password,auth_user,phone\n" : "";
  }

  std::string refusal(const Account& account, const StoreOptions&) const override {
    return formats::userdb_refusal(account);
  }

  // Flexisip keeps one account per user-id.
  std::string key(const Account& account, const StoreOptions&) const override {
    return account.identity() + '\0' + account.auth_user;
  }

  std::string format(const Account& account, const StoreOptions&) const override {
    const std::string& password = account.credentials.front().value;
    if (m_format == ImportFormat::JsonLines) {
      nlohmann::json record = {{"identity", escaped_identity(account)}, {"password", password}};
      if (!account.auth_user.empty()) {
        record["auth_user"] = userdb::url_escape(account.auth_user);
      }
      if (!account.phone.empty()) {
        record["phone"] = account.phone;
      }
      return record.dump() + "\n";
    }
    auto field = [](const std::string& text) {
      if (text.find_first_of(",\"\r\n") == std::string::npos) {
        return text;
      }
      std::string quoted = "\"";
      for (char c : text) {
        quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
      }
      return quoted + "\"";
    };
    return field(escaped_identity(account)) + "," + field(password) + "," +
           field(userdb::url_escape(account.auth_user)) + "," + field(account.phone) + "\n";
  }

private:
  ImportFormat m_format;
};

// The file is new, so only SOURCE can repeat an account: the last entry wins, as in Flexisip.
// Entries are kept formatted until commit, so that a later one can take an earlier one's place.
class TextWriter : public StoreWriter {
public:
  TextWriter(const std::string& path, const TextFormat& format, const StoreOptions& options)
      : m_file(AtomicFile::begin_create(path)), m_path(path), m_format(format), m_options(options) {
  }

  WriteResult write(Account&& account) override {
    std::string text = m_format.format(account, m_options);
    const auto [found, added] =
        m_places.try_emplace(m_format.key(account, m_options), m_entries.size());
    if (added) {
      m_entries.push_back({std::move(text), account.credentials.size(), account.identity()});
      return WriteResult::Inserted;
    }
    Entry& earlier = m_entries[found->second];
    // Two accounts of SOURCE that the format would keep as one entry (alice@a and alice@b
    // into one htdigest realm): keeping the last would lose the other's password.
    if (earlier.identity != account.identity())
      throw Error(ErrorKind::DataError, earlier.identity + " and " + account.identity() +
                                            " would be one entry of " + m_path + " ('" +
                                            found->first +
                                            "'): nothing was written (give each "
                                            "domain a file of its own, or leave out --realm)");
    m_duplicates.add(account.identity(), earlier.credentials);
    earlier = {std::move(text), account.credentials.size(), account.identity()};
    return WriteResult::Inserted;
  }

  Duplicates settle() override { return std::move(m_duplicates); }

  void commit() override {
    m_file.write(m_format.header());
    for (const Entry& entry : m_entries) m_file.write(entry.text);
    m_file.commit();
  }

private:
  struct Entry {
    std::string text;
    std::size_t credentials;
    std::string identity; // of the account it holds
  };
  PendingFile m_file;
  std::string m_path;
  const TextFormat& m_format;
  StoreOptions m_options;
  std::vector<Entry> m_entries;                          // in the order first written
  std::unordered_map<std::string, std::size_t> m_places; // key -> index in m_entries
  Duplicates m_duplicates;
};

class TextStore : public Store {
public:
  TextStore(const Locator& locator, const StoreOptions& options, std::unique_ptr<TextFormat> format)
      : m_locator(locator), m_options(options), m_format(std::move(format)) {}

  CredentialNeeds needs() const override { return m_format->needs(m_options); }

  std::string refusal(const Account& account) const override {
    return m_format->refusal(account, m_options);
  }

  void read(const std::function<void(Account&&)>& visit) override {
    std::vector<Diagnostic> problems;
    auto accounts = m_format->parse(read_file(m_locator.path), problems);
    if (!problems.empty()) {
      throw InvalidStoreData(m_locator.path, std::move(problems));
    }
    for (auto& account : accounts) {
      visit(std::move(account));
    }
  }

  // The file is new (begin_create): no account of it can conflict.
  std::unique_ptr<StoreWriter> begin_write(OnConflict) override {
    m_index.reset();
    return std::make_unique<TextWriter>(m_locator.path, *m_format, m_options);
  }

  std::optional<Account> lookup(const Account& account) override {
    if (!m_index) {
      m_index.emplace();
      read([this](Account&& found) {
        std::string key = found.user + '\0' + found.domain;
        m_index->insert_or_assign(std::move(key), std::move(found));
      });
    }
    const std::string& realm = m_options.realm.empty() ? account.domain : m_options.realm;
    // htdigest and pjsip name the realm, not the domain: look the account up by its realm.
    auto found = m_index->find(account.user + '\0' + account.domain);
    if (found == m_index->end()) {
      found = m_index->find(account.user + '\0' + realm);
    }
    if (found == m_index->end()) {
      return std::nullopt;
    }
    Account as_used = found->second;
    if (const Credential* clear = as_used.clear_text()) {
      std::string password = clear->value;
      for (HashFunction hash : all_hash_functions) {
        as_used.credentials.push_back(
            {hash, ha1(hash, as_used.digest_username(), realm, password), realm});
      }
    }
    return as_used;
  }

private:
  Locator m_locator;
  StoreOptions m_options;
  std::unique_ptr<TextFormat> m_format;
  std::optional<std::unordered_map<std::string, Account>> m_index;
};

} // namespace

std::unique_ptr<Store> open_text_store(const Locator& locator, const StoreOptions& options) {
  std::unique_ptr<TextFormat> format;
  switch (locator.kind) {
  case StoreKind::Htdigest: format = std::make_unique<Htdigest>(); break;
  case StoreKind::Pjsip: format = std::make_unique<Pjsip>(); break;
  case StoreKind::Csv: format = std::make_unique<ImportList>(ImportFormat::Csv); break;
  case StoreKind::JsonLines: format = std::make_unique<ImportList>(ImportFormat::JsonLines); break;
  default: throw Error(ErrorKind::Internal, "not a text store");
  }
  return std::make_unique<TextStore>(locator, options, std::move(format));
}

} // namespace sipcred
