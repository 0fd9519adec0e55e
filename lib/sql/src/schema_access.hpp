#pragma once
// The statements of one server's schema behind one interface (SchemaAccess), and what the
// schemas share: a stored account's credentials, the INSERT of a main row.

#include "database_error.hpp"
#include "sql_schema.hpp"

#include "sipcred/store/store.hpp"

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sipcred {

constexpr long long page_size = 1000; // accounts read per query: memory stays bounded

const Credential* hash_of(const Account& account, HashFunction hash);
std::string hash_value(const Account& account, HashFunction hash);
std::string clear_value(const Account& account);
// A stored hex value: MD5 by its length, else the 64-digit algorithm the store is set for.
HashFunction hash_by_length(const std::string& hex, HashFunction configured);

// Runs the INSERT of an account's main row: a unique key refusal (SQLite and MySQL through
// SOCI) becomes DuplicateKey, for the writer to tell a repeat from a conflict. (PostgreSQL's
// inserts say it without an error, which would abort the transaction.)
template <typename Insert> void insert_main_row(Insert&& insert) {
  try {
    insert();
  } catch (const soci::soci_error& error) {
    if (is_duplicate_key(error)) throw DuplicateKey(error.what());
    throw;
  }
}

// The statements of one schema. Each binds to its own members, so a statement is prepared once
// and run per account.
class SchemaAccess {
public:
  SchemaAccess(soci::session& session, Dialect dialect, const StoreOptions& options)
      : m_session(session), m_dialect(dialect), m_options(options) {}
  virtual ~SchemaAccess() = default;
  virtual std::string_view main_table() const = 0;
  virtual CredentialNeeds needs() const = 0;
  // Why the database cannot hold the account as the servers' own scripts make its columns
  // (sql_schema.cpp), or "": on PostgreSQL and MySQL, user, domain and phone in VARCHAR(64)
  // and every text valid UTF-8 without NUL (SQLite keeps any bytes at any length). Then what
  // the schema itself refuses.
  std::string refusal(const Account& account) const;
  // Accounts with an id above `after`, at most `limit` (page_size for a read), in id order;
  // returns the last id.
  virtual long long read_page(long long after, std::vector<Account>& page, long long limit) = 0;
  // The stored account of a row find() gave (no credentials when its server would skip the
  // row: a Flexisip account not activated). A schema may override it with statements prepared
  // once: an import reads one row per account.
  virtual Account read_one(long long id, const std::string& user, const std::string& domain) {
    std::vector<Account> page;
    read_page(id - 1, page, 1);
    if (page.empty() || page.front().user != user || page.front().domain != domain)
      return Account{user, domain, "", "", {}};
    return std::move(page.front());
  }
  // Called after each BEGIN of a writer or an edit: forgets what the access knew of rows of
  // earlier transactions, which may have been rolled back.
  virtual void transaction_began() {}
  // Where a writer's run starts: whether the main table has rows, and the first id the rows
  // this run inserts can have (the rows of earlier runs have lower ones).
  struct RunStart {
    bool has_rows = false;
    long long first_new_id = 1;
  };
  virtual RunStart run_start() {
    long long present = 0, largest = 0;
    soci::indicator none = soci::i_ok;
    m_session << "SELECT COUNT(*), MAX(id) FROM " + std::string(main_table()), soci::into(present),
        soci::into(largest, none);
    return {present > 0, (none == soci::i_null ? 0 : largest) + 1};
  }
  // The id of the account's row, by the unique key of most schemas: (username, domain).
  virtual std::optional<long long> find(const Account& account) {
    if (!m_find) {
      m_find = std::make_unique<soci::statement>(
          (m_session.prepare << "SELECT id FROM " + std::string(main_table()) +
                                    " WHERE username = :username AND domain = :domain",
           soci::into(m_found_id), soci::use(m_find_user), soci::use(m_find_domain)));
    }
    m_find_user = account.user;
    m_find_domain = account.domain;
    m_find->execute();
    return m_find->fetch() ? std::optional<long long>(m_found_id) : std::nullopt;
  }
  virtual void insert(const Account& account) = 0;

  // For an import (StoreEdit::find_all, put_all): find() and read_one() of each of `names`
  // (distinct), and the writes of many accounts. A schema may override them with a few
  // statements for the whole set; these do each account in turn.
  struct Found {
    long long id = 0;
    Account account;
  };
  virtual std::vector<std::optional<Found>> find_many(const std::vector<StoreEdit::Name>& names) {
    std::vector<std::optional<Found>> found;
    found.reserve(names.size());
    for (const StoreEdit::Name& name : names) {
      const std::optional<long long> id = find(Account{name.user, name.domain, "", "", {}});
      if (id)
        found.push_back(Found{*id, read_one(*id, name.user, name.domain)});
      else
        found.push_back(std::nullopt);
    }
    return found;
  }
  struct Write {
    long long id = 0; // update(): the row; insert(): 0
    const Account* account = nullptr;
    std::string_view password; // derive_from()
  };
  // update() of each write with an id, insert() of each without. DuplicateKey, whose message
  // names the account (user@domain) or says "an account of the list", when another writer has
  // the key of an account to insert.
  virtual void write_many(const std::vector<Write>& writes) {
    for (const Write& write : writes) {
      derive_from(write.password);
      struct Forget {
        SchemaAccess& access;
        ~Forget() { access.derive_from({}); }
      } const forget{*this};
      if (write.id) {
        update(write.id, *write.account);
        continue;
      }
      try {
        insert(*write.account);
      } catch (const DuplicateKey&) {
        throw DuplicateKey(write.account->identity());
      }
    }
  }

  // Deletes the row and the rows that hang on it.
  virtual void remove(long long id) = 0;
  // The clear password the next insert() or update() derives what it needs from besides the
  // account's credentials (Kamailio's ha1b), when the account holds no clear text; "" for none.
  void derive_from(std::string_view password) { m_derive_from = password; }
  // Replaces the row's credentials; returns how many it had.
  virtual std::size_t update(long long id, const Account& account) = 0;
  virtual std::optional<Account> lookup(const Account& account) = 0;
  virtual std::vector<OtherDigestUsername>
  other_digest_usernames(const Account& /*account*/) const {
    return {};
  }
  // The tables a load fills, in the order rows go in: the unique indexes of their own that an
  // SQLite load into an empty table drops and builds again afterwards.
  virtual std::vector<std::string> tables() const = 0;
  // Whether the existing `table` has `column` (lowercase); false when there is no table.
  bool has_column(std::string_view table, std::string_view column) const;

  // Deletes each row of the main table whose (username, domain) a later row repeats, with the
  // rows that hang on it, and records them: the last entry of a repeated account is kept. For
  // a load without the unique index, so set-based. Returns how many rows it deleted.
  virtual std::size_t remove_repeats(Duplicates& duplicates) {
    const std::string table(main_table());
    m_session << "CREATE TEMP TABLE sipcred_repeats AS SELECT t.id AS id FROM " + table +
                     " t JOIN (SELECT username, domain, MAX(id) AS last FROM " + table +
                     " GROUP BY username, domain HAVING COUNT(*) > 1) r ON t.username = "
                     "r.username AND t.domain = r.domain AND t.id < r.last";
    std::string user, domain;
    long long credentials = 0;
    soci::statement repeats = (m_session.prepare << repeats_query(), soci::into(user),
                               soci::into(domain), soci::into(credentials));
    repeats.execute();
    std::size_t removed = 0;
    while (repeats.fetch()) {
      duplicates.add(Account{user, domain, "", "", {}}.identity(),
                     static_cast<std::size_t>(credentials));
      ++removed;
    }
    for (const auto& statement : repeats_deletes()) {
      m_session << statement;
    }
    m_session << "DROP TABLE sipcred_repeats";
    return removed;
  }

protected:
  virtual std::string schema_refusal(const Account& /*account*/) const { return {}; }
  // username, domain and the number of credentials of each row listed in sipcred_repeats.
  virtual std::string repeats_query() const = 0;
  // Deletes the rows listed in sipcred_repeats.
  virtual std::vector<std::string> repeats_deletes() const = 0;

  std::string realm_of(const std::string& domain) const {
    return m_options.realm.empty() ? domain : m_options.realm;
  }
  // The account's clear text, else the password derive_from() gave.
  std::string password_to_derive_from(const Account& account) const {
    const std::string clear = clear_value(account);
    return clear.empty() ? std::string(m_derive_from) : clear;
  }
  soci::session& m_session;
  Dialect m_dialect;
  StoreOptions m_options;
  std::string_view m_derive_from;

private:
  long long m_found_id = 0;
  std::string m_find_user, m_find_domain;
  std::unique_ptr<soci::statement> m_find;
};

// The access for options.schema: Flexisip's accounts + passwords (flexisip_access.cpp), the
// Flexisip Account Manager's (flexiapi_access.cpp), Kamailio's or OpenSIPS' subscriber
// (subscriber_access.cpp), Asterisk's ps_auths (asterisk_access.cpp).
std::unique_ptr<SchemaAccess> make_access(soci::session& session, Dialect dialect,
                                          const StoreOptions& options);
std::unique_ptr<SchemaAccess> make_flexisip_access(soci::session& session, Dialect dialect,
                                                   const StoreOptions& options);
std::unique_ptr<SchemaAccess> make_flexiapi_access(soci::session& session, Dialect dialect,
                                                   const StoreOptions& options);
std::unique_ptr<SchemaAccess> make_asterisk_access(soci::session& session, Dialect dialect,
                                                   const StoreOptions& options);
std::unique_ptr<SchemaAccess> make_subscriber_access(soci::session& session, Dialect dialect,
                                                     const StoreOptions& options, bool opensips);

} // namespace sipcred
