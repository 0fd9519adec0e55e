#include "sql_store.hpp"

#include "database_error.hpp"
#include "flexisip_copy_loader.hpp"
#include "flexisip_sqlite_loader.hpp"
#include "mysql_error.hpp"
#include "sipcred/util/error.hpp"
#include "sql_schema.hpp"
#include "sqlite_deferred_indexes.hpp"
#include "sqlite_statement.hpp"
#include "util/text.hpp"

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <sstream>
#include <utility>

// The backends are linked in (see lib/CMakeLists.txt); their headers need the client libraries'
// headers, so only their factories are declared here.
namespace soci {
extern "C" {
backend_factory const* factory_sqlite3();
backend_factory const* factory_postgresql();
backend_factory const* factory_mysql();
}
} // namespace soci

namespace sipcred {

namespace {

constexpr long long page_size = 1000; // accounts read per query: memory stays bounded

Dialect dialect_of(const std::string& backend) {
  if (backend == "sqlite3") {
    return Dialect::Sqlite;
  }
  return backend == "postgresql" ? Dialect::Postgresql : Dialect::Mysql;
}

// key=value pairs of a SOCI connection string (values may be 'quoted').
std::map<std::string, std::string> connection_parameters(const std::string& connection) {
  std::map<std::string, std::string> parameters;
  std::size_t at = 0;
  while (at < connection.size()) {
    while (at < connection.size() && connection[at] == ' ') {
      ++at;
    }
    auto equals = connection.find('=', at);
    if (equals == std::string::npos) {
      break;
    }
    std::string key = connection.substr(at, equals - at);
    std::string value;
    at = equals + 1;
    if (at < connection.size() && connection[at] == '\'') {
      auto end = connection.find('\'', at + 1);
      value = connection.substr(at + 1, end == std::string::npos ? end : end - at - 1);
      at = end == std::string::npos ? connection.size() : end + 1;
    } else {
      auto end = connection.find(' ', at);
      value = connection.substr(at, end == std::string::npos ? end : end - at);
      at = end == std::string::npos ? connection.size() : end;
    }
    parameters[key] = value;
  }
  return parameters;
}

std::string sqlite_path(const std::string& connection) {
  if (connection.find('=') == std::string::npos) {
    return connection;
  }
  auto parameters = connection_parameters(connection);
  auto db = parameters.find("db");
  if (db == parameters.end()) {
    db = parameters.find("dbname");
  }
  if (db == parameters.end() || db->second.empty()) {
    throw Error(ErrorKind::Usage,
                "no db=PATH in the SQLite locator \"sqlite3://" + connection + "\"");
  }
  return db->second;
}

// SQLite creates a missing database file with the umask's mode; credentials get 0600.
// True when it created the file.
bool prepare_sqlite_file(const std::string& path, bool create) {
  std::error_code error;
  if (std::filesystem::exists(path, error)) {
    return false;
  }
  if (!create) {
    throw Error(ErrorKind::NoInput,
                path + ": no such SQLite database (--create-schema creates it)");
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw Error(ErrorKind::CannotCreate, path + ": " + std::strerror(errno));
  }
  ::close(fd);
  return true;
}

const Credential* hash_of(const Account& account, HashFunction hash) {
  for (const auto& credential : account.credentials) {
    if (credential.hash == hash) {
      return &credential;
    }
  }
  return nullptr;
}

std::string hash_value(const Account& account, HashFunction hash) {
  const Credential* credential = hash_of(account, hash);
  return credential ? credential->value : std::string();
}

std::string clear_value(const Account& account) {
  const Credential* clear = account.clear_text();
  return clear ? clear->value : std::string();
}

// A stored hex value: MD5 by its length, else the 64-digit algorithm the store is set for.
HashFunction hash_by_length(const std::string& hex, HashFunction configured) {
  if (hex.size() == 32) {
    return HashFunction::Md5;
  }
  return configured == HashFunction::Md5 ? HashFunction::Sha256 : configured;
}

class SqlStore;

// Runs the INSERT of an account's main row: a unique key refusal (SQLite through SOCI, MySQL)
// becomes DuplicateKey, for the writer to tell a repeat from a conflict. (PostgreSQL's inserts
// say it without an error, which would abort the transaction.)
template <typename Insert> void insert_main_row(Insert&& insert) {
  try {
    insert();
  } catch (const soci::sqlite3_soci_error& error) {
    if ((error.result() & 0xff) == SQLITE_CONSTRAINT) {
      throw DuplicateKey(error.what());
    }
    throw;
  } catch (const soci::soci_error& error) {
    if (is_mysql_duplicate_key(error)) {
      throw DuplicateKey(error.what());
    }
    throw;
  }
}

// The statements of one schema. Each binds to its own members, so a statement is prepared once
// and run per account.
class SchemaAccess {
public:
  SchemaAccess(soci::session& session, Dialect dialect, const StoreOptions& options)
      : m_session(session), m_dialect(dialect), m_options(options) {}
  virtual ~SchemaAccess() = default;
  virtual std::string_view main_table() const = 0;
  virtual CredentialNeeds needs() const = 0;
  virtual std::string refusal(const Account& /*account*/) const { return {}; }
  // Accounts with an id above `after`, at most page_size, in id order; returns the last id.
  virtual long long read_page(long long after, std::vector<Account>& page) = 0;
  // The id of the account's row, by the unique key every schema has: (username, domain).
  std::optional<long long> find(const Account& account) {
    if (!m_find) {
      m_find = std::make_unique<soci::statement>(
          (m_session.prepare << "SELECT id FROM " + std::string(main_table()) +
                                    " WHERE username = :username AND domain = :domain",
           soci::into(m_found_id), soci::use(m_find_user), soci::use(m_find_domain)));
    }
    m_find_user = account.user;
    m_find_domain = account.domain;
    m_find->execute();
    return m_find->fetch() ? std::optional<long long>(m_found_id) : std::nullopt;
  }
  virtual void insert(const Account& account) = 0;
  // Replaces the row's credentials; returns how many it had.
  virtual std::size_t update(long long id, const Account& account) = 0;
  virtual std::optional<Account> lookup(const Account& account) = 0;
  virtual std::vector<OtherDigestUsername>
  other_digest_usernames(const Account& /*account*/) const {
    return {};
  }
  // The tables a load fills, in the order rows go in.
  virtual std::vector<std::string> tables() const = 0;

