#pragma once
// New accounts into Flexisip's tables on SQLite, through the C API: one INSERT statement for a
// batch's accounts and one for their passwords, so that SQLite's cost per statement (and SOCI's
// per row) is paid once per batch. Account ids are the ones SQLite gives the batch's rows:
// consecutive, as it numbers the rows of one statement.

#include "batch_loader.hpp"
#include "sqlite_statement.hpp"

#include <memory>
#include <vector>

namespace sipcred {

class FlexisipSqliteLoader : public BatchLoader {
public:
  static constexpr std::size_t batch_size = 64; // rows per INSERT statement

  FlexisipSqliteLoader(soci::session& session, std::function<void(const Account&)> replay);

private:
  void load(std::span<const Account> batch) override;
  // The INSERT of `count` rows, prepared once.
  SqliteStatement& statement(std::vector<std::unique_ptr<SqliteStatement>>& prepared,
                             const char* insert, const char* row, std::size_t count);

  soci::session& m_session;
  std::vector<std::unique_ptr<SqliteStatement>> m_accounts, m_passwords; // by row count
};

} // namespace sipcred
