#include "flexisip_sqlite_loader.hpp"

#include "database_error.hpp"
#include "sql_schema.hpp"

namespace sipcred {

namespace {

constexpr const char* account_insert =
    "INSERT INTO accounts (username, domain, phone, activated) VALUES ";
constexpr const char* password_insert =
    "INSERT INTO passwords (account_id, password, algorithm) VALUES ";

std::string rows(const char* insert, const char* row, std::size_t count) {
  std::string sql = insert;
  for (std::size_t i = 0; i < count; ++i) {
    sql += i == 0 ? "" : ", ";
    sql += row;
  }
  return sql;
}

void bind_account(SqliteStatement& statement, int first, const Account& account) {
  statement.text(first, account.user);
  statement.text(first + 1, account.domain);
  if (account.phone.empty()) {
    statement.null(first + 2);
  } else {
    statement.text(first + 2, account.phone);
  }
}

void bind_password(SqliteStatement& statement, int first, long long account_id,
                   const Credential& credential) {
  statement.integer(first, account_id);
  statement.text(first + 1, credential.value);
  statement.text(first + 2, flexisip_algorithm(credential));
}

} // namespace

FlexisipSqliteLoader::FlexisipSqliteLoader(soci::session& session,
                                           std::function<void(const Account&)> replay)
    : BatchLoader(batch_size, std::move(replay)), m_session(session) {}

SqliteStatement&
FlexisipSqliteLoader::statement(std::vector<std::unique_ptr<SqliteStatement>>& prepared,
                                const char* insert, const char* row, std::size_t count) {
  if (prepared.size() <= count) {
    prepared.resize(count + 1);
  }
  if (!prepared[count]) {
    prepared[count] = std::make_unique<SqliteStatement>(m_session, rows(insert, row, count));
  }
  return *prepared[count];
}

void FlexisipSqliteLoader::load(std::span<const Account> batch) {
  SqliteStatement& accounts = statement(m_accounts, account_insert, "(?, ?, ?, 1)", batch.size());
  std::size_t passwords = 0;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    bind_account(accounts, static_cast<int>(3 * i + 1), batch[i]);
    passwords += batch[i].credentials.size();
  }
  // One statement: SQLite numbers its rows one after the other, from the largest id + 1.
  const long long first_id = accounts.run() - static_cast<long long>(batch.size()) + 1;
  if (passwords == 0) {
    return;
  }
  SqliteStatement& insert = statement(m_passwords, password_insert, "(?, ?, ?)", passwords);
  int parameter = 1;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    for (const auto& credential : batch[i].credentials) {
      bind_password(insert, parameter, first_id + static_cast<long long>(i), credential);
      parameter += 3;
    }
  }
  try {
    insert.run();
  } catch (const DuplicateKey& error) { // not an account's key: a failure
    throw DatabaseError(error.what());
  }
}

} // namespace sipcred