  // Deletes each row of the main table whose (username, domain) a later row repeats, with the
  // rows that hang on it, and records them: the last entry of a repeated account is kept. For
  // a load without the unique index, so set-based. Returns how many rows it deleted.
  std::size_t remove_repeats(Duplicates& duplicates) {
    const std::string table(main_table());
    m_session << "CREATE TEMP TABLE sipcred_repeats AS SELECT t.id AS id FROM " + table +
                     " t JOIN (SELECT username, domain, MAX(id) AS last FROM " + table +
                     " GROUP BY username, domain HAVING COUNT(*) > 1) r ON t.username = "
                     "r.username AND t.domain = r.domain AND t.id < r.last";
    std::string user, domain;
    long long credentials = 0;
    soci::statement repeats = (m_session.prepare << repeats_query(), soci::into(user),
                               soci::into(domain), soci::into(credentials));
    repeats.execute();
    std::size_t removed = 0;
    while (repeats.fetch()) {
      duplicates.add(Account{user, domain, "", "", {}}.identity(),
                     static_cast<std::size_t>(credentials));
      ++removed;
    }
    for (const auto& statement : repeats_deletes()) {
      m_session << statement;
    }
    m_session << "DROP TABLE sipcred_repeats";
    return removed;
  }

protected:
  // username, domain and the number of credentials of each row listed in sipcred_repeats.
  virtual std::string repeats_query() const = 0;
  // Deletes the rows listed in sipcred_repeats.
  virtual std::vector<std::string> repeats_deletes() const = 0;

  std::string realm_of(const std::string& domain) const {
    return m_options.realm.empty() ? domain : m_options.realm;
  }
  soci::session& m_session;
  Dialect m_dialect;
  StoreOptions m_options;

private:
  long long m_found_id = 0;
  std::string m_find_user, m_find_domain;
  std::unique_ptr<soci::statement> m_find;
};

// Kamailio's and OpenSIPS' subscriber: one row per account, one column per credential.
class SubscriberAccess : public SchemaAccess {
public:
  SubscriberAccess(soci::session& session, Dialect dialect, const StoreOptions& options,
                   bool opensips)
      : SchemaAccess(session, dialect, options), m_opensips(opensips) {}

  std::string_view main_table() const override { return "subscriber"; }

  CredentialNeeds needs() const override {
    CredentialNeeds needs;
    needs.realm = m_options.realm;
    // The width of the schemas' password columns.
    needs.clear_text_max_length = m_opensips ? 25 : 64;
    if (m_opensips) {
      needs.hashes = {HashFunction::Md5, HashFunction::Sha256, HashFunction::Sha512_256};
    } else {
      needs.hashes = {m_options.algorithm};
      needs.required = {m_options.algorithm};
    }
    return needs;
  }

  // auth_db looks a digest username with an '@' up as user@domain (lookup_ha1b): a user whose
  // own name has one is never found. One with a ':' is challenged again with the right hash
  // (Kamailio 5.6, seen with sipsak and sipcred-sim probe; tests/integration/test_conformance).
  std::string refusal(const Account& account) const override {
    if (m_opensips) return {};
    if (account.user.find('@') != std::string::npos)
      return "Kamailio reads a digest username with an '@' as user@domain: this user could "
             "never log in";
    if (account.user.find(':') != std::string::npos)
      return "Kamailio does not authenticate a digest username with a ':': this user could "
             "never log in";
    return {};
  }

  long long read_page(long long after, std::vector<Account>& page) override {
    long long id = 0;
    std::string user, domain, password;
    std::array<std::string, 3> columns;
    soci::statement statement =
        (m_session.prepare << "SELECT id, username, domain, password, " + selected_columns() +
                                  " FROM subscriber WHERE id > :after ORDER BY id LIMIT " +
                                  std::to_string(page_size),
         soci::into(id), soci::into(user), soci::into(domain), soci::into(password),
         soci::into(columns[0]), soci::into(columns[1]), soci::into(columns[2]), soci::use(after));
    statement.execute();
    long long last = after;
    while (statement.fetch()) {
      last = id;
      page.push_back(account_of_row(user, domain, password, columns));
    }
    return last;
  }

