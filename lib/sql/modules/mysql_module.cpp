// libsipcred-sql's MySQL/MariaDB module (sql_backend_module.hpp): SOCI's MySQL backend,
// libmariadb.

#include "flexisip_mysql_loader.hpp"
#include "mysql_error.hpp"
#include "sql_backend_module.hpp"

#include <soci/mysql/soci-mysql.h>

namespace sipcred {

namespace {

std::unique_ptr<BatchLoader> flexisip_loader(soci::session& session,
                                             std::function<void(const Account&)> replay) {
  return std::make_unique<FlexisipMysqlLoader>(session, std::move(replay));
}

const SqlBackendModule module{soci::factory_mysql, mysql_error_kind, is_mysql_duplicate_key,
                              nullptr, flexisip_loader};

} // namespace

} // namespace sipcred

extern "C" __attribute__((visibility("default"))) const sipcred::SqlBackendModule*
sipcred_sql_mysql_module() {
  return &sipcred::module;
}
