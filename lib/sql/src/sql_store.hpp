#pragma once
// SQL stores through SOCI: SQLite, PostgreSQL and MySQL/MariaDB, in the schema of a server
// (Schema).

#include "schema_access.hpp"
#include "sql_backend_module.hpp"
#include "sql_connection.hpp"

#include "sipcred/store/store.hpp"

#include <soci/soci.h>

#include <filesystem>
#include <memory>
#include <set>

namespace sipcred {

// Error(Unavailable) when the database cannot be reached, Error(NoInput) for an SQLite file
// that does not exist (unless options.create_schema: then it is created, mode 0600).
class SqlStore : public Store {
public:
  SqlStore(const Locator& locator, const StoreOptions& options)
      : m_locator(locator), m_options(options), m_dialect(dialect_of(locator.backend)) {
    if (m_dialect == Dialect::Sqlite) {
      m_sqlite_path = sqlite_path(locator.connection);
      m_created_file = prepare_sqlite_file(m_sqlite_path, options.create_schema);
    }
    const soci::backend_factory* factory = backend_module(m_dialect).factory();
    try {
      m_session.open(*factory, locator.connection);
    } catch (const soci::soci_error& error) {
      // An SQLite file that cannot be opened is no server out of reach.
      const ErrorKind kind =
          m_dialect == Dialect::Sqlite ? database_error_kind(error) : ErrorKind::Unavailable;
      throw Error(kind, "cannot connect to " + m_locator.display() + ": " +
                            database_reason(error.what()));
    }
    if (m_dialect == Dialect::Sqlite && !connection_parameters(locator.connection).count("timeout"))
      // Wait up to 30 s for other writers' transactions rather than fail at once: concurrent
      // sipcred-user commands hold the lock for milliseconds each, but SQLite's wait is not a
      // queue, and 16 writers at once starved one past 5 s on a loaded machine. Longer is exit
      // 75; SOCI's timeout=SECONDS in the connection string sets another wait.
      m_session << "PRAGMA busy_timeout = 30000";
    m_access = make_access(m_session, m_dialect, options);
  }

  ~SqlStore() override {
    if (m_created_file && !m_committed) {
      m_access.reset();
      m_session.close();
      std::error_code ignored;
      std::filesystem::remove(m_sqlite_path, ignored);
      std::filesystem::remove(m_sqlite_path + "-journal", ignored);
    }
  }

  CredentialNeeds needs() const override { return m_access->needs(); }
  std::string refusal(const Account& account) const override { return m_access->refusal(account); }
  void committed() { m_committed = true; }

  std::optional<std::size_t> size_hint() override {
    return guarded([&] {
      require_tables();
      long long count = 0;
      m_session << "SELECT COUNT(*) FROM " + std::string(m_access->main_table()), soci::into(count);
      return std::optional<std::size_t>(static_cast<std::size_t>(count));
    });
  }

  void read(const std::function<void(Account&&)>& visit) override {
    guarded([&] {
      require_tables();
      long long after = 0;
      std::vector<Account> page;
      while (true) {
        page.clear();
        long long last = m_access->read_page(after, page, page_size);
        for (auto& account : page) {
          visit(std::move(account));
        }
        if (last == after) {
          return 0;
        }
        after = last;
      }
    });
  }

  std::unique_ptr<StoreWriter> begin_write(OnConflict on_conflict) override;
  bool can_edit() const override { return true; }
  std::unique_ptr<StoreEdit> begin_edit() override;

  std::optional<Account> stored(const std::string& user, const std::string& domain) override {
    return guarded([&]() -> std::optional<Account> {
      require_tables();
      const std::optional<long long> id = m_access->find(Account{user, domain, "", "", {}});
      if (!id) return std::nullopt;
      return m_access->read_one(*id, user, domain);
    });
  }

  std::optional<Account> lookup(const Account& account) override {
    return guarded([&] { return m_access->lookup(account); });
  }

  std::vector<OtherDigestUsername> other_digest_usernames(const Account& account) const override {
    return m_access->other_digest_usernames(account);
  }

  std::string server_configuration(const std::set<std::string>& domains) const override;

  // Runs `body`, turning database errors into sipcred errors that name the store.
  template <typename Body> auto guarded(Body&& body) -> decltype(body()) {
    try {
      return body();
    } catch (const soci::soci_error& error) {
      throw refused(error.what(), database_error_kind(error));
    } catch (const DatabaseError& error) {
      throw refused(error.what(), error.kind());
    }
  }