  void insert(const Account& account) override {
    if (!m_insert) {
      m_insert = std::make_unique<soci::statement>(m_session);
      m_insert->exchange(soci::use(m_user));
      m_insert->exchange(soci::use(m_domain));
      m_insert->exchange(soci::use(m_password));
      for (int i = 0; i < credential_count(); ++i) {
        m_insert->exchange(soci::use(m_columns[i]));
      }
      m_insert->alloc();
      // On PostgreSQL a repeat gives no row instead of an error, which would abort the
      // transaction.
      m_insert->prepare("INSERT INTO subscriber (username, domain, password, " +
                        credential_columns() + ") VALUES (:username, :domain, :password, :c1, :c2" +
                        (m_opensips ? ", :c3)" : ")") +
                        (m_dialect == Dialect::Postgresql ? " ON CONFLICT DO NOTHING" : ""));
      m_insert->define_and_bind();
    }
    set_columns(account);
    insert_main_row([&] { m_insert->execute(true); });
    if (m_dialect == Dialect::Postgresql && m_insert->get_affected_rows() == 0) {
      throw DuplicateKey("duplicate key value violates a unique constraint of subscriber");
    }
  }

  std::size_t update(long long id, const Account& account) override {
    std::string password;
    std::array<std::string, 3> columns;
    m_session << "SELECT password, " + selected_columns() + " FROM subscriber WHERE id = :id",
        soci::into(password), soci::into(columns[0]), soci::into(columns[1]),
        soci::into(columns[2]), soci::use(id);
    const std::size_t replaced =
        account_of_row(account.user, account.domain, password, columns).credentials.size();
    if (!m_update) {
      m_update = std::make_unique<soci::statement>(m_session);
      m_update->exchange(soci::use(m_password));
      for (int i = 0; i < credential_count(); ++i) {
        m_update->exchange(soci::use(m_columns[i]));
      }
      m_update->exchange(soci::use(m_id));
      m_update->alloc();
      m_update->prepare(std::string("UPDATE subscriber SET password = :password, ") +
                        (m_opensips ? "ha1 = :c1, ha1_sha256 = :c2, ha1_sha512t256 = :c3 "
                                    : "ha1 = :c1, ha1b = :c2 ") +
                        "WHERE id = :id");
      m_update->define_and_bind();
    }
    set_columns(account);
    m_id = id;
    m_update->execute(true);
    return replaced;
  }

  // As auth_db runs it (use_domain=1): the row of username and domain. A digest username
  // with '@' (the account's auth_user) is Kamailio's other way in: see lookup_ha1b().
  std::optional<Account> lookup(const Account& account) override {
    if (!m_opensips && account.auth_user.find('@') != std::string::npos) {
      return lookup_ha1b(account.auth_user);
    }
    std::string password;
    std::array<std::string, 3> columns;
    m_session << "SELECT password, " + selected_columns() +
                     " FROM subscriber WHERE username = :username AND domain = :domain",
        soci::into(password), soci::into(columns[0]), soci::into(columns[1]),
        soci::into(columns[2]), soci::use(account.user), soci::use(account.domain);
    if (!m_session.got_data()) {
      return std::nullopt;
    }
    return account_of_row(account.user, account.domain, password, columns);
  }

  // auth_db (calculate_ha1=0) reads ha1b instead of ha1 when the digest username has an '@':
  // user@domain, cut at its first '@'. A user whose own name has an '@' is not found that way.
  std::vector<OtherDigestUsername> other_digest_usernames(const Account& account) const override {
    if (m_opensips || account.user.find('@') != std::string::npos) {
      return {};
    }
    return {{account.user + "@" + account.domain, "ha1b"}};
  }

  std::vector<std::string> tables() const override { return {"subscriber"}; }

protected:
  std::string repeats_query() const override {
    return std::string("SELECT username, domain, (password <> '') + (ha1 <> '')") +
           (m_opensips ? " + (ha1_sha256 <> '') + (ha1_sha512t256 <> '')" : "") +
           " FROM subscriber WHERE id IN (SELECT id FROM sipcred_repeats)";
  }
  std::vector<std::string> repeats_deletes() const override {
    return {"DELETE FROM subscriber WHERE id IN (SELECT id FROM sipcred_repeats)"};
  }

private:
  int credential_count() const { return m_opensips ? 3 : 2; }

  // As auth_db's get_ha1() for a digest username with an '@': the user before the first '@',
  // the domain after it (use_domain=1), and the HA1 from ha1b. The credential is that HA1 alone
  // (none when ha1b is empty): auth_db reads nothing else of the row.
  std::optional<Account> lookup_ha1b(const std::string& digest_username) {
    const auto at = digest_username.find('@');
    Account account{
        digest_username.substr(0, at), digest_username.substr(at + 1), digest_username, "", {}};
    std::string ha1b;
    m_session << "SELECT ha1b FROM subscriber WHERE username = :username AND domain = :domain",
        soci::into(ha1b), soci::use(account.user), soci::use(account.domain);
    if (!m_session.got_data()) {
      return std::nullopt;
    }
    if (!ha1b.empty()) {
      account.credentials.push_back({hash_by_length(ha1b, m_options.algorithm),
                                     ascii_lowercase(ha1b), realm_of(account.domain)});
    }
    return account;
  }

  // Three credential columns for both schemas: Kamailio's ha1b is selected twice to fill them.
  std::string selected_columns() const {
    return m_opensips ? "ha1, ha1_sha256, ha1_sha512t256" : "ha1, ha1b, ha1b";
  }

