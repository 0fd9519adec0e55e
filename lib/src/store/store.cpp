#include "sipcred/store/store.hpp"

#include "formats/freeswitch_store.hpp"
#include "formats/text_stores.hpp"
#include "sipcred/util/error.hpp"
#include "userdb/file_store.hpp"
#include "util/text.hpp"

#include <array>
#include <filesystem>
#include <regex>

namespace sipcred {

namespace {

std::unique_ptr<Store> open_userdb(const Locator& locator, const StoreOptions& options) {
  return std::make_unique<FileStore>(locator.path, options);
}

// The file stores, always there; databases are added by add_database_stores() (the tools, or
// libsipcred-sql itself).
std::vector<StoreBackend>& backends() {
  static std::vector<StoreBackend> table{
      {StoreKind::Userdb, "", "PATH", "a Flexisip version:1 userdb", open_userdb},
      {StoreKind::Htdigest, "htdigest:", "htdigest:PATH", "Apache htdigest (user:realm:MD5)",
       open_text_store},
      {StoreKind::Pjsip, "pjsip:", "pjsip:PATH", "Asterisk pjsip.conf type=auth sections",
       open_text_store},
      {StoreKind::Csv, "csv:", "csv:PATH", "CSV list of clear-text passwords", open_text_store},
      {StoreKind::JsonLines, "jsonl:", "jsonl:PATH", "JSON lines list of clear-text passwords",
       open_text_store},
      {StoreKind::Freeswitch, "freeswitch:", "freeswitch:PATH",
       "FreeSWITCH directory XML (a directory of user files, or one file)", open_freeswitch_store},
  };
  return table;
}

// SOCI's other names for two backends, as flexisip.conf may spell them.
std::string_view canonical_backend(std::string_view name) {
  if (name == "sqlite") return "sqlite3";
  if (name == "postgres" || name == "pgsql") return "postgresql";
  return name;
}

// "sqlite3://, postgresql:// or mysql://"
std::string database_prefixes() {
  std::vector<std::string_view> prefixes;
  for (const StoreBackend& entry : backends())
    if (entry.is_database()) prefixes.push_back(entry.prefix);
  std::string out;
  for (std::size_t i = 0; i < prefixes.size(); ++i) {
    if (i > 0) out += i + 1 == prefixes.size() ? " or " : ", ";
    out += prefixes[i];
  }
  return out;
}

Error no_databases(std::string_view locator) {
  return Error(ErrorKind::Usage, "\"" + std::string(locator) +
                                     "\" names a database, and this program has no SQL stores "
                                     "(it is built without libsipcred-sql)");
}

// The database backend `backend` names (SOCI's other names too), or Error(Usage): an unknown
// one, or any when this program added no SQL stores. `shown` is the locator for the message.
const StoreBackend& database(std::string_view backend, std::string_view shown) {
  for (const StoreBackend& entry : backends())
    if (entry.is_database() && entry.backend() == canonical_backend(backend)) return entry;
  const std::string expected = database_prefixes();
  if (expected.empty()) throw no_databases(shown);
  throw Error(ErrorKind::Usage, "unknown database backend \"" + std::string(backend) + "\" in \"" +
                                    std::string(shown) + "\": expected " + expected);
}

} // namespace

const std::vector<StoreBackend>& store_backends() { return backends(); }

void add_store_backend(const StoreBackend& backend) {
  for (StoreBackend& entry : backends())
    if (entry.prefix == backend.prefix) {
      entry = backend;
      return;
    }
  backends().push_back(backend);
}

Locator parse_locator(std::string_view text) {
  Locator locator;
  if (auto scheme_end = text.find("://"); scheme_end != std::string_view::npos) {
    const StoreBackend& entry = database(text.substr(0, scheme_end), text);
    locator.kind = StoreKind::Sql;
    locator.backend = entry.backend();
    locator.connection = text.substr(scheme_end + 3);
    if (locator.connection.empty()) {
      throw Error(ErrorKind::Usage, "empty connection string in \"" + std::string(text) +
                                        "\": expected " + std::string(entry.form));
    }
    return locator;
  }
  locator.path = text;
  for (const StoreBackend& entry : backends()) {
    if (!entry.is_database() && !entry.prefix.empty() && text.starts_with(entry.prefix)) {
      locator.kind = entry.kind;
      locator.path = text.substr(entry.prefix.size());
    }
  }
  if (locator.path.empty()) {
    throw Error(ErrorKind::Usage, "no path in the store locator \"" + std::string(text) + "\"");
  }
  return locator;
}

std::string Locator::display() const {
  if (kind != StoreKind::Sql) {
    for (const StoreBackend& entry : backends())
      if (entry.kind == kind) return std::string(entry.prefix) + path;
    return path;
  }
  return backend + "://" + masked_connection(connection);
}

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Keys whose value is a secret: SOCI's MySQL backend reads pass and password
// (SOCI/soci src/backends/mysql/session.cpp, parse_connect_string), libpq password and
// sslpassword (the client key's passphrase).
bool is_secret_key(std::string_view key) {
  return iequals(key, "pass") ||
         (key.size() >= 8 && iequals(key.substr(key.size() - 8), "password"));
}

// A URI as libpq reads one (postgresql://user:PASSWORD@host/db?password=PASSWORD&...), with
// or without its scheme: the password of the user information and of the query masked.
std::string masked_uri(std::string_view uri) {
  std::string out;
  if (const std::size_t scheme = uri.find("://"); scheme != std::string_view::npos) {
    out = uri.substr(0, scheme + 3);
    uri.remove_prefix(scheme + 3);
  }
  const std::size_t authority_end = std::min(uri.find_first_of("/?#"), uri.size());
  const std::size_t at = uri.substr(0, authority_end).rfind('@');
  if (at != std::string_view::npos) {
    const std::size_t colon = uri.substr(0, at).find(':');
    out += colon == std::string_view::npos ? uri.substr(0, at + 1)
                                           : std::string(uri.substr(0, colon)) + ":***@";
    uri.remove_prefix(at + 1);
  }
  const std::size_t query = uri.find('?');
  out += uri.substr(0, query);
  if (query == std::string_view::npos) return out;
  uri.remove_prefix(query);
  while (!uri.empty()) { // "?k=v" or "&k=v"
    const std::size_t end = std::min(uri.find('&', 1), uri.size());
    const std::string_view parameter = uri.substr(0, end);
    const std::size_t equals = parameter.find('=');
    out += equals != std::string_view::npos && is_secret_key(parameter.substr(1, equals - 1))
               ? std::string(parameter.substr(0, equals + 1)) + "***"
               : std::string(parameter);
    uri.remove_prefix(end);
  }
  return out;
}

} // namespace

