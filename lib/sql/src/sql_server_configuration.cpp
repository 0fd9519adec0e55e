#include "sql_store.hpp"

#include <filesystem>
#include <sstream>
#include <utility>

namespace sipcred {

namespace {

// Kamailio's db_url for the same database: sqlite:///ABS, postgres://user@host/db...
std::string kamailio_db_url(Dialect dialect, const std::string& connection,
                            const std::string& sqlite_file) {
  if (dialect == Dialect::Sqlite) {
    // Kamailio wants sqlite:// then the absolute path: four slashes in all.
    return "sqlite:///" + std::filesystem::absolute(sqlite_file).lexically_normal().string();
  }
  auto parameters = connection_parameters(connection);
  auto get = [&](std::initializer_list<const char*> keys, const char* fallback) {
    for (const char* key : keys) {
      if (auto found = parameters.find(key); found != parameters.end()) {
        return found->second;
      }
    }
    return std::string(fallback);
  };
  std::string user = get({"user", "username"}, "");
  std::string host = get({"host", "hostaddr"}, "localhost");
  std::string port = get({"port"}, "");
  std::string database = get({"dbname", "db", "database"}, "");
  bool has_password = parameters.count("password") || parameters.count("pass");
  return std::string(dialect == Dialect::Postgresql ? "postgres" : "mysql") + "://" + user +
         (has_password ? ":PASSWORD" : "") + (user.empty() ? "" : "@") + host +
         (port.empty() ? "" : ":" + port) + "/" + database;
}

} // namespace

std::string sql_server_configuration(const Locator& locator, const StoreOptions& options,
                                     Dialect dialect, const std::string& sqlite_file,
                                     const std::set<std::string>& domains) {
  std::ostringstream out;
  if (options.schema == Schema::Flexisip) {
    std::string connection =
        dialect == Dialect::Sqlite
            ? "db=" + std::filesystem::absolute(sqlite_file).lexically_normal().string()
            : locator.display().substr(locator.backend.size() + 3);
    out << "[module::Authentication]\n"
        << "enabled=true\n" // the module is off by default
        << "db-implementation=soci\n"
        << "soci-backend=" << locator.backend << "\n"
        << "soci-connection-string=" << connection << "\n"
        << "soci-password-request=" << flexisip_password_request << "\n"
        << "available-algorithms=MD5 SHA-256\n";
    // Flexisip challenges only requests for its auth-domains, localhost by default.
    if (!domains.empty()) {
      const char* separator = "auth-domains=";
      for (const std::string& domain : domains) out << std::exchange(separator, " ") << domain;
      out << "\n";
    }
    if (!options.realm.empty()) {
      out << "realm=" << options.realm << "\n";
    }
    return out.str();
  }
  std::string module = dialect == Dialect::Sqlite       ? "db_sqlite"
                       : dialect == Dialect::Postgresql ? "db_postgres"
                                                        : "db_mysql";
  std::string url = kamailio_db_url(dialect, locator.connection, sqlite_file);
  out << "loadmodule \"" << module << ".so\"\n"
      << "loadmodule \"auth.so\"\n"
      << "loadmodule \"auth_db.so\"\n"
      << "modparam(\"auth_db\", \"db_url\", \"" << url << "\")\n"
      << "modparam(\"auth_db\", \"calculate_ha1\", 0)\n"
      << "modparam(\"auth_db\", \"use_domain\", 1)\n";
  if (options.schema == Schema::Kamailio) {
    out << "modparam(\"auth_db\", \"password_column\", \"ha1\")\n";
    if (options.algorithm != HashFunction::Md5) {
      out << "modparam(\"auth\", \"algorithm\", \"" << hash_name(options.algorithm) << "\")\n";
    }
  }
  return out.str();
}

} // namespace sipcred