  // A row's credentials: the clear password, then the hash columns. Kamailio's ha1b is not a
  // credential of the account (it serves digest usernames of the form user@domain).
  Account account_of_row(const std::string& user, const std::string& domain,
                         const std::string& password,
                         const std::array<std::string, 3>& columns) const {
    Account account{user, domain, "", "", {}};
    const std::string realm = realm_of(domain);
    if (!password.empty()) {
      account.credentials.push_back({std::nullopt, password, ""});
    }
    if (m_opensips) {
      constexpr HashFunction hashes[] = {HashFunction::Md5, HashFunction::Sha256,
                                         HashFunction::Sha512_256};
      for (std::size_t i = 0; i < columns.size(); ++i) {
        if (!columns[i].empty()) {
          account.credentials.push_back({hashes[i], ascii_lowercase(columns[i]), realm});
        }
      }
    } else if (!columns[0].empty()) {
      account.credentials.push_back(
          {hash_by_length(columns[0], m_options.algorithm), ascii_lowercase(columns[0]), realm});
    }
    return account;
  }

  std::string credential_columns() const {
    return m_opensips ? "ha1, ha1_sha256, ha1_sha512t256" : "ha1, ha1b";
  }

  void set_columns(const Account& account) {
    m_user = account.user;
    m_domain = account.domain;
    m_password = clear_value(account);
    if (m_opensips) {
      m_columns[0] = hash_value(account, HashFunction::Md5);
      m_columns[1] = hash_value(account, HashFunction::Sha256);
      m_columns[2] = hash_value(account, HashFunction::Sha512_256);
    } else {
      // As kamctl: ha1 = H(user:realm:password), ha1b = H(user@domain:realm:password).
      m_columns[0] = hash_value(account, m_options.algorithm);
      m_columns[1] = m_password.empty()
                         ? std::string()
                         : ha1(m_options.algorithm, account.user + "@" + account.domain,
                               realm_of(account.domain), m_password);
    }
  }

  bool m_opensips;
  long long m_id = 0;
  std::string m_user, m_domain, m_password;
  std::string m_columns[3];
  std::unique_ptr<soci::statement> m_insert, m_update;
};

// Flexisip's accounts + passwords, as its default soci-password-request reads them.
class FlexisipAccess : public SchemaAccess {
public:
  using SchemaAccess::SchemaAccess;

  std::string_view main_table() const override { return "accounts"; }

  CredentialNeeds needs() const override {
    CredentialNeeds needs;
    needs.clear_text_only_at_domain = true;
    needs.clear_text_hashes_user = true;
    needs.clear_text_replaces_hashes = true;
    needs.hashes = {HashFunction::Md5, HashFunction::Sha256};
    needs.realm = m_options.realm;
    needs.keeps_phone = true; // the default request has no place for a user-id
    return needs;
  }

  long long read_page(long long after, std::vector<Account>& page) override {
    long long id = 0;
    std::string user, domain, phone;
    soci::indicator phone_indicator = soci::i_ok;
    soci::statement accounts =
        (m_session.prepare << "SELECT id, username, domain, phone FROM accounts WHERE id > :after "
                              "AND activated = TRUE ORDER BY id LIMIT " +
                                  std::to_string(page_size),
         soci::into(id), soci::into(user), soci::into(domain), soci::into(phone, phone_indicator),
         soci::use(after));
    accounts.execute();
    std::map<long long, std::size_t> index;
    long long last = after;
    std::size_t first = page.size();
    while (accounts.fetch()) {
      last = id;
      index[id] = page.size();
      page.push_back(
          {user, domain, "", phone_indicator == soci::i_null ? std::string() : phone, {}});
    }
    if (page.size() == first) {
      return last;
    }
    long long account_id = 0;
    std::string password, algorithm;
    soci::statement passwords =
        (m_session.prepare << "SELECT account_id, password, algorithm FROM passwords WHERE "
                              "account_id > :after AND account_id <= :last ORDER BY account_id, id",
         soci::into(account_id), soci::into(password), soci::into(algorithm), soci::use(after),
         soci::use(last));
    passwords.execute();
    while (passwords.fetch()) {
      auto found = index.find(account_id);
      if (found != index.end()) {
        add_row(page[found->second], password, algorithm);
      }
    }
    return last;
  }

  void insert(const Account& account) override {
    set_fields(account);
    if (m_dialect == Dialect::Postgresql) {
      if (!m_insert) {
        // A repeat gives no row instead of an error: an error would abort the transaction.
        m_insert = std::make_unique<soci::statement>(
            (m_session.prepare << "INSERT INTO accounts (username, domain, phone, activated) "
                                  "VALUES (:username, :domain, :phone, TRUE) "
                                  "ON CONFLICT DO NOTHING RETURNING id",
             soci::use(m_user), soci::use(m_domain), soci::use(m_phone, m_phone_indicator),
             soci::into(m_id)));
      }
      if (!m_insert->execute(true)) {
        throw DuplicateKey("duplicate key value violates a unique constraint of accounts");
      }
    } else {
      if (!m_insert) {
        m_insert = std::make_unique<soci::statement>(
            (m_session.prepare << "INSERT INTO accounts (username, domain, phone, activated) "
                                  "VALUES (:username, :domain, :phone, TRUE)",
             soci::use(m_user), soci::use(m_domain), soci::use(m_phone, m_phone_indicator)));
      }
      insert_main_row([&] { m_insert->execute(true); });
      if (!m_session.get_last_insert_id("accounts", m_id)) {
        throw Error(ErrorKind::Internal, "the database gave no id for the new account");
      }
    }
    insert_passwords(account);
  }