// key = value pairs as SOCI's MySQL backend and libpq read them: spaces around '=', a value
// either 'quoted' or up to a space, a backslash escaping the next byte in both. Anything else
// (a URI: an '@' before any '=') is read as libpq reads a URI.
std::string masked_connection(std::string_view connection) {
  const std::size_t at = connection.find('@');
  if (connection.find("://") != std::string_view::npos ||
      (at != std::string_view::npos &&
       connection.substr(0, at).find('=') == std::string_view::npos))
    return masked_uri(connection);
  std::string out;
  std::size_t i = 0;
  const auto spaces = [&] {
    const std::size_t from = i;
    while (i < connection.size() && is_space(connection[i])) ++i;
    out += connection.substr(from, i - from);
  };
  while (i < connection.size()) {
    spaces();
    const std::size_t key_start = i;
    while (i < connection.size() && connection[i] != '=' && !is_space(connection[i])) ++i;
    const std::string_view key = connection.substr(key_start, i - key_start);
    out += key;
    spaces();
    if (i >= connection.size() || connection[i] != '=') continue; // not a pair: copied as is
    out += '=';
    ++i;
    spaces();
    const std::size_t value_start = i;
    const bool quoted = i < connection.size() && connection[i] == '\'';
    if (quoted) ++i;
    for (; i < connection.size(); ++i) {
      if (connection[i] == '\\') {
        ++i;
        continue;
      }
      if (quoted ? connection[i] == '\'' : is_space(connection[i])) break;
    }
    if (quoted && i < connection.size()) ++i; // the closing quote
    i = std::min(i, connection.size());
    out += is_secret_key(key) ? std::string_view("***")
                              : connection.substr(value_start, i - value_start);
  }
  return out;
}

