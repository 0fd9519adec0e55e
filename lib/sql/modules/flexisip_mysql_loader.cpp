#include "flexisip_mysql_loader.hpp"

#include "database_error.hpp"
#include "mysql_error.hpp"
#include "sql_schema.hpp"

#include <soci/mysql/soci-mysql.h>

#include <mysqld_error.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace sipcred {

namespace {

// The file a LOAD DATA LOCAL INFILE reads: the batch's rows, from memory.
struct InMemoryFile {
  const std::string* text = nullptr;
  std::size_t offset = 0;
};

int open_rows(void** state, const char* /*name*/, void* rows) {
  *state = rows;
  return 0;
}

int read_rows(void* state, char* buffer, unsigned int size) {
  auto* file = static_cast<InMemoryFile*>(state);
  const std::size_t n = std::min<std::size_t>(size, file->text->size() - file->offset);
  std::memcpy(buffer, file->text->data() + file->offset, n);
  file->offset += n;
  return static_cast<int>(n);
}

void close_rows(void* /*state*/) {}

int rows_error(void* /*state*/, char* message, unsigned int size) {
  std::snprintf(message, size, "sipcred: cannot read the rows of the batch");
  return 1;
}

// A field as LOAD DATA reads it by default (FIELDS ESCAPED BY '\\'): tab-separated, with
// backslash, tab, line feed, carriage return and NUL escaped.
void append_field(std::string& row, std::string_view text, bool last = false) {
  for (const char c : text) {
    switch (c) {
    case '\\': row += "\\\\"; break;
    case '\t': row += "\\t"; break;
    case '\n': row += "\\n"; break;
    case '\r': row += "\\r"; break;
    case '\0': row += "\\0"; break;
    default: row += c;
    }
  }
  row += last ? '\n' : '\t';
}

} // namespace

FlexisipMysqlLoader::FlexisipMysqlLoader(soci::session& session,
                                         std::function<void(const Account&)> replay)
    : BatchLoader(batch_size, std::move(replay)), m_session(session) {
  MYSQL* connection = static_cast<soci::mysql_session_backend*>(session.get_backend())->conn_;
  unsigned int on = 1;
  mysql_options(connection, MYSQL_OPT_LOCAL_INFILE, &on);
}

std::size_t FlexisipMysqlLoader::load_file(const std::string& table, const std::string& columns,
                                           const std::string& rows) {
  MYSQL* connection = static_cast<soci::mysql_session_backend*>(m_session.get_backend())->conn_;
  InMemoryFile file{&rows, 0};
  mysql_set_local_infile_handler(connection, open_rows, read_rows, close_rows, rows_error, &file);
  struct Default {
    MYSQL* connection;
    ~Default() { mysql_set_local_infile_default(connection); }
  } const restored{connection};
  // The rows are in the connection's character set, as an INSERT's strings would be.
  m_session << "LOAD DATA LOCAL INFILE 'sipcred-batch' INTO TABLE " + table + " CHARACTER SET " +
                   mysql_character_set_name(connection) + " " + columns;
  const auto taken = static_cast<std::size_t>(mysql_affected_rows(connection));
  // LOAD DATA turns what an INSERT refuses (a character the column's charset lacks, a value
  // too long) into a warning and a changed value: refused here instead, as an INSERT would be.
  if (mysql_warning_count(connection) > 0) {
    std::string level, message;
    int code = 0;
    m_session << "SHOW WARNINGS LIMIT 1", soci::into(level), soci::into(code), soci::into(message);
    if (code != ER_DUP_ENTRY) throw DatabaseError(table + ": " + message);
  }
  return taken;
}

void FlexisipMysqlLoader::append_quoted(std::string& sql, std::string_view text) {
  MYSQL* connection = static_cast<soci::mysql_session_backend*>(m_session.get_backend())->conn_;
  m_escaped.resize(text.size() * 2 + 1);
  const unsigned long length =
      mysql_real_escape_string(connection, m_escaped.data(), text.data(), text.size());
  sql += '\'';
  sql.append(m_escaped.data(), length);
  sql += '\'';
}

void FlexisipMysqlLoader::insert_rows(std::span<const Account> batch, long long first) {
  std::string accounts = "INSERT INTO accounts (id, username, domain, phone, activated) VALUES ";
  std::string passwords = "INSERT INTO passwords (account_id, password, algorithm) VALUES ";
  bool any_password = false;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const Account& account = batch[i];
    const std::string id = std::to_string(first + static_cast<long long>(i));
    accounts += (i == 0 ? "(" : ",(") + id + ",";
    append_quoted(accounts, account.user);
    accounts += ',';
    append_quoted(accounts, account.domain);
    accounts += ',';
    if (account.phone.empty())
      accounts += "NULL";
    else
      append_quoted(accounts, account.phone);
    accounts += ",TRUE)";
    for (const auto& credential : account.credentials) {
      passwords += (any_password ? ",(" : "(") + id + ",";
      any_password = true;
      append_quoted(passwords, credential.value);
      passwords += ',';
      append_quoted(passwords, flexisip_algorithm(credential));
      passwords += ')';
    }
  }
  m_session << accounts;
  if (any_password) m_session << passwords;
}

void FlexisipMysqlLoader::load(std::span<const Account> batch) {
  long long largest = 0;
  soci::indicator none = soci::i_ok;
  m_session << "SELECT MAX(id) FROM accounts", soci::into(largest, none);
  const long long first = (none == soci::i_null ? 0 : largest) + 1;
  m_accounts.clear();
  m_passwords.clear();
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const Account& account = batch[i];
    const std::string id = std::to_string(first + static_cast<long long>(i));
    append_field(m_accounts, id);
    append_field(m_accounts, account.user);
    append_field(m_accounts, account.domain);
    if (account.phone.empty())
      m_accounts += "\\N\t";
    else
      append_field(m_accounts, account.phone);
    append_field(m_accounts, "1", true);
    for (const auto& credential : account.credentials) {
      append_field(m_passwords, id);
      append_field(m_passwords, credential.value);
      append_field(m_passwords, flexisip_algorithm(credential), true);
    }
  }
  m_session << "SAVEPOINT sipcred_batch";
  try {
    if (m_load_data) {
      try {
        // LOCAL makes the server skip a row with a duplicate key instead of failing: count.
        if (load_file("accounts", "(id, username, domain, phone, activated)", m_accounts) !=
            batch.size())
          throw DuplicateKey("accounts: a row of the batch repeats a unique key");
        load_file("passwords", "(account_id, password, algorithm)", m_passwords);
      } catch (const soci::soci_error& error) {
        if (!is_mysql_local_infile_refused(error)) throw;
        // A server with local_infile off (MySQL 8's default): multi-row INSERTs from now on.
        m_load_data = false;
        m_session << "ROLLBACK TO SAVEPOINT sipcred_batch";
      }
    }
    if (!m_load_data) insert_rows(batch, first);
  } catch (const DuplicateKey&) {
    m_session << "ROLLBACK TO SAVEPOINT sipcred_batch";
    throw;
  } catch (const soci::soci_error& error) {
    if (!is_mysql_duplicate_key(error)) throw;
    m_session << "ROLLBACK TO SAVEPOINT sipcred_batch";
    throw DuplicateKey(error.what());
  }
  m_session << "RELEASE SAVEPOINT sipcred_batch";
}

} // namespace sipcred
