#pragma once
// COPY ... FROM STDIN through libpq on SOCI's own PostgreSQL connection, so inside the
// transaction SOCI holds. One round trip per row is what an INSERT costs; COPY streams the rows.

#include <soci/soci.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;   // libpq's PGconn
struct pg_result; // libpq's PGresult

namespace sipcred {

class PostgresqlCopy {
public:
  explicit PostgresqlCopy(soci::session& session); // an open postgresql session

  // Statements without result rows (SAVEPOINT ...). Throws DatabaseError.
  void execute(const std::string& sql);
  // The first column of each row of a query, as text ("" for NULL); $1, $2... bound to
  // `parameters`.
  std::vector<std::string> column(const std::string& sql,
                                  const std::vector<std::string>& parameters);
  // Each row of a query (no parameters), in order: `visit(row)`, where row.text(c) is column c
  // as text and row.null(c) whether it is NULL. The whole result is read in one round trip.
  class Row {
  public:
    Row(const pg_result* result, int row) : m_result(result), m_row(row) {}
    std::string_view text(int column) const;
    bool null(int column) const;

  private:
    const pg_result* m_result;
    int m_row;
  };
  void each_row(const std::string& sql, const std::function<void(const Row&)>& visit);
  // COPY `target` FROM STDIN with `rows`, lines in COPY's text format. Throws DuplicateKey for
  // a unique violation, DatabaseError for any other refusal; either way the transaction is
  // then aborted up to the last savepoint.
  void copy(const std::string& target, std::string_view rows);

private:
  pg_conn* m_connection; // SOCI's, not owned
};

} // namespace sipcred