  std::size_t update(long long id, const Account& account) override {
    set_fields(account);
    m_id = id;
    if (!m_update) {
      m_update = std::make_unique<soci::statement>(
          (m_session.prepare
               << "UPDATE accounts SET phone = :phone, activated = TRUE WHERE id = :id",
           soci::use(m_phone, m_phone_indicator), soci::use(m_id)));
      m_delete = std::make_unique<soci::statement>(
          (m_session.prepare << "DELETE FROM passwords WHERE account_id = :id", soci::use(m_id)));
    }
    m_update->execute(true);
    m_delete->execute(true);
    const auto replaced = static_cast<std::size_t>(m_delete->get_affected_rows());
    insert_passwords(account);
    return replaced;
  }

  // The password request (soci-password-request, else Flexisip's default), run as Flexisip
  // runs it: :id is the user, :domain the domain, :authid the digest username, each of the two
  // last bound only when the request names it (SOCI refuses a name the query lacks). A row is
  // (password, algorithm), or (password) alone for MD5; CLRTXT replaces every row before it
  // with the clear text and the MD5 and SHA-256 it derives with the domain.
  std::optional<Account> lookup(const Account& account) override {
    const std::string request = m_options.password_request.empty()
                                    ? std::string(flexisip_password_request)
                                    : m_options.password_request;
    const std::string& authid = account.digest_username();
    soci::rowset<soci::row> rows = [&]() -> soci::rowset<soci::row> {
      const bool domain = names_parameter(request, "domain");
      const bool auth = names_parameter(request, "authid");
      if (domain && auth) {
        return (m_session.prepare << request, soci::use(account.user, "id"),
                soci::use(account.domain, "domain"), soci::use(authid, "authid"));
      }
      if (domain) {
        return (m_session.prepare << request, soci::use(account.user, "id"),
                soci::use(account.domain, "domain"));
      }
      if (auth) {
        return (m_session.prepare << request, soci::use(account.user, "id"),
                soci::use(authid, "authid"));
      }
      return (m_session.prepare << request, soci::use(account.user, "id"));
    }();
    Account stored{account.user, account.domain, account.auth_user, "", {}};
    bool found = false;
    for (const soci::row& row : rows) {
      if (row.size() == 0 || row.get_indicator(0) == soci::i_null) {
        continue;
      }
      found = true;
      const std::string password = row.get<std::string>(0);
      const std::string algorithm = row.size() > 1 && row.get_indicator(1) != soci::i_null
                                        ? row.get<std::string>(1)
                                        : std::string(row.size() > 1 ? "" : "MD5");
      if (algorithm == "CLRTXT") {
        stored.credentials = {{std::nullopt, password, ""}};
        for (HashFunction hash : {HashFunction::Md5, HashFunction::Sha256}) {
          stored.credentials.push_back(
              {hash, ha1(hash, account.user, account.domain, password), account.domain});
        }
        break;
      }
      add_row(stored, password, algorithm);
    }
    return found ? std::optional<Account>(std::move(stored)) : std::nullopt;
  }

  std::vector<std::string> tables() const override { return {"accounts", "passwords"}; }

protected:
  std::string repeats_query() const override {
    return "SELECT a.username, a.domain, COUNT(p.account_id) FROM sipcred_repeats r JOIN accounts "
           "a ON a.id = r.id LEFT JOIN passwords p ON p.account_id = r.id GROUP BY r.id, "
           "a.username, a.domain";
  }
  std::vector<std::string> repeats_deletes() const override {
    return {"DELETE FROM passwords WHERE account_id IN (SELECT id FROM sipcred_repeats)",
            "DELETE FROM accounts WHERE id IN (SELECT id FROM sipcred_repeats)"};
  }

private:
  // Whether `request` names :NAME, found as Flexisip finds it (anywhere, quotes included).
  static bool names_parameter(const std::string& request, std::string_view name) {
    return request.find(":" + std::string(name)) != std::string::npos;
  }

  // A passwords row; algorithm strings other than Flexisip's exact ones are never matched.
  void add_row(Account& account, const std::string& password, const std::string& algorithm) {
    if (algorithm == "CLRTXT") {
      account.credentials.push_back({std::nullopt, password, ""});
    } else if (algorithm == "MD5" || algorithm == "SHA-256") {
      account.credentials.push_back({algorithm == "MD5" ? HashFunction::Md5 : HashFunction::Sha256,
                                     ascii_lowercase(password), realm_of(account.domain)});
    }
  }

  void set_fields(const Account& account) {
    m_user = account.user;
    m_domain = account.domain;
    m_phone = account.phone;
    m_phone_indicator = account.phone.empty() ? soci::i_null : soci::i_ok;
  }

  void insert_passwords(const Account& account) {
    if (!m_insert_password) {
      m_insert_password = std::make_unique<soci::statement>(
          (m_session.prepare << "INSERT INTO passwords (account_id, password, algorithm) VALUES "
                                "(:account_id, :password, :algorithm)",
           soci::use(m_id), soci::use(m_password), soci::use(m_algorithm)));
    }
    for (const auto& credential : account.credentials) {
      m_password = credential.value;
      m_algorithm = flexisip_algorithm(credential);
      m_insert_password->execute(true);
    }
  }

