#include "libpq_copy.hpp"

#include "database_error.hpp"
#include "sipcred/util/error.hpp"

#include <soci/postgresql/soci-postgresql.h>

#include <memory>

namespace sipcred {

namespace {

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// The server's reason: its primary message, without the rows or values it may quote.
[[noreturn]] void refused(const PGresult* result, PGconn* connection) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string message = primary ? primary : PQerrorMessage(connection);
  if (state && std::string_view(state) == "23505") { // unique_violation
    throw DuplicateKey(message);
  }
  // A connection that broke has no SQLSTATE: the server is gone.
  throw DatabaseError(message, PQstatus(connection) == CONNECTION_BAD ? ErrorKind::Unavailable
                               : state                                ? postgresql_error_kind(state)
                                                                      : ErrorKind::DataError);
}

Result checked(PGresult* raw, PGconn* connection, ExecStatusType expected) {
  Result result(raw);
  if (!result || PQresultStatus(result.get()) != expected) {
    refused(result.get(), connection);
  }
  return result;
}

} // namespace

LibpqCopy::LibpqCopy(soci::session& session) {
  auto* backend = session.get_backend_name() == "postgresql"
                      // Debian's SOCI exports no type information for its backends.
                      ? static_cast<soci::postgresql_session_backend*>(session.get_backend())
                      : nullptr;
  if (!backend) {
    throw Error(ErrorKind::Internal, "not a PostgreSQL session");
  }
  m_connection = backend->conn_;
}

void LibpqCopy::execute(const std::string& sql) {
  checked(PQexec(m_connection, sql.c_str()), m_connection, PGRES_COMMAND_OK);
}

std::vector<std::string> LibpqCopy::column(const std::string& sql,
                                           const std::vector<std::string>& parameters) {
  std::vector<const char*> values;
  for (const auto& parameter : parameters) {
    values.push_back(parameter.c_str());
  }
  Result result = checked(PQexecParams(m_connection, sql.c_str(), static_cast<int>(values.size()),
                                       nullptr, values.data(), nullptr, nullptr, 0),
                          m_connection, PGRES_TUPLES_OK);
  std::vector<std::string> column;
  const int rows = PQntuples(result.get());
  column.reserve(static_cast<std::size_t>(rows));
  for (int row = 0; row < rows; ++row) {
    column.emplace_back(PQgetvalue(result.get(), row, 0)); // "" for NULL
  }
  return column;
}

namespace {

class LibpqRow : public PostgresqlCopy::Row {
public:
  LibpqRow(const PGresult* result, int row) : m_result(result), m_row(row) {}
  std::string_view text(int column) const override {
    return {PQgetvalue(m_result, m_row, column),
            static_cast<std::size_t>(PQgetlength(m_result, m_row, column))};
  }
  bool null(int column) const override { return PQgetisnull(m_result, m_row, column) != 0; }

private:
  const PGresult* m_result;
  int m_row;
};

} // namespace

void LibpqCopy::each_row(const std::string& sql, const std::function<void(const Row&)>& visit) {
  Result result = checked(PQexec(m_connection, sql.c_str()), m_connection, PGRES_TUPLES_OK);
  const int rows = PQntuples(result.get());
  for (int row = 0; row < rows; ++row) visit(LibpqRow(result.get(), row));
}

void LibpqCopy::copy(const std::string& target, std::string_view rows) {
  PGconn* connection = m_connection;
  const std::string sql = "COPY " + target + " FROM STDIN";
  checked(PQexec(connection, sql.c_str()), connection, PGRES_COPY_IN);
  constexpr std::size_t piece = 1 << 20; // PQputCopyData takes an int length
  for (std::size_t at = 0; at < rows.size(); at += piece) {
    const std::string_view part = rows.substr(at, piece);
    if (PQputCopyData(connection, part.data(), static_cast<int>(part.size())) != 1) {
      break; // the error comes with the result below
    }
  }
  PQputCopyEnd(connection, nullptr);
  Result result(PQgetResult(connection));
  // Drain: libpq wants every result read before the next command.
  for (Result extra(PQgetResult(connection)); extra; extra.reset(PQgetResult(connection))) {
  }
  if (!result || PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
    refused(result.get(), connection);
  }
}

} // namespace sipcred
