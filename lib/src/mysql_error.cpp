#include "mysql_error.hpp"

#include <soci/mysql/soci-mysql.h>

#include <mysqld_error.h>

namespace sipcred {

bool is_mysql_duplicate_key(const soci::soci_error& error) {
  const auto* mysql = dynamic_cast<const soci::mysql_soci_error*>(&error);
  return mysql && mysql->err_num_ == ER_DUP_ENTRY;
}

} // namespace sipcred
