#pragma once
// SOCI connection strings: the dialect of a backend, key=value parameters, an SQLite file.

#include "sql_schema.hpp"

#include <map>
#include <string>

namespace sipcred {

Dialect dialect_of(const std::string& backend);

// key=value pairs of a SOCI connection string (values may be 'quoted').
std::map<std::string, std::string> connection_parameters(const std::string& connection);

// The file of an SQLite connection string (db=PATH, dbname=PATH, or the whole string).
std::string sqlite_path(const std::string& connection);

// SQLite creates a missing database file with the umask's mode; credentials get 0600.
// True when it created the file.
bool prepare_sqlite_file(const std::string& path, bool create);

} // namespace sipcred
