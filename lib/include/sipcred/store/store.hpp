#pragma once
// Where accounts live: a userdb file, another server's file format, or an SQL database in one of
// the servers' schemas. A store is named by one locator string:
//   PATH                      a Flexisip version:1 userdb
//   htdigest:PATH             Apache htdigest (user:realm:md5)
//   pjsip:PATH                Asterisk pjsip.conf `type=auth` sections
//   csv:PATH, jsonl:PATH      identity,password[,auth_user,phone] lists (clear text only)
//   freeswitch:PATH           FreeSWITCH directory XML: a directory of user files, or one file
//   sqlite3://db=PATH         SOCI's backend://connection-string, with a Schema
//   postgresql://dbname=D host=H user=U ...
//   mysql://db=D host=H user=U ...

#include "sipcred/account/account.hpp"
#include "sipcred/digest/digest.hpp"
#include "sipcred/export.hpp"
#include "sipcred/util/diagnostic.hpp"
#include "sipcred/util/error.hpp"

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace sipcred {

enum class StoreKind { Userdb, Htdigest, Pjsip, Csv, JsonLines, Freeswitch, Sql };

struct SIPCRED_EXPORT Locator {
  StoreKind kind = StoreKind::Userdb;
  std::string path;       // for files
  std::string backend;    // for SQL: "sqlite3", "postgresql", "mysql"
  std::string connection; // for SQL: SOCI's connection string

  // The locator for messages, with any password in the connection string masked.
  std::string display() const;
  // Whether both name the same file or database (paths compared once resolved).
  bool same_store(const Locator& other) const;
};

// Error(Usage) naming what is wrong: an unknown backend or prefix, an empty path.
SIPCRED_EXPORT Locator parse_locator(std::string_view text);

// `connection` with the value of every password replaced by ***, in each spelling the
// backends accept: key=value pairs (password, pass, sslpassword; quoted, with escapes) and
// libpq URIs (user:PASSWORD@host, ?password=...). What Locator::display shows.
SIPCRED_EXPORT std::string masked_connection(std::string_view connection);

// The connection string of a PostgreSQL or MySQL `locator` with `password` added, quoted as
// libpq and SOCI's MySQL backend read it: the database password of a user who will not type it
// into argv (read from a terminal or standard input instead).
SIPCRED_EXPORT std::string with_connection_password(const Locator& locator,
                                                    std::string_view password);

// The SQL tables of each server (shared/reference/): Flexisip's accounts + passwords as its
// default soci-password-request reads them, the Flexisip Account Manager's (FlexiAPI) spaces +
// accounts + passwords, Kamailio's and OpenSIPS' subscriber, Asterisk's PJSIP realtime ps_auths.
enum class Schema { Flexisip, Flexiapi, Kamailio, Opensips, Asterisk };
// Every schema, in the order help lists them.
inline constexpr Schema all_schemas[] = {Schema::Flexisip, Schema::Flexiapi, Schema::Kamailio,
                                         Schema::Opensips, Schema::Asterisk};
SIPCRED_EXPORT std::optional<Schema> parse_schema(std::string_view name);
SIPCRED_EXPORT std::string_view schema_name(Schema schema);
// The names of all_schemas for a message: "flexisip, flexiapi, ... or asterisk".
SIPCRED_EXPORT std::string schema_names();
// Why the server of `schema` cannot keep its single-hash columns in `algorithm`
// (StoreOptions::algorithm), or "" when it can. Kamailio's auth module hashes ha1 and ha1b with
// MD5 or SHA-256 only (modparam("auth", "algorithm")); the other schemas keep a column, row or
// digest per hash function, so any algorithm goes.
SIPCRED_EXPORT std::string schema_algorithm_refusal(Schema schema, HashFunction algorithm);

struct SIPCRED_EXPORT StoreOptions {
  Schema schema = Schema::Flexisip;
  std::string realm; // the realm of stored hashes; empty: each account's domain
  HashFunction algorithm = HashFunction::Md5; // of single-hash stores: Kamailio, htdigest
  bool create_schema = false;                 // create missing SQL tables (or a missing file)
  // Flexisip schema: the soci-password-request its lookup runs, as Flexisip runs it (:id
  // always bound, :domain and :authid when the request names them); empty: Flexisip's default.
  std::string password_request;
};

// A store whose data its server would refuse: Error(DataError) with every problem found, for
// the caller to print (FILE:LINE:COL).
class SIPCRED_EXPORT InvalidStoreData : public Error {
public:
  InvalidStoreData(std::string file, std::vector<Diagnostic> diagnostics);
  // The same, with a message of the caller's ("FILE: Flexisip would refuse this userdb").
  InvalidStoreData(std::string file, std::vector<Diagnostic> diagnostics,
                   const std::string& message);
  const std::string& file() const { return m_file; }
  const std::vector<Diagnostic>& diagnostics() const { return m_diagnostics; }

private:
  std::string m_file;
  std::vector<Diagnostic> m_diagnostics;
};

enum class OnConflict { Fail, Skip, Replace };
enum class WriteResult { Inserted, Replaced, Skipped, Conflict };

struct SIPCRED_EXPORT AccountNote {
  std::string identity;
  std::string reason;
};

// Accounts of one kind: how many, and the first `listed_at_most` of them.
struct SIPCRED_EXPORT AccountNotes {
  static constexpr std::size_t listed_at_most = 1000; // memory stays bounded on huge runs
  std::size_t count = 0;
  std::vector<AccountNote> listed;

  void add(std::string identity, std::string reason);
  bool empty() const { return count == 0; }
};

// Entries of SOURCE for an account an earlier entry of the same run wrote already. Flexisip
// keeps the last line of a user, so DEST keeps the last entry; write() said Inserted for each.
struct SIPCRED_EXPORT Duplicates {
  AccountNotes notes;                         // one per earlier entry replaced
  std::map<std::string, std::size_t> earlier; // identity -> earlier entries replaced
  std::size_t credentials = 0;                // the credentials those earlier entries had

  void add(const std::string& identity, std::size_t replaced_credentials);
};

// A digest username other than the account's own under which its server also finds the account,
// with an HA1 kept for that name in a place of its own (Kamailio's auth_db: "user@domain", whose
// HA1 it reads from ha1b).
struct SIPCRED_EXPORT OtherDigestUsername {
  std::string username; // the digest username a phone would send
  std::string where;    // where the server reads its HA1, for messages ("ha1b")
};

// One all-or-nothing write. Destroying it without commit() leaves the store as it was.
class SIPCRED_EXPORT StoreWriter {
public:
  virtual ~StoreWriter() = default;
  // Writes an account (converted for this store). An account that exists already is
  // replaced, skipped, or left alone and reported as a Conflict, as the OnConflict says. When
  // it says Inserted, the writer may have taken the account's content (a bulk load keeps it
  // without a copy), leaving `account` valid but unspecified; otherwise it is left as it was.
  virtual WriteResult write(Account&& account) = 0;
  // Called once after the last write(), before commit() (or a rollback): finishes what the
  // writer deferred and says which writes replaced an earlier one of the same run.
  virtual Duplicates settle() { return {}; }
  virtual void commit() = 0;
};

// One all-or-nothing edit of named accounts, as sipcred-user makes on a store other than a
// userdb: a transaction on a database, a rewrite of a file. Destroying it without commit()
// leaves the store as it was. Accounts are named by their user and domain (URL-unescaped).
class SIPCRED_EXPORT StoreEdit {
public:
  virtual ~StoreEdit() = default;
  // The account as stored (its credentials as kept, no derived ones), or nullopt.
  virtual std::optional<Account> find(const std::string& user, const std::string& domain) = 0;
  // Adds `account` (converted for this store), or replaces the credentials, auth user and
  // phone of the stored account it names. `password` is the clear password its credentials
  // were made of, or empty: a store may derive more of it than the credentials (Kamailio's
  // ha1b); it is never stored unless the account holds it as clear text.
  virtual void put(const Account& account, std::string_view password) = 0;
  // Removes the account, with everything that hangs on it; false when there was none.
  virtual bool remove(const std::string& user, const std::string& domain) = 0;
  virtual void commit() = 0;

  // For an import of many accounts: what find() of each name gives, and put() of each
  // account in turn, in a few statements where the store can (a database then reads and
  // writes set by set instead of a round trip per account). The names of one call are
  // distinct; put_all() follows the find_all() of the same names, and passwords[i] is the
  // password of accounts[i]. By default, one find() or put() each.
  struct Name {
    std::string user, domain;
  };
  virtual std::vector<std::optional<Account>> find_all(const std::vector<Name>& names);
  virtual void put_all(const std::vector<Account>& accounts,
                       const std::vector<std::string_view>& passwords);
};

class SIPCRED_EXPORT Store {
public:
  virtual ~Store() = default;
  // What the store keeps of an account's credentials.
  virtual CredentialNeeds needs() const = 0;
  // Why the store cannot hold an account converted for it (bytes its format cannot write:
  // formats.hpp), or "" when it can. Such an account is unconvertible, never written.
  virtual std::string refusal(const Account& /*account*/) const { return {}; }
  // How many accounts read() will give, when cheap to know (for a progress bar).
  virtual std::optional<std::size_t> size_hint() { return std::nullopt; }
  // Every account, streamed: nothing keeps them all in memory. Throws Error(DataError) with
  // every problem (FILE:LINE:COL) for malformed data.
  virtual void read(const std::function<void(Account&&)>& visit) = 0;
  virtual std::unique_ptr<StoreWriter> begin_write(OnConflict on_conflict) = 0;
  // The account as its server reads it when it authenticates that user (Flexisip's password
  // request, Kamailio's auth_db query...), with the credentials the server derives; nullopt
  // when the server would not find it.
  virtual std::optional<Account> lookup(const Account& account) = 0;
  // The other digest usernames the server authenticates `account` under; none for most stores.
  // lookup() of the account with one of them as its auth_user reads what the server reads
  // for that name: the HA1s kept for it.
  virtual std::vector<OtherDigestUsername>
  other_digest_usernames(const Account& /*account*/) const {
    return {};
  }
  // The account of user@domain as stored (its credentials as kept, no derived ones), or
  // nullopt; what `sipcred-user show` prints. By default found by reading the whole store.
  virtual std::optional<Account> stored(const std::string& user, const std::string& domain);
  // Whether begin_edit() can edit this store account by account.
  virtual bool can_edit() const { return false; }
  // An edit of named accounts (sipcred-user), exclusive of other writers until it ends.
  // Error(Usage) for a store that cannot be edited so (a list of clear-text passwords).
  virtual std::unique_ptr<StoreEdit> begin_edit();
  // The server configuration that uses this store for accounts of `domains`, or "" when
  // there is none to give. Never contains a password.
  virtual std::string server_configuration(const std::set<std::string>& /*domains*/) const {
    return {};
  }
};

// Error(Usage) for a bad combination or a kind of store this program has not added (SQL in a
// tool without libsipcred-sql), Error(NoInput) for a missing file to read, Error(Unavailable)
// for a database that cannot be reached.
SIPCRED_EXPORT std::unique_ptr<Store> open_store(const Locator& locator,
                                                 const StoreOptions& options);

// One kind of store: how a locator names it, and how to open one. The one list of them is the
// table below, which --help, man pages and completions are checked against.
struct SIPCRED_EXPORT StoreBackend {
  StoreKind kind;
  // The locator's prefix: "htdigest:" for a file format, "sqlite3://" for a database (the
  // connection string follows), "" for a plain path (a userdb).
  std::string_view prefix;
  std::string_view form;        // the locator as help shows it: "htdigest:PATH"
  std::string_view description; // one line, for help and completions
  std::unique_ptr<Store> (*open)(const Locator& locator, const StoreOptions& options);

  bool is_database() const { return kind == StoreKind::Sql; }
  // "sqlite3" of "sqlite3://": Locator::backend.
  std::string_view backend() const { return prefix.substr(0, prefix.find(':')); }
};

// The stores this program can open, in the order help lists them: the file stores of the core,
// then the databases a program added (libsipcred-sql: sipcred::sql::add_sql_stores()).
SIPCRED_EXPORT const std::vector<StoreBackend>& store_backends();
// Adds a kind of store, or replaces the one of the same prefix. Call it before any thread
// opens a store: the table is not locked.
SIPCRED_EXPORT void add_store_backend(const StoreBackend& backend);

// Adds sqlite3://, postgresql:// and mysql:// to the table, opened by `open`. By default, by
// libsipcred-sql loaded when a database is first opened (the tools: one that opens no database
// never loads it, and runs where it is not installed); without it, opening one is
// Error(Unavailable) saying what to install. libsipcred-sql's sql::add_sql_stores() gives its
// own.
SIPCRED_EXPORT void add_database_stores(
    std::unique_ptr<Store> (*open)(const Locator& locator, const StoreOptions& options) = nullptr);

} // namespace sipcred
