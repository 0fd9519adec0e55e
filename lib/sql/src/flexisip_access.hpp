#pragma once
// Flexisip's accounts + passwords (the flexisip schema), which the Flexisip Account Manager's
// tables extend (flexiapi_access.cpp).

#include "schema_access.hpp"
#include "sqlite_statement.hpp"

#include "sipcred/config/flexisip_algorithms.hpp"

#include "util/text.hpp"

#include <map>
#include <unordered_map>

namespace sipcred {

// Flexisip's accounts + passwords, as its default soci-password-request reads them.
class FlexisipAccess : public SchemaAccess {
public:
  using SchemaAccess::SchemaAccess;

  std::string_view main_table() const override { return "accounts"; }

  CredentialNeeds needs() const override {
    // The default request has no place for a user-id.
    CredentialNeeds needs = config::flexisip_credential_needs(m_options.realm);
    needs.clear_text_max_length = 255; // passwords.password VARCHAR(255)
    return needs;
  }

  long long read_page(long long after, std::vector<Account>& page, long long limit) override {
    long long id = 0;
    std::string user, domain, phone;
    soci::indicator phone_indicator = soci::i_ok;
    soci::statement accounts =
        (m_session.prepare << "SELECT id, username, domain, phone FROM accounts WHERE id > :after "
                              "AND activated = TRUE ORDER BY id LIMIT " +
                                  std::to_string(limit),
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
    before_insert(account);
    const auto row = [this] {
      return "INSERT INTO accounts (username, domain, phone, activated" + more_columns() +
             ") VALUES (:username, :domain, :phone, TRUE" + more_values() + ")";
    };
    if (m_dialect == Dialect::Postgresql) {
      if (!m_insert) {
        // A repeat gives no row instead of an error: an error would abort the transaction.
        m_insert = std::make_unique<soci::statement>(
            (m_session.prepare << row() + " ON CONFLICT DO NOTHING RETURNING id", soci::use(m_user),
             soci::use(m_domain), soci::use(m_phone, m_phone_indicator), soci::into(m_id)));
      }
      if (!m_insert->execute(true)) {
        throw DuplicateKey("duplicate key value violates a unique constraint of accounts");
      }
    } else {
      if (!m_insert) {
        m_insert = std::make_unique<soci::statement>((m_session.prepare << row(), soci::use(m_user),
                                                      soci::use(m_domain),
                                                      soci::use(m_phone, m_phone_indicator)));
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
    m_seen.erase(id);
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

  // With statements prepared once: an import reads one account per line.
  Account read_one(long long id, const std::string& user, const std::string& domain) override {
    if (!m_read_account) {
      m_read_account = std::make_unique<soci::statement>(
          (m_session.prepare << "SELECT phone FROM accounts WHERE id = :id AND activated = TRUE",
           soci::into(m_read_phone, m_read_phone_indicator), soci::use(m_read_id)));
      m_read_passwords = std::make_unique<soci::statement>(
          (m_session.prepare << "SELECT password, algorithm FROM passwords WHERE account_id = "
                                ":id ORDER BY id",
           soci::into(m_read_password), soci::into(m_read_algorithm), soci::use(m_read_id)));
    }
    m_read_id = id;
    Account account{user, domain, "", "", {}};
    if (!m_read_account->execute(true)) return account; // not activated: Flexisip skips it
    if (m_read_phone_indicator != soci::i_null) account.phone = m_read_phone;
    m_read_passwords->execute();
    while (m_read_passwords->fetch()) add_row(account, m_read_password, m_read_algorithm);
    return account;
  }

  void remove(long long id) override {
    m_seen.erase(id);
    m_session << "DELETE FROM passwords WHERE account_id = :id", soci::use(id);
    m_session << "DELETE FROM accounts WHERE id = :id", soci::use(id);
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

  // An import's accounts (flexisip_bulk_edit.cpp): on PostgreSQL found with one query and
  // written with COPY; on SQLite new accounts in multi-row INSERTs and rotated passwords
  // replaced in place; on MySQL new accounts through its bulk loader.
  std::vector<std::optional<Found>> find_many(const std::vector<StoreEdit::Name>& names) override;
  void write_many(const std::vector<Write>& writes) override;
  void transaction_began() override { m_seen.clear(); }

protected:
  // What a schema of the same tables with more columns to fill (FlexiAPI) adds to a new
  // accounts row: ", column..." and ", value..." (SQL literals), and what it does before.
  virtual std::string more_columns() { return {}; }
  virtual std::string more_values() { return {}; }
  virtual void before_insert(const Account& /*account*/) {}
  // Whether a new account is its accounts and passwords rows alone (FlexiAPI's is more): then
  // write_many() loads new accounts in bulk.
  virtual bool plain_rows() const { return true; }

  std::string repeats_query() const override {
    return "SELECT a.username, a.domain, COUNT(p.account_id) FROM sipcred_repeats r JOIN accounts "
           "a ON a.id = r.id LEFT JOIN passwords p ON p.account_id = r.id GROUP BY r.id, "
           "a.username, a.domain";
  }
  std::vector<std::string> repeats_deletes() const override {
    return {"DELETE FROM passwords WHERE account_id IN (SELECT id FROM sipcred_repeats)",
            "DELETE FROM accounts WHERE id IN (SELECT id FROM sipcred_repeats)"};
  }

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

private:
  // What find_many() saw of an account on SQLite, so that update_in_place() writes its rows by
  // rowid and skips what stays: inside the same BEGIN IMMEDIATE no other writer changes them.
  struct SeenRows {
    bool activated = false;
    std::optional<std::string> phone;                         // when it is text
    std::vector<std::pair<std::string, long long>> passwords; // each row's algorithm and rowid
  };
  std::vector<std::optional<Found>> find_many_sqlite(const std::vector<StoreEdit::Name>& names);
  void update_in_place(const Write& write);
  std::vector<std::optional<Found>> find_many_mysql(const std::vector<StoreEdit::Name>& names);
  void rotate_mysql(const std::vector<const Write*>& rotated);
  bool mysql_temporary_table(const std::string& create);
  bool postgresql_temporary_tables();

  long long m_id = 0, m_read_id = 0;
  std::string m_read_phone, m_read_password, m_read_algorithm;
  soci::indicator m_read_phone_indicator = soci::i_ok;
  std::unique_ptr<soci::statement> m_read_account, m_read_passwords;
  std::string m_user, m_domain, m_phone, m_password, m_algorithm;
  soci::indicator m_phone_indicator = soci::i_ok;
  std::unique_ptr<soci::statement> m_insert, m_update, m_delete, m_insert_password;
  std::unique_ptr<SqliteStatement> m_set_account, m_set_password, m_add_password, m_drop_passwords;
  std::unique_ptr<SqliteStatement> m_set_password_row, m_drop_password_row;
  std::unordered_map<long long, SeenRows> m_seen; // by account id
};

} // namespace sipcred
