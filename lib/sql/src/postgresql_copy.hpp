#pragma once
// COPY ... FROM STDIN through libpq on SOCI's own PostgreSQL connection, so inside the
// transaction SOCI holds. One round trip per row is what an INSERT costs; COPY streams the rows.
// libpq is the PostgreSQL module's (modules/libpq_copy.cpp): this is what the rest uses of it.

#include <soci/soci.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sipcred {

class PostgresqlCopy {
public:
  virtual ~PostgresqlCopy() = default;

  // Statements without result rows (SAVEPOINT ...). Throws DatabaseError.
  virtual void execute(const std::string& sql) = 0;
  // The first column of each row of a query, as text ("" for NULL); $1, $2... bound to
  // `parameters`.
  virtual std::vector<std::string> column(const std::string& sql,
                                          const std::vector<std::string>& parameters) = 0;
  // Each row of a query (no parameters), in order: `visit(row)`, where row.text(c) is column c
  // as text and row.null(c) whether it is NULL. The whole result is read in one round trip.
  class Row {
  public:
    virtual std::string_view text(int column) const = 0;
    virtual bool null(int column) const = 0;

  protected:
    ~Row() = default;
  };
  virtual void each_row(const std::string& sql, const std::function<void(const Row&)>& visit) = 0;
  // COPY `target` FROM STDIN with `rows`, lines in COPY's text format. Throws DuplicateKey for
  // a unique violation, DatabaseError for any other refusal; either way the transaction is
  // then aborted up to the last savepoint.
  virtual void copy(const std::string& target, std::string_view rows) = 0;
};

// On an open postgresql session. Error(Unavailable) without the PostgreSQL module.
std::unique_ptr<PostgresqlCopy> open_postgresql_copy(soci::session& session);

} // namespace sipcred