  long long m_id = 0;
  std::string m_user, m_domain, m_phone, m_password, m_algorithm;
  soci::indicator m_phone_indicator = soci::i_ok;
  std::unique_ptr<soci::statement> m_insert, m_update, m_delete, m_insert_password;
};

std::unique_ptr<SchemaAccess> make_access(soci::session& session, Dialect dialect,
                                          const StoreOptions& options) {
  switch (options.schema) {
  case Schema::Flexisip: return std::make_unique<FlexisipAccess>(session, dialect, options);
  case Schema::Kamailio:
    return std::make_unique<SubscriberAccess>(session, dialect, options, false);
  case Schema::Opensips: return std::make_unique<SubscriberAccess>(session, dialect, options, true);
  }
  return nullptr;
}

class SqlStore : public Store {
public:
  SqlStore(const Locator& locator, const StoreOptions& options)
      : m_locator(locator), m_options(options), m_dialect(dialect_of(locator.backend)) {
    if (m_dialect == Dialect::Sqlite) {
      m_sqlite_path = sqlite_path(locator.connection);
      m_created_file = prepare_sqlite_file(m_sqlite_path, options.create_schema);
    }
    try {
      const soci::backend_factory* factory = m_dialect == Dialect::Sqlite ? soci::factory_sqlite3()
                                             : m_dialect == Dialect::Postgresql
                                                 ? soci::factory_postgresql()
                                                 : soci::factory_mysql();
      m_session.open(*factory, locator.connection);
    } catch (const soci::soci_error& error) {
      // An SQLite file that cannot be opened is no server out of reach.
      const ErrorKind kind =
          m_dialect == Dialect::Sqlite ? database_error_kind(error) : ErrorKind::Unavailable;
      throw Error(kind, "cannot connect to " + m_locator.display() + ": " +
                            database_reason(error.what()));
    }
    m_access = make_access(m_session, m_dialect, options);
  }

  ~SqlStore() override {
    if (m_created_file && !m_committed) {
      m_access.reset();
      m_session.close();
      std::error_code ignored;
      std::filesystem::remove(m_sqlite_path, ignored);
      std::filesystem::remove(m_sqlite_path + "-journal", ignored);
    }
  }

  CredentialNeeds needs() const override { return m_access->needs(); }
  std::string refusal(const Account& account) const override { return m_access->refusal(account); }
  void committed() { m_committed = true; }

  std::optional<std::size_t> size_hint() override {
    return guarded([&] {
      require_tables();
      long long count = 0;
      m_session << "SELECT COUNT(*) FROM " + std::string(m_access->main_table()), soci::into(count);
      return std::optional<std::size_t>(static_cast<std::size_t>(count));
    });
  }

  void read(const std::function<void(Account&&)>& visit) override {
    guarded([&] {
      require_tables();
      long long after = 0;
      std::vector<Account> page;
      while (true) {
        page.clear();
        long long last = m_access->read_page(after, page);
        for (auto& account : page) {
          visit(std::move(account));
        }
        if (last == after) {
          return 0;
        }
        after = last;
      }
    });
  }

  std::unique_ptr<StoreWriter> begin_write(OnConflict on_conflict) override;

  std::optional<Account> lookup(const Account& account) override {
    return guarded([&] { return m_access->lookup(account); });
  }

  std::vector<OtherDigestUsername> other_digest_usernames(const Account& account) const override {
    return m_access->other_digest_usernames(account);
  }

  std::string server_configuration(const std::set<std::string>& domains) const override;

  // Runs `body`, turning database errors into sipcred errors that name the store.
  template <typename Body> auto guarded(Body&& body) -> decltype(body()) {
    try {
      return body();
    } catch (const soci::soci_error& error) {
      throw refused(error.what(), database_error_kind(error));
    } catch (const DatabaseError& error) {
      throw refused(error.what(), error.kind());
    }
  }

  // The store's name, the database's reason, and the kind its code says (database_error.hpp).
  Error refused(const std::string& reason, ErrorKind kind = ErrorKind::DataError) const {
    return Error(kind, m_locator.display() + ": " + database_reason(reason));
  }
  const StoreOptions& options() const { return m_options; }

  soci::session& session() { return m_session; }
  SchemaAccess& access() { return *m_access; }
  Dialect dialect() const { return m_dialect; }

  // Creates the schema's missing tables (and its version row), or says what is missing.
  void ensure_tables() {
    auto tables = schema_tables(m_options.schema, m_dialect);
    for (const auto& table : tables.tables) {
      if (has_table(table.name)) {
        continue;
      }
      if (!m_options.create_schema) {
        throw missing_table(table.name);
      }
      for (const auto& statement : table.statements) {
        m_session << statement;
      }
    }
    if (tables.version_row) {
      check_version_row(*tables.version_row);
    }
  }

private:
  Error missing_table(std::string_view table) const {
    return Error(ErrorKind::Usage, m_locator.display() + ": no table \"" + std::string(table) +
                                       "\" of the " + std::string(schema_name(m_options.schema)) +
                                       " schema (--create-schema creates it)");
  }

  void require_tables() {
    if (!has_table(m_access->main_table())) {
      throw missing_table(m_access->main_table());
    }
  }

