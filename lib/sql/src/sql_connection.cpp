#include "sql_connection.hpp"

#include "sipcred/util/error.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace sipcred {

Dialect dialect_of(const std::string& backend) {
  if (backend == "sqlite3") {
    return Dialect::Sqlite;
  }
  return backend == "postgresql" ? Dialect::Postgresql : Dialect::Mysql;
}

std::map<std::string, std::string> connection_parameters(const std::string& connection) {
  std::map<std::string, std::string> parameters;
  std::size_t at = 0;
  while (at < connection.size()) {
    while (at < connection.size() && connection[at] == ' ') {
      ++at;
    }
    auto equals = connection.find('=', at);
    if (equals == std::string::npos) {
      break;
    }
    std::string key = connection.substr(at, equals - at);
    std::string value;
    at = equals + 1;
    if (at < connection.size() && connection[at] == '\'') {
      auto end = connection.find('\'', at + 1);
      value = connection.substr(at + 1, end == std::string::npos ? end : end - at - 1);
      at = end == std::string::npos ? connection.size() : end + 1;
    } else {
      auto end = connection.find(' ', at);
      value = connection.substr(at, end == std::string::npos ? end : end - at);
      at = end == std::string::npos ? connection.size() : end;
    }
    parameters[key] = value;
  }
  return parameters;
}

std::string sqlite_path(const std::string& connection) {
  if (connection.find('=') == std::string::npos) {
    return connection;
  }
  auto parameters = connection_parameters(connection);
  auto db = parameters.find("db");
  if (db == parameters.end()) {
    db = parameters.find("dbname");
  }
  if (db == parameters.end() || db->second.empty()) {
    throw Error(ErrorKind::Usage,
                "no db=PATH in the SQLite locator \"sqlite3://" + connection + "\"");
  }
  return db->second;
}

bool prepare_sqlite_file(const std::string& path, bool create) {
  std::error_code error;
  if (std::filesystem::exists(path, error)) {
    return false;
  }
  if (!create) {
    throw Error(
        ErrorKind::NoInput,
        path + ": no such SQLite database (sipcred-migrate --create-schema or sipcred-user init "
               "creates it)");
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw Error(ErrorKind::CannotCreate, path + ": " + std::strerror(errno));
  }
  ::close(fd);
  return true;
}

} // namespace sipcred
