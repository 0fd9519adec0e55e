#pragma once
// PostgresqlCopy through libpq, on the connection of SOCI's PostgreSQL backend.

#include "postgresql_copy.hpp"

struct pg_conn; // libpq's PGconn

namespace sipcred {

class LibpqCopy : public PostgresqlCopy {
public:
  explicit LibpqCopy(soci::session& session); // an open postgresql session

  void execute(const std::string& sql) override;
  std::vector<std::string> column(const std::string& sql,
                                  const std::vector<std::string>& parameters) override;
  void each_row(const std::string& sql, const std::function<void(const Row&)>& visit) override;
  void copy(const std::string& target, std::string_view rows) override;

private:
  pg_conn* m_connection; // SOCI's, not owned
};

} // namespace sipcred
