#pragma once
// A prepared statement run through the SQLite C API on SOCI's own connection (so inside the same
// transaction). SOCI costs several allocations and conversions per row; a bulk load of millions
// of rows would be dominated by them, not by SQLite.

#include <soci/soci.h>

#include <memory>
#include <string>
#include <string_view>

namespace sipcred {

class SqliteStatement {
public:
  // `session` must be an open sqlite3 session; `sql` is one statement with `?` parameters.
  SqliteStatement(soci::session& session, const std::string& sql);
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // Parameters, from 1. Text is not copied: it must live until run().
  void text(int index, std::string_view value);
  void integer(int index, long long value);
  void null(int index);
  // Runs it (rows it returns are ignored) and returns the last inserted rowid. Throws
  // DuplicateKey for a UNIQUE or PRIMARY KEY violation (the statement is undone, the
  // transaction goes on), DatabaseError otherwise.
  long long run();
  // The rows the last run() changed.
  long long changes() const;

  // Runs it a row at a time: true with a row to read through the column_*() (from 0), false
  // once done (the statement is then reset for the next parameters). Throws as run() does.
  bool next_row();
  bool column_null(int index) const;
  bool column_is_text(int index) const;
  long long column_integer(int index) const;
  std::string_view column_text(int index) const; // valid until the next next_row()

private:
  [[noreturn]] void fail();
  struct Handles;
  std::unique_ptr<Handles> m_handles;
};

// The connection's page cache, in KiB: a bulk load keeps its B-tree pages in memory instead of
// spilling and rereading them.
void set_sqlite_cache_kib(soci::session& session, long long kib);

} // namespace sipcred