std::string with_connection_password(const Locator& locator, std::string_view password) {
  const std::string& connection = locator.connection;
  const std::size_t at = connection.find('@');
  const bool uri =
      connection.find("://") != std::string::npos ||
      (at != std::string::npos && connection.substr(0, at).find('=') == std::string::npos);
  if (uri) { // libpq: ?password=, percent-encoded
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string encoded;
    for (unsigned char c : password) {
      if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
          c == '.' || c == '_' || c == '~') {
        encoded += static_cast<char>(c);
      } else {
        encoded += '%';
        encoded += hex[c >> 4];
        encoded += hex[c & 15];
      }
    }
    return connection + (connection.find('?') == std::string::npos ? "?" : "&") +
           "password=" + encoded;
  }
  std::string quoted = "'";
  for (char c : password) {
    if (c == '\\' || c == '\'') quoted += '\\';
    quoted += c;
  }
  return connection + " password=" + quoted + "'";
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
  for (Schema schema : all_schemas) {
    if (schema_name(schema) == name) {
      return schema;
    }
  }
  return std::nullopt;
}

std::string_view schema_name(Schema schema) {
  switch (schema) {
  case Schema::Flexisip: return "flexisip";
  case Schema::Flexiapi: return "flexiapi";
  case Schema::Kamailio: return "kamailio";
  case Schema::Opensips: return "opensips";
  case Schema::Asterisk: return "asterisk";
  }
  return "";
}

std::string schema_names() {
  std::string names;
  const std::size_t count = std::size(all_schemas);
  for (std::size_t i = 0; i < count; ++i) {
    names += i == 0 ? "" : i + 1 == count ? " or " : ", ";
    names += schema_name(all_schemas[i]);
  }
  return names;
}

std::string schema_algorithm_refusal(Schema schema, HashFunction algorithm) {
  if (schema == Schema::Kamailio && algorithm != HashFunction::Md5 &&
      algorithm != HashFunction::Sha256)
    return "Kamailio's auth module hashes with MD5 or SHA-256 only";
  return {};
}

std::optional<Account> Store::stored(const std::string& user, const std::string& domain) {
  std::optional<Account> found;
  read([&](Account&& account) {
    if (account.user == user && account.domain == domain) found = std::move(account);
  });
  return found;
}

std::vector<std::optional<Account>> StoreEdit::find_all(const std::vector<Name>& names) {
  std::vector<std::optional<Account>> found;
  found.reserve(names.size());
  for (const Name& name : names) found.push_back(find(name.user, name.domain));
  return found;
}

void StoreEdit::put_all(const std::vector<Account>& accounts,
                        const std::vector<std::string_view>& passwords) {
  for (std::size_t i = 0; i < accounts.size(); ++i) put(accounts[i], passwords[i]);
}

std::unique_ptr<StoreEdit> Store::begin_edit() {
  throw Error(ErrorKind::Usage, "this kind of store cannot be edited account by account; "
                                "sipcred-migrate writes it whole");
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
  if (locator.kind == StoreKind::Sql)
    return database(locator.backend, locator.display()).open(locator, options);
  for (const StoreBackend& entry : backends())
    if (entry.kind == locator.kind) return entry.open(locator, options);
  throw Error(ErrorKind::Internal, "unknown store kind");
}

} // namespace sipcred
