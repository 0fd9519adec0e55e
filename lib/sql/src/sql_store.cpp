#include "sql_store.hpp"

namespace sipcred {

std::unique_ptr<Store> open_sql_store(const Locator& locator, const StoreOptions& options) {
  return std::make_unique<SqlStore>(locator, options);
}

std::string SqlStore::server_configuration(const std::set<std::string>& domains) const {
  return sql_server_configuration(m_locator, m_options, m_dialect, m_sqlite_path, domains,
                                  *m_access);
}

} // namespace sipcred
