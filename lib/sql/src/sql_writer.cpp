#include "sql_store.hpp"

#include "flexisip_loaders.hpp"
#include "sqlite_deferred_indexes.hpp"
#include "sqlite_statement.hpp"

namespace sipcred {

namespace {

// One transaction: rolled back unless committed.
class SqlWriter : public StoreWriter {
public:
  SqlWriter(SqlStore& store, OnConflict on_conflict)
      : m_store(store), m_on_conflict(on_conflict), m_transaction(store) {
    m_store.guarded([&] {
      // A table empty at the start cannot hold a conflict: no lookup per account then.
      // Rows from this run have ids above the largest one now: a unique key they hold is one
      // SOURCE repeats.
      const SchemaAccess::RunStart start = m_store.access().run_start();
      m_check_existing = start.has_rows;
      m_first_new_id = start.first_new_id;
      start_bulk_load();
      return 0;
    });
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

  void commit() override { m_transaction.commit(); }

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
    m_loader = make_flexisip_loader(m_store.session(), m_store.dialect(),
                                    [this](const Account& account) { write_row(account); });
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
  SqlTransaction m_transaction; // rolled back after the loader below is gone
  bool m_check_existing = true;
  long long m_first_new_id = 1;
  std::unique_ptr<BatchLoader> m_loader;             // flexisip schema, SQLite or PostgreSQL
  std::unique_ptr<SqliteDeferredIndexes> m_deferred; // SQLite
  Duplicates m_duplicates;
};

} // namespace

std::unique_ptr<StoreWriter> SqlStore::begin_write(OnConflict on_conflict) {
  return std::make_unique<SqlWriter>(*this, on_conflict);
}

} // namespace sipcred
