#include "schema_access.hpp"

#include "util/text.hpp"

namespace sipcred {

namespace {

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
  std::string schema_refusal(const Account& account) const override {
    if (m_opensips) return {};
    if (account.user.find('@') != std::string::npos)
      return "Kamailio reads a digest username with an '@' as user@domain: this user could "
             "never log in";
    if (account.user.find(':') != std::string::npos)
      return "Kamailio does not authenticate a digest username with a ':': this user could "
             "never log in";
    return {};
  }

  long long read_page(long long after, std::vector<Account>& page, long long limit) override {
    long long id = 0;
    std::string user, domain, password;
    std::array<std::string, 3> columns;
    soci::statement statement =
        (m_session.prepare << "SELECT id, username, domain, password, " + selected_columns() +
                                  " FROM subscriber WHERE id > :after ORDER BY id LIMIT " +
                                  std::to_string(limit),
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

  Account read_one(long long id, const std::string& user, const std::string& domain) override {
    if (!m_read) {
      m_read = std::make_unique<soci::statement>(
          (m_session.prepare << "SELECT password, " + selected_columns() +
                                    " FROM subscriber WHERE id = :id",
           soci::into(m_read_password), soci::into(m_read_columns[0]),
           soci::into(m_read_columns[1]), soci::into(m_read_columns[2]), soci::use(m_read_id)));
    }
    m_read_id = id;
    if (!m_read->execute(true)) return Account{user, domain, "", "", {}};
    return account_of_row(user, domain, m_read_password, m_read_columns);
  }

  void remove(long long id) override {
    m_session << "DELETE FROM subscriber WHERE id = :id", soci::use(id);
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
      const std::string password = password_to_derive_from(account);
      m_columns[1] = password.empty()
                         ? std::string()
                         : ha1(m_options.algorithm, account.user + "@" + account.domain,
                               realm_of(account.domain), password);
    }
  }

  bool m_opensips;
  long long m_id = 0, m_read_id = 0;
  std::string m_read_password;
  std::array<std::string, 3> m_read_columns;
  std::unique_ptr<soci::statement> m_read;
  std::string m_user, m_domain, m_password;
  std::string m_columns[3];
  std::unique_ptr<soci::statement> m_insert, m_update;
};

} // namespace

std::unique_ptr<SchemaAccess> make_subscriber_access(soci::session& session, Dialect dialect,
                                                     const StoreOptions& options, bool opensips) {
  return std::make_unique<SubscriberAccess>(session, dialect, options, opensips);
}

} // namespace sipcred
