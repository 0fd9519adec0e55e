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

// Asterisk reads ps_auths through sorcery's realtime wizard and res_config_odbc: the ODBC
// connection "asterisk" names a DSN of this database (odbc.ini, here without its password).
std::string asterisk_configuration(Dialect dialect, const std::string& connection,
                                   const std::string& sqlite_file) {
  std::ostringstream out;
  out << "; sorcery.conf\n[res_pjsip]\nauth=realtime,ps_auths\n\n"
      << "; extconfig.conf\n[settings]\nps_auths => odbc,asterisk\n\n"
      << "; res_odbc.conf\n[asterisk]\nenabled => yes\ndsn => asterisk\npre-connect => yes\n\n"
      << "; odbc.ini\n[asterisk]\n";
  if (dialect == Dialect::Sqlite) {
    out << "Driver = SQLite3\nDatabase = "
        << std::filesystem::absolute(sqlite_file).lexically_normal().string() << "\n";
  } else {
    auto parameters = connection_parameters(connection);
    auto get = [&](std::initializer_list<const char*> keys, const char* fallback) {
      for (const char* key : keys)
        if (auto found = parameters.find(key); found != parameters.end()) return found->second;
      return std::string(fallback);
    };
    out << "Driver = " << (dialect == Dialect::Postgresql ? "PostgreSQL Unicode" : "MariaDB")
        << "\nServer = " << get({"host", "hostaddr"}, "localhost") << "\n";
    if (std::string port = get({"port"}, ""); !port.empty()) out << "Port = " << port << "\n";
    out << "Database = " << get({"dbname", "db", "database"}, "") << "\n";
    if (std::string user = get({"user", "username"}, ""); !user.empty())
      out << "User = " << user << "\n";
  }
  out << "\n; pjsip.conf: each endpoint names its auth object, USER@DOMAIN\n"
      << "; [USER]\n; type=endpoint\n; auth=USER@DOMAIN\n";
  return out.str();
}

std::string sql_server_configuration(const Locator& locator, const StoreOptions& options,
                                     Dialect dialect, const std::string& sqlite_file,
                                     const std::set<std::string>& domains,
                                     const SchemaAccess& access) {
  std::ostringstream out;
  if (options.schema == Schema::Asterisk) {
    return asterisk_configuration(dialect, locator.connection, sqlite_file);
  }
  // The Flexisip Account Manager's database is read by Flexisip as its own.
  if (options.schema == Schema::Flexisip || options.schema == Schema::Flexiapi) {
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
  // auth_db loads the rpid column by default: without one, authentication fails with
  // "Unknown column 'rpid'" (OpenSIPS 3.6's own table lacks it).
  if (options.schema == Schema::Opensips && !access.has_column("subscriber", "rpid")) {
    out << "modparam(\"auth_db\", \"load_credentials\", \"\")\n";
  }
  if (options.schema == Schema::Kamailio) {
    out << "modparam(\"auth_db\", \"password_column\", \"ha1\")\n";
    if (options.algorithm != HashFunction::Md5) {
      out << "modparam(\"auth\", \"algorithm\", \"" << hash_name(options.algorithm) << "\")\n";
    }
  }
  return out.str();
}

} // namespace sipcred