  bool has_table(std::string_view table) {
    long long count = 0;
    std::string name(table);
    switch (m_dialect) {
    case Dialect::Sqlite:
      m_session << "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = :name",
          soci::into(count), soci::use(name);
      break;
    case Dialect::Postgresql:
      m_session << "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = "
                   "current_schema() AND table_name = :name",
          soci::into(count), soci::use(name);
      break;
    case Dialect::Mysql:
      m_session << "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = "
                   "DATABASE() AND table_name = :name",
          soci::into(count), soci::use(name);
      break;
    }
    return count > 0;
  }

  // The servers refuse to start without their table's version row, or with another version.
  void check_version_row(const TableVersion& expected) {
    std::string table(expected.table);
    int version = 0;
    m_session << "SELECT table_version FROM version WHERE table_name = :name", soci::into(version),
        soci::use(table);
    if (!m_session.got_data()) {
      if (!m_options.create_schema) {
        throw Error(ErrorKind::Usage, m_locator.display() + ": no row for \"" + table +
                                          "\" in the version table, which the server requires "
                                          "(--create-schema adds it)");
      }
      int wanted = expected.version;
      m_session << "INSERT INTO version (table_name, table_version) VALUES (:name, :version)",
          soci::use(table), soci::use(wanted);
    } else if (version != expected.version) {
      throw Error(ErrorKind::DataError, m_locator.display() + ": table \"" + table +
                                            "\" is at version " + std::to_string(version) +
                                            ", the " + std::string(schema_name(m_options.schema)) +
                                            " schema needs version " +
                                            std::to_string(expected.version));
    }
  }

  Locator m_locator;
  StoreOptions m_options;
  Dialect m_dialect;
  std::string m_sqlite_path;
  bool m_created_file = false; // an SQLite file this run created: removed unless committed
  bool m_committed = false;
  soci::session m_session;
  std::unique_ptr<SchemaAccess> m_access;
};

// One transaction: rolled back unless committed.
class SqlWriter : public StoreWriter {
public:
  SqlWriter(SqlStore& store, OnConflict on_conflict) : m_store(store), m_on_conflict(on_conflict) {
    m_store.guarded([&] {
      auto& session = m_store.session();
      if (m_store.dialect() == Dialect::Mysql) {
        // MySQL commits DDL implicitly: create tables before the transaction begins.
        m_store.ensure_tables();
        session << "START TRANSACTION";
      } else {
        // SQLite: take the write lock now rather than fail at the first insert.
        session << (m_store.dialect() == Dialect::Sqlite ? "BEGIN IMMEDIATE" : "BEGIN");
        m_store.ensure_tables();
      }
      m_open = true;
      // A table empty at the start cannot hold a conflict: no lookup per account then.
      // Rows from this run have ids above the largest one now: a unique key they hold is one
      // SOURCE repeats.
      long long present = 0, largest = 0;
      soci::indicator none = soci::i_ok;
      session << "SELECT COUNT(*), MAX(id) FROM " + std::string(m_store.access().main_table()),
          soci::into(present), soci::into(largest, none);
      m_check_existing = present > 0;
      m_first_new_id = (none == soci::i_null ? 0 : largest) + 1;
      start_bulk_load();
      return 0;
    });
  }

  ~SqlWriter() override {
    m_loader.reset();
    if (m_open) {
      try {
        m_store.session() << "ROLLBACK";
      } catch (...) { // the connection is gone: the server rolls back by itself
      }
    }
  }

  WriteResult write(Account&& account) override {
    return m_store.guarded([&] {
      if (m_loader) {
        m_loader->add(std::move(account));
        return WriteResult::Inserted;
      }
      return write_row(account);
    });
  }

  Duplicates settle() override {
    m_store.guarded([&] {
      if (m_loader) {
        m_loader->flush();
      }
      if (m_deferred) {
        try {
          m_deferred->rebuild();
        } catch (const DuplicateKey&) {
          // SOURCE repeats accounts: keep the last entry of each. A unique index of DEST's own
          // that the data breaks still fails the run (rebuild() throws again, or nothing was
          // repeated).
          if (m_store.access().remove_repeats(m_duplicates) == 0) {
            throw;
          }
          m_deferred->rebuild();
        }
      }
      return 0;
    });
    return std::move(m_duplicates);
  }

  void commit() override {
    m_store.guarded([&] {
      m_store.session() << "COMMIT";
      return 0;
    });
    m_open = false;
    m_store.committed();
  }

private:
  void start_bulk_load() {
    if (m_check_existing) {
      return;
    }
    if (m_store.dialect() == Dialect::Sqlite) {
      // A larger page cache than SQLite's 2 MiB for the load and the index builds: 64 MiB was
      // as fast as 128 or 256 on 1M users (and the rest is written out before the commit).
      set_sqlite_cache_kib(m_store.session(), 64 * 1024);
      m_deferred =
          std::make_unique<SqliteDeferredIndexes>(m_store.session(), m_store.access().tables());
    }
    if (m_store.options().schema != Schema::Flexisip) {
      return;
    }
    auto replay = [this](const Account& account) { write_row(account); };
    if (m_store.dialect() == Dialect::Sqlite) {
      m_loader = std::make_unique<FlexisipSqliteLoader>(m_store.session(), replay);
    } else if (m_store.dialect() == Dialect::Postgresql) {
      PostgresqlCopy catalog(m_store.session());
      auto sequence = catalog.column("SELECT pg_get_serial_sequence($1, 'id')", {"accounts"});
      if (!sequence.empty() && !sequence.front().empty()) {
        m_loader =
            std::make_unique<FlexisipCopyLoader>(m_store.session(), sequence.front(), replay);
      }
    }
  }

