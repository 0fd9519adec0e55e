#include "mysql_error.hpp"

#include <soci/mysql/soci-mysql.h>

#include <errmsg.h>
#include <mysqld_error.h>

namespace sipcred {

bool is_mysql_duplicate_key(const soci::soci_error& error) {
  const auto* mysql = dynamic_cast<const soci::mysql_soci_error*>(&error);
  return mysql && mysql->err_num_ == ER_DUP_ENTRY;
}

bool is_mysql_local_infile_refused(const soci::soci_error& error) {
  const auto* mysql = dynamic_cast<const soci::mysql_soci_error*>(&error);
  // ER_NOT_ALLOWED_COMMAND: "The used command is not allowed with this MariaDB version"; 3948:
  // MySQL 8's "Loading local data is disabled; this must be enabled on both the client and
  // server sides".
  return mysql &&
         (mysql->err_num_ == ER_NOT_ALLOWED_COMMAND ||
          mysql->err_num_ == ER_LOAD_INFILE_CAPABILITY_DISABLED || mysql->err_num_ == 3948);
}

std::optional<ErrorKind> mysql_error_kind(const soci::soci_error& error) {
  const auto* mysql = dynamic_cast<const soci::mysql_soci_error*>(&error);
  if (!mysql) return std::nullopt;
  switch (mysql->err_num_) {
  case CR_CONNECTION_ERROR:
  case CR_CONN_HOST_ERROR:
  case CR_UNKNOWN_HOST:
  case CR_SERVER_GONE_ERROR:
  case CR_SERVER_LOST: return ErrorKind::Unavailable;
  case ER_DISK_FULL:
  case ER_RECORD_FILE_FULL:
  case ER_ERROR_ON_WRITE: return ErrorKind::Io;
  case ER_TABLEACCESS_DENIED_ERROR: // INSERT, UPDATE or DELETE command denied to user
  case ER_COLUMNACCESS_DENIED_ERROR:
  case ER_DBACCESS_DENIED_ERROR:
  case ER_SPECIFIC_ACCESS_DENIED_ERROR:
  case ER_OPTION_PREVENTS_STATEMENT: // --read-only server
    return ErrorKind::NoPermission;
  case ER_LOCK_WAIT_TIMEOUT:
  case ER_LOCK_DEADLOCK: return ErrorKind::TempFail;
  default:
    return mysql->get_error_category() == soci::soci_error::connection_error
               ? ErrorKind::Unavailable
               : ErrorKind::DataError;
  }
}

} // namespace sipcred
