// sipcred-user on a database: one transaction per command, so that a killed command leaves the
// old or the new rows and concurrent writers never lose an update.

#include "sql_store.hpp"
#include "sqlite_statement.hpp"

namespace sipcred {

namespace {

class SqlEdit : public StoreEdit {
public:
  explicit SqlEdit(SqlStore& store) : m_store(store), m_transaction(store) {
    // An import touches pages all over a large database: keep them in memory until the
    // commit (as a migration's load does) rather than spill and reread them.
    if (m_store.dialect() == Dialect::Sqlite)
      m_store.guarded([&] {
        set_sqlite_cache_kib(m_store.session(), 64 * 1024);
        return 0;
      });
  }

  // The row found last is remembered: put() and remove() of that account find it again
  // without a query (an import finds, then puts, each account).
  std::optional<Account> find(const std::string& user, const std::string& domain) override {
    return m_store.guarded([&]() -> std::optional<Account> {
      m_found = {user, domain, m_store.access().find(Account{user, domain, "", "", {}})};
      if (!m_found.id) return std::nullopt;
      return m_store.access().read_one(*m_found.id, user, domain);
    });
  }

  void put(const Account& account, std::string_view password) override {
    m_store.guarded([&] {
      SchemaAccess& access = m_store.access();
      access.derive_from(password);
      struct Forget {
        SchemaAccess& access;
        ~Forget() { access.derive_from({}); }
      } const forget{access};
      if (const std::optional<long long> id = row_of(account.user, account.domain)) {
        access.update(*id, account);
        return 0;
      }
      try {
        access.insert(account);
      } catch (const DuplicateKey&) {
        // Another writer added it since find(): on PostgreSQL and MySQL the row is theirs.
        Error raced = m_store.refused(account.identity() + " was added by another writer "
                                                           "meanwhile (nothing was changed)",
                                      ErrorKind::TempFail);
        throw raced;
      }
      return 0;
    });
  }

  bool remove(const std::string& user, const std::string& domain) override {
    return m_store.guarded([&] {
      const std::optional<long long> id = row_of(user, domain);
      if (id) m_store.access().remove(*id);
      m_found = {};
      return id.has_value();
    });
  }

  void commit() override { m_transaction.commit(); }

private:
  std::optional<long long> row_of(const std::string& user, const std::string& domain) {
    if (m_found.user == user && m_found.domain == domain && m_found.id) return m_found.id;
    return m_store.access().find(Account{user, domain, "", "", {}});
  }

  struct Found {
    std::string user, domain;
    std::optional<long long> id;
  };
  SqlStore& m_store;
  SqlTransaction m_transaction;
  Found m_found; // the last find()
};

} // namespace

std::unique_ptr<StoreEdit> SqlStore::begin_edit() { return std::make_unique<SqlEdit>(*this); }

} // namespace sipcred
