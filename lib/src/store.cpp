#include "sipcred/store.hpp"

#include "file_store.hpp"
#include "sipcred/error.hpp"
#include "sql_store.hpp"
#include "text_stores.hpp"

#include <array>
#include <filesystem>
#include <regex>

namespace sipcred {

namespace {

struct Prefix {
  std::string_view text;
  StoreKind kind;
};
constexpr std::array file_prefixes{
    Prefix{"htdigest:", StoreKind::Htdigest},
    Prefix{"pjsip:", StoreKind::Pjsip},
    Prefix{"csv:", StoreKind::Csv},
    Prefix{"jsonl:", StoreKind::JsonLines},
};
constexpr std::array<std::string_view, 3> sql_backends{"sqlite3", "postgresql", "mysql"};

} // namespace

Locator parse_locator(std::string_view text) {
  Locator locator;
  if (auto scheme_end = text.find("://"); scheme_end != std::string_view::npos) {
    std::string_view backend = text.substr(0, scheme_end);
    if (backend == "sqlite" || backend == "postgres" || backend == "pgsql") {
      backend = backend == "sqlite" ? "sqlite3" : "postgresql";
    }
    bool known = false;
    for (auto name : sql_backends) {
      known = known || name == backend;
    }
    if (!known) {
      throw Error(ErrorKind::Usage, "unknown database backend \"" + std::string(backend) +
                                        "\" in \"" + std::string(text) +
                                        "\": expected sqlite3://, postgresql:// or mysql://");
    }
    locator.kind = StoreKind::Sql;
    locator.backend = backend;
    locator.connection = text.substr(scheme_end + 3);
    if (locator.connection.empty()) {
      throw Error(ErrorKind::Usage,
                  "empty connection string in \"" + std::string(text) + "\": expected " +
                      (backend == "sqlite3" ? "sqlite3://db=PATH"
                                            : std::string(backend) + "://dbname=D host=H ..."));
    }
    return locator;
  }
  locator.path = text;
  for (const auto& prefix : file_prefixes) {
    if (text.substr(0, prefix.text.size()) == prefix.text) {
      locator.kind = prefix.kind;
      locator.path = text.substr(prefix.text.size());
    }
  }
  if (locator.path.empty()) {
    throw Error(ErrorKind::Usage, "no path in the store locator \"" + std::string(text) + "\"");
  }
  return locator;
}

std::string Locator::display() const {
  if (kind != StoreKind::Sql) {
    for (const auto& prefix : file_prefixes) {
      if (prefix.kind == kind) {
        return std::string(prefix.text) + path;
      }
    }
    return path;
  }
  // password=secret, password='se cret', pass=... : never shown.
  static const std::regex password(R"((\b(?:password|pass)\s*=\s*)('[^']*'|\S+))",
                                   std::regex::icase);
  return backend + "://" + std::regex_replace(connection, password, "$1***");
}

namespace {

// The file a locator names (an SQLite database's db=PATH), resolved; "" for a server.
std::string file_of(const Locator& locator) {
  std::string path = locator.path;
  if (locator.kind == StoreKind::Sql) {
    if (locator.backend != "sqlite3") {
      return {};
    }
    static const std::regex db(R"((?:^|\s)db(?:name)?\s*=\s*('[^']*'|\S+))");
    std::smatch match;
    path = std::regex_search(locator.connection, match, db) ? match[1].str() : locator.connection;
    if (path.size() >= 2 && path.front() == '\'') {
      path = path.substr(1, path.size() - 2);
    }
  }
  std::error_code ignored;
  return std::filesystem::weakly_canonical(path, ignored).string();
}

} // namespace

bool Locator::same_store(const Locator& other) const {
  std::string file = file_of(*this);
  if (!file.empty() || !file_of(other).empty()) {
    return file == file_of(other);
  }
  return backend == other.backend && connection == other.connection;
}

std::optional<Schema> parse_schema(std::string_view name) {
  for (Schema schema : {Schema::Flexisip, Schema::Kamailio, Schema::Opensips}) {
    if (schema_name(schema) == name) {
      return schema;
    }
  }
  return std::nullopt;
}

std::string_view schema_name(Schema schema) {
  switch (schema) {
  case Schema::Flexisip: return "flexisip";
  case Schema::Kamailio: return "kamailio";
  case Schema::Opensips: return "opensips";
  }
  return "";
}

void AccountNotes::add(std::string identity, std::string reason) {
  if (count++ < listed_at_most) {
    listed.push_back({std::move(identity), std::move(reason)});
  }
}

void Duplicates::add(const std::string& identity, std::size_t replaced_credentials) {
  notes.add(identity, "listed again later in SOURCE: the last entry is kept, as Flexisip does");
  ++earlier[identity];
  credentials += replaced_credentials;
}

std::unique_ptr<Store> open_store(const Locator& locator, const StoreOptions& options) {
  switch (locator.kind) {
  case StoreKind::Userdb: return std::make_unique<FileStore>(locator.path, options);
  case StoreKind::Sql: return open_sql_store(locator, options);
  case StoreKind::Htdigest:
  case StoreKind::Pjsip:
  case StoreKind::Csv:
  case StoreKind::JsonLines: return open_text_store(locator, options);
  }
  throw Error(ErrorKind::Internal, "unknown store kind");
}

} // namespace sipcred
