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
        // An import's names table too, whatever the temporary folder.
        m_store.session() << "PRAGMA temp_store = MEMORY";
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
        throw raced(account.identity());
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

  std::vector<std::optional<Account>> find_all(const std::vector<Name>& names) override {
    return m_store.guarded([&] {
      std::vector<std::optional<SchemaAccess::Found>> rows = m_store.access().find_many(names);
      m_found_all.clear();
      m_found_all.reserve(rows.size());
      std::vector<std::optional<Account>> found;
      found.reserve(rows.size());
      for (std::optional<SchemaAccess::Found>& row : rows) {
        m_found_all.push_back(row ? row->id : 0);
        found.push_back(row ? std::optional<Account>(std::move(row->account)) : std::nullopt);
      }
      m_found_names = names;
      m_found = {};
      return found;
    });
  }

  // The rows of the find_all() before: accounts[i] is names[i] of it (a name it did not give
  // is looked up again).
  void put_all(const std::vector<Account>& accounts,
               const std::vector<std::string_view>& passwords) override {
    m_store.guarded([&] {
      std::vector<SchemaAccess::Write> writes;
      writes.reserve(accounts.size());
      for (std::size_t i = 0; i < accounts.size(); ++i) {
        const Account& account = accounts[i];
        long long id = 0;
        if (i < m_found_names.size() && m_found_names[i].user == account.user &&
            m_found_names[i].domain == account.domain)
          id = m_found_all[i];
        else if (const std::optional<long long> row = row_of(account.user, account.domain))
          id = *row;
        writes.push_back({id, &account, passwords[i]});
      }
      m_found_names.clear();
      m_found_all.clear();
      try {
        m_store.access().write_many(writes);
      } catch (const DuplicateKey& error) {
        throw raced(error.what());
      }
      return 0;
    });
  }

  void commit() override { m_transaction.commit(); }

private:
  // Another writer added an account since find(): on PostgreSQL and MySQL the row is theirs.
  Error raced(const std::string& what) const {
    return m_store.refused(what + " was added by another writer meanwhile (nothing was changed)",
                           ErrorKind::TempFail);
  }

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
  Found m_found;                   // the last find()
  std::vector<Name> m_found_names; // the last find_all(), and the row of each (0: none)
  std::vector<long long> m_found_all;
};

} // namespace

std::unique_ptr<StoreEdit> SqlStore::begin_edit() { return std::make_unique<SqlEdit>(*this); }

} // namespace sipcred