  WriteResult write_row(const Account& account) {
    auto& access = m_store.access();
    std::optional<long long> existing;
    if (m_check_existing) {
      existing = access.find(account);
    }
    if (!existing) {
      try {
        access.insert(account);
        return WriteResult::Inserted;
      } catch (const DuplicateKey& error) {
        existing = find_refused(account, error.what());
      }
    }
    if (*existing >= m_first_new_id) {
      // Written earlier in this run: the later entry wins, as in Flexisip.
      m_duplicates.add(account.identity(), access.update(*existing, account));
      return WriteResult::Inserted;
    }
    switch (m_on_conflict) {
    case OnConflict::Fail: return WriteResult::Conflict;
    case OnConflict::Skip: return WriteResult::Skipped;
    case OnConflict::Replace: access.update(*existing, account); return WriteResult::Replaced;
    }
    return WriteResult::Conflict;
  }

  // The row a unique key refusal was about; another unique key of DEST fails the run.
  long long find_refused(const Account& account, const std::string& reason) {
    if (auto id = m_store.access().find(account)) {
      return *id;
    }
    throw m_store.refused(reason);
  }

  SqlStore& m_store;
  OnConflict m_on_conflict;
  bool m_open = false;
  bool m_check_existing = true;
  long long m_first_new_id = 1;
  std::unique_ptr<BatchLoader> m_loader;             // flexisip schema, SQLite or PostgreSQL
  std::unique_ptr<SqliteDeferredIndexes> m_deferred; // SQLite
  Duplicates m_duplicates;
};

std::unique_ptr<StoreWriter> SqlStore::begin_write(OnConflict on_conflict) {
  return std::make_unique<SqlWriter>(*this, on_conflict);
}

// Kamailio's db_url for the same database: sqlite:///ABS, postgres://user@host/db...
std::string kamailio_db_url(Dialect dialect, const std::string& connection,
                            const std::string& sqlite_file) {
  if (dialect == Dialect::Sqlite) {
    // Kamailio wants sqlite:// then the absolute path: four slashes in all.
    return "sqlite:///" + std::filesystem::absolute(sqlite_file).lexically_normal().string();
  }
  auto parameters = connection_parameters(connection);
  auto get = [&](std::initializer_list<const char*> keys, const char* fallback) {
    for (const char* key : keys) {
      if (auto found = parameters.find(key); found != parameters.end()) {
        return found->second;
      }
    }
    return std::string(fallback);
  };
  std::string user = get({"user", "username"}, "");
  std::string host = get({"host", "hostaddr"}, "localhost");
  std::string port = get({"port"}, "");
  std::string database = get({"dbname", "db", "database"}, "");
  bool has_password = parameters.count("password") || parameters.count("pass");
  return std::string(dialect == Dialect::Postgresql ? "postgres" : "mysql") + "://" + user +
         (has_password ? ":PASSWORD" : "") + (user.empty() ? "" : "@") + host +
         (port.empty() ? "" : ":" + port) + "/" + database;
}

std::string SqlStore::server_configuration(const std::set<std::string>& domains) const {
  std::ostringstream out;
  if (m_options.schema == Schema::Flexisip) {
    std::string connection =
        m_dialect == Dialect::Sqlite
            ? "db=" + std::filesystem::absolute(m_sqlite_path).lexically_normal().string()
            : m_locator.display().substr(m_locator.backend.size() + 3);
    out << "[module::Authentication]\n"
        << "enabled=true\n" // the module is off by default
        << "db-implementation=soci\n"
        << "soci-backend=" << m_locator.backend << "\n"
        << "soci-connection-string=" << connection << "\n"
        << "soci-password-request=" << flexisip_password_request << "\n"
        << "available-algorithms=MD5 SHA-256\n";
    // Flexisip challenges only requests for its auth-domains, localhost by default.
    if (!domains.empty()) {
      const char* separator = "auth-domains=";
      for (const std::string& domain : domains) out << std::exchange(separator, " ") << domain;
      out << "\n";
    }
    if (!m_options.realm.empty()) {
      out << "realm=" << m_options.realm << "\n";
    }
    return out.str();
  }
  std::string module = m_dialect == Dialect::Sqlite       ? "db_sqlite"
                       : m_dialect == Dialect::Postgresql ? "db_postgres"
                                                          : "db_mysql";
  std::string url = kamailio_db_url(m_dialect, m_locator.connection, m_sqlite_path);
  out << "loadmodule \"" << module << ".so\"\n"
      << "loadmodule \"auth.so\"\n"
      << "loadmodule \"auth_db.so\"\n"
      << "modparam(\"auth_db\", \"db_url\", \"" << url << "\")\n"
      << "modparam(\"auth_db\", \"calculate_ha1\", 0)\n"
      << "modparam(\"auth_db\", \"use_domain\", 1)\n";
  if (m_options.schema == Schema::Kamailio) {
    out << "modparam(\"auth_db\", \"password_column\", \"ha1\")\n";
    if (m_options.algorithm != HashFunction::Md5) {
      out << "modparam(\"auth\", \"algorithm\", \"" << hash_name(m_options.algorithm) << "\")\n";
    }
  }
  return out.str();
}

} // namespace

std::unique_ptr<Store> open_sql_store(const Locator& locator, const StoreOptions& options) {
  return std::make_unique<SqlStore>(locator, options);
}

} // namespace sipcred