  // The store's name, the database's reason, and the kind its code says (database_error.hpp).
  Error refused(const std::string& reason, ErrorKind kind = ErrorKind::DataError) const {
    return Error(kind, m_locator.display() + ": " + database_reason(reason));
  }
  const StoreOptions& options() const { return m_options; }

  soci::session& session() { return m_session; }
  SchemaAccess& access() { return *m_access; }
  Dialect dialect() const { return m_dialect; }

  // Creates the schema's missing tables (and its version row), or says what is missing.
  void ensure_tables() {
    auto tables = schema_tables(m_options.schema, m_dialect);
    for (const auto& table : tables.tables) {
      if (has_table(table.name)) {
        continue;
      }
      if (!m_options.create_schema) {
        throw missing_table(table.name);
      }
      for (const auto& statement : table.statements) {
        m_session << statement;
      }
    }
    if (tables.version_row) {
      check_version_row(*tables.version_row);
    }
  }

private:
  // A missing table is missing input (exit 66), as a missing file is.
  Error missing_table(std::string_view table) const {
    return Error(ErrorKind::NoInput,
                 m_locator.display() + ": no table \"" + std::string(table) + "\" of the " +
                     std::string(schema_name(m_options.schema)) +
                     " schema (sipcred-migrate --create-schema or sipcred-user init creates it)");
  }

  void require_tables() {
    if (!has_table(m_access->main_table())) {
      throw missing_table(m_access->main_table());
    }
  }

  bool has_table(std::string_view table) {
    long long count = 0;
    std::string name(table);
    switch (m_dialect) {
    case Dialect::Sqlite:
      m_session << "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = :name",
          soci::into(count), soci::use(name);
      break;
    case Dialect::Postgresql:
      m_session << "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = "
                   "current_schema() AND table_name = :name",
          soci::into(count), soci::use(name);
      break;
    case Dialect::Mysql:
      m_session << "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = "
                   "DATABASE() AND table_name = :name",
          soci::into(count), soci::use(name);
      break;
    }
    return count > 0;
  }

  // The servers refuse to start without their table's version row, or with another version.
  void check_version_row(const TableVersion& expected) {
    std::string table(expected.table);
    int version = 0;
    m_session << "SELECT table_version FROM version WHERE table_name = :name", soci::into(version),
        soci::use(table);
    if (!m_session.got_data()) {
      if (!m_options.create_schema) {
        throw Error(ErrorKind::Usage, m_locator.display() + ": no row for \"" + table +
                                          "\" in the version table, which the server requires "
                                          "(--create-schema adds it)");
      }
      int wanted = expected.version;
      m_session << "INSERT INTO version (table_name, table_version) VALUES (:name, :version)",
          soci::use(table), soci::use(wanted);
    } else if (version != expected.version) {
      throw Error(ErrorKind::DataError, m_locator.display() + ": table \"" + table +
                                            "\" is at version " + std::to_string(version) +
                                            ", the " + std::string(schema_name(m_options.schema)) +
                                            " schema needs version " +
                                            std::to_string(expected.version));
    }
  }

  Locator m_locator;
  StoreOptions m_options;
  Dialect m_dialect;
  std::string m_sqlite_path;
  bool m_created_file = false; // an SQLite file this run created: removed unless committed
  bool m_committed = false;
  soci::session m_session;
  std::unique_ptr<SchemaAccess> m_access;
};

// One transaction on the store's session, for a writer or an edit: begun with the schema's
// tables in place, rolled back unless committed (also when the connection is gone: then the
// server rolls back by itself).
class SqlTransaction {
public:
  explicit SqlTransaction(SqlStore& store);
  ~SqlTransaction();
  SqlTransaction(const SqlTransaction&) = delete;
  SqlTransaction& operator=(const SqlTransaction&) = delete;
  void commit();

private:
  SqlStore& m_store;
  bool m_open = false;
};

// The configuration of the server that reads `locator` in options.schema, for accounts of
// `domains` (SqlStore::server_configuration). Never contains a password.
std::string sql_server_configuration(const Locator& locator, const StoreOptions& options,
                                     Dialect dialect, const std::string& sqlite_file,
                                     const std::set<std::string>& domains,
                                     const SchemaAccess& access);

// Error(Unavailable) when the database cannot be reached, Error(NoInput) for an SQLite file
// that does not exist (unless options.create_schema: then it is created, mode 0600).
std::unique_ptr<Store> open_sql_store(const Locator& locator, const StoreOptions& options);

} // namespace sipcred
