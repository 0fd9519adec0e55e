#include "flexisip_loaders.hpp"

#include "flexisip_copy_loader.hpp"
#include "flexisip_sqlite_loader.hpp"
#include "sql_backend_module.hpp"

namespace sipcred {

std::unique_ptr<BatchLoader> make_flexisip_loader(soci::session& session, Dialect dialect,
                                                  std::function<void(const Account&)> replay) {
  switch (dialect) {
  case Dialect::Sqlite: return std::make_unique<FlexisipSqliteLoader>(session, std::move(replay));
  case Dialect::Mysql: return backend_module(dialect).flexisip_loader(session, std::move(replay));
  case Dialect::Postgresql: {
    auto sequence = open_postgresql_copy(session)->column("SELECT pg_get_serial_sequence($1, 'id')",
                                                          {"accounts"});
    if (sequence.empty() || sequence.front().empty()) return nullptr;
    return std::make_unique<FlexisipCopyLoader>(session, sequence.front(), std::move(replay));
  }
  }
  return nullptr;
}

} // namespace sipcred
