#include "sql_store.hpp"

namespace sipcred {

std::unique_ptr<Store> open_sql_store(const Locator& locator, const StoreOptions& options) {
  return std::make_unique<SqlStore>(locator, options);
}

SqlTransaction::SqlTransaction(SqlStore& store) : m_store(store) {
  m_store.guarded([&] {
    auto& session = m_store.session();
    if (m_store.dialect() == Dialect::Mysql) {
      // MySQL commits DDL implicitly: create tables before the transaction begins.
      m_store.ensure_tables();
      session << "START TRANSACTION";
    } else {
      // SQLite: take the write lock now (waiting for other writers, busy_timeout) rather than
      // fail at the first write after this one has read.
      session << (m_store.dialect() == Dialect::Sqlite ? "BEGIN IMMEDIATE" : "BEGIN");
      m_store.ensure_tables();
    }
    m_open = true;
    m_store.access().transaction_began();
    return 0;
  });
}

SqlTransaction::~SqlTransaction() {
  if (!m_open) return;
  try {
    m_store.session() << "ROLLBACK";
  } catch (...) { // the connection is gone: the server rolls back by itself
  }
}

void SqlTransaction::commit() {
  m_store.guarded([&] {
    m_store.session() << "COMMIT";
    return 0;
  });
  m_open = false;
  m_store.committed();
}

std::string SqlStore::server_configuration(const std::set<std::string>& domains) const {
  return sql_server_configuration(m_locator, m_options, m_dialect, m_sqlite_path, domains,
                                  *m_access);
}

} // namespace sipcred
