// An import into Flexisip's tables, set by set: a round trip per account was the cost on a
// server (bench/README.md).

#include "flexisip_access.hpp"

#include "copy_text.hpp"
#include "flexisip_loaders.hpp"
#include "postgresql_copy.hpp"

#include <algorithm>
#include <charconv>
#include <tuple>

namespace sipcred {

namespace {

long long number(std::string_view text) {
  long long value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

// The passwords rows of `account` (id `id`) in COPY text.
void append_password_rows(std::string& rows, long long id, const Account& account) {
  const std::string account_id = std::to_string(id);
  for (const Credential& credential : account.credentials) {
    append_copy_text(rows, account_id, true);
    append_copy_text(rows, credential.value);
    append_copy_text(rows, flexisip_algorithm(credential));
    rows += '\n';
  }
}

// Rows into a table through SOCI, many a statement (MySQL has no COPY, and its SOCI backend
// sends one statement per execute): `values` holds `columns` values a row, std::nullopt for
// NULL.
void insert_rows(soci::session& session, const std::string& table, std::size_t columns,
                 std::vector<std::optional<std::string>>& values) {
  constexpr std::size_t rows_a_statement = 500;
  std::vector<std::string> texts(values.size());
  std::vector<soci::indicator> nulls(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    nulls[i] = values[i] ? soci::i_ok : soci::i_null;
    if (values[i]) texts[i] = std::move(*values[i]);
  }
  const std::size_t rows = values.size() / columns;
  for (std::size_t first = 0; first < rows; first += rows_a_statement) {
    const std::size_t count = std::min(rows_a_statement, rows - first);
    std::string sql = "INSERT INTO " + table + " VALUES ";
    soci::statement statement(session);
    for (std::size_t row = 0; row < count; ++row) {
      sql += row == 0 ? "(" : ", (";
      for (std::size_t column = 0; column < columns; ++column) {
        const std::size_t at = (first + row) * columns + column;
        sql += (column == 0 ? ":v" : ", :v") + std::to_string(at);
        statement.exchange(soci::use(texts[at], nulls[at]));
      }
      sql += ')';
    }
    statement.alloc();
    statement.prepare(sql);
    statement.define_and_bind();
    statement.execute(true);
  }
}

} // namespace

std::vector<std::optional<SchemaAccess::Found>>
FlexisipAccess::find_many(const std::vector<StoreEdit::Name>& names) {
  if (m_dialect == Dialect::Mysql) return find_many_mysql(names);
  if (m_dialect == Dialect::Sqlite) return find_many_sqlite(names);
  if (!postgresql_temporary_tables()) return SchemaAccess::find_many(names);
  // The names in a temporary table, joined with the accounts and their passwords: one query.
  const std::unique_ptr<PostgresqlCopy> pg = open_postgresql_copy(m_session);
  pg->execute("CREATE TEMP TABLE sipcred_names (n integer, username text, domain text) "
              "ON COMMIT DROP");
  std::string rows;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const StoreEdit::Name& name = names[i];
    // What the database cannot hold (not UTF-8) it does not have: make_account() says why.
    if (!refusal(Account{name.user, name.domain, "", "", {}}).empty()) continue;
    append_copy_text(rows, std::to_string(i), true);
    append_copy_text(rows, name.user);
    append_copy_text(rows, name.domain);
    rows += '\n';
  }
  pg->copy("sipcred_names (n, username, domain)", rows);
  pg->execute("ANALYZE sipcred_names");
  std::vector<std::optional<Found>> found(names.size());
  // read_one(): an account not activated is found, without credentials (Flexisip skips it).
  pg->each_row("SELECT n.n, a.id, a.activated IS TRUE, a.phone, p.password, p.algorithm FROM "
               "sipcred_names n JOIN accounts a ON a.username = n.username AND a.domain = "
               "n.domain LEFT JOIN passwords p ON p.account_id = a.id AND a.activated IS TRUE "
               "ORDER BY n.n, a.id, p.id",
               [&](const PostgresqlCopy::Row& row) {
                 const auto n = static_cast<std::size_t>(number(row.text(0)));
                 const long long id = number(row.text(1));
                 std::optional<Found>& account = found.at(n);
                 if (!account) {
                   account = Found{id, Account{names[n].user, names[n].domain, "", "", {}}};
                   if (row.text(2) == "t" && !row.null(3)) account->account.phone = row.text(3);
                 } else if (account->id != id) {
                   return; // a second row of the same name: find() gives one
                 }
                 if (!row.null(4))
                   add_row(account->account, std::string(row.text(4)), std::string(row.text(5)));
               });
  pg->execute("DROP TABLE sipcred_names");
  return found;
}

// find_many() on SQLite: the names in a temporary table joined with the accounts and their
// passwords, one statement (a statement a name, opening its four cursors each time, cost more
// than the lookups). Every passwords row is remembered for update_in_place().
std::vector<std::optional<SchemaAccess::Found>>
FlexisipAccess::find_many_sqlite(const std::vector<StoreEdit::Name>& names) {
  m_seen.clear();
  m_session << "CREATE TEMP TABLE sipcred_names (n INTEGER PRIMARY KEY, username TEXT, "
               "domain TEXT)";
  {
    SqliteStatement insert(m_session, "INSERT INTO sipcred_names VALUES (?, ?, ?)");
    for (std::size_t i = 0; i < names.size(); ++i) {
      insert.integer(1, static_cast<long long>(i));
      insert.text(2, names[i].user);
      insert.text(3, names[i].domain);
      insert.run();
    }
  }
  struct Row {
    std::size_t n;
    long long account, id; // the passwords row's account and its own id
    std::string password, algorithm;
  };
  std::vector<Row> rows;
  std::vector<std::optional<Found>> found(names.size());
  std::vector<SeenRows> seen(names.size());
  {
    SqliteStatement join(m_session,
                         "SELECT n.n, a.id, a.activated IS TRUE, a.phone, p.id, p.password, "
                         "p.algorithm FROM sipcred_names n JOIN accounts a ON a.username = "
                         "n.username AND a.domain = n.domain LEFT JOIN passwords p ON "
                         "p.account_id = a.id");
    while (join.next_row()) {
      const auto n = static_cast<std::size_t>(join.column_integer(0));
      const long long id = join.column_integer(1);
      std::optional<Found>& account = found.at(n);
      if (account && account->id < id) continue; // two accounts of a name: find() gives one
      if (!account || account->id > id) {
        account = Found{id, Account{names[n].user, names[n].domain, "", "", {}}};
        seen[n] = {join.column_integer(2) != 0, std::nullopt, {}};
        if (join.column_is_text(3)) seen[n].phone = std::string(join.column_text(3));
        // read_one(): an account not activated is found without credentials (Flexisip skips
        // it).
        if (seen[n].activated && seen[n].phone) account->account.phone = *seen[n].phone;
      }
      if (!join.column_null(4))
        rows.push_back({n, id, join.column_integer(4), std::string(join.column_text(5)),
                        std::string(join.column_text(6))});
    }
  }
  m_session << "DROP TABLE sipcred_names";
  // The credentials in the order of their rows, as read_one() gives them.
  std::sort(rows.begin(), rows.end(),
            [](const Row& a, const Row& b) { return std::tie(a.n, a.id) < std::tie(b.n, b.id); });
  for (const Row& row : rows) {
    if (row.account != found[row.n]->id) continue;
    if (seen[row.n].activated) add_row(found[row.n]->account, row.password, row.algorithm);
    seen[row.n].passwords.emplace_back(row.algorithm, row.id);
  }
  if (plain_rows()) // write_many() updates in place
    for (std::size_t n = 0; n < names.size(); ++n)
      if (found[n]) m_seen.emplace(found[n]->id, std::move(seen[n]));
  return found;
}

void FlexisipAccess::write_many(const std::vector<Write>& writes) {
  if (!plain_rows()) {
    SchemaAccess::write_many(writes);
    return;
  }
  std::vector<const Write*> rotated;
  for (const Write& write : writes)
    if (write.id) rotated.push_back(&write);
  if (m_dialect == Dialect::Postgresql && !rotated.empty() && postgresql_temporary_tables()) {
    // update() of each, set by set from two temporary tables. The accounts rows are locked
    // first, so that a concurrent rotation of the same account waits for this one instead of
    // deleting passwords rows it cannot see yet (the UPDATE of update() does it, row by row).
    // Then only what changed is written: a password replaced where it is (no foreign key to
    // check again), the rows of an algorithm the account no longer has deleted, those of a new
    // one inserted.
    const std::unique_ptr<PostgresqlCopy> pg = open_postgresql_copy(m_session);
    pg->execute("CREATE TEMP TABLE sipcred_rotated (id bigint, phone text, algorithms text[]) "
                "ON COMMIT DROP; CREATE TEMP TABLE sipcred_passwords (account_id bigint, "
                "password text, algorithm text) ON COMMIT DROP");
    std::string rows, passwords;
    for (const Write* write : rotated) {
      append_copy_text(rows, std::to_string(write->id), true);
      if (write->account->phone.empty())
        append_copy_null(rows);
      else
        append_copy_text(rows, write->account->phone);
      std::string algorithms = "{";
      for (const Credential& credential : write->account->credentials)
        algorithms.append(algorithms.size() > 1 ? "," : "")
            .append(flexisip_algorithm(credential)); // letters, digits and '-': no quoting
      append_copy_text(rows, algorithms + "}");
      rows += '\n';
      append_password_rows(passwords, write->id, *write->account);
    }
    pg->copy("sipcred_rotated (id, phone, algorithms)", rows);
    pg->copy("sipcred_passwords (account_id, password, algorithm)", passwords);
    // Without statistics the planner joins them badly (bench/README.md).
    pg->execute("ANALYZE sipcred_rotated; ANALYZE sipcred_passwords");
    pg->each_row("SELECT FROM accounts a JOIN sipcred_rotated r ON a.id = r.id ORDER BY a.id FOR "
                 "UPDATE OF a",
                 [](const PostgresqlCopy::Row&) {});
    pg->execute("UPDATE accounts a SET phone = r.phone, activated = TRUE FROM sipcred_rotated r "
                "WHERE a.id = r.id AND (a.activated IS NOT TRUE OR a.phone IS DISTINCT FROM "
                "r.phone)");
    pg->execute("UPDATE passwords p SET password = n.password FROM sipcred_passwords n WHERE "
                "p.account_id = n.account_id AND p.algorithm = n.algorithm");
    pg->execute("DELETE FROM passwords p USING sipcred_rotated r WHERE p.account_id = r.id AND "
                "p.algorithm <> ALL (r.algorithms)");
    pg->execute("INSERT INTO passwords (account_id, password, algorithm) SELECT n.account_id, "
                "n.password, n.algorithm FROM sipcred_passwords n WHERE NOT EXISTS (SELECT FROM "
                "passwords p WHERE p.account_id = n.account_id AND p.algorithm = n.algorithm)");
    pg->execute("DROP TABLE sipcred_rotated, sipcred_passwords");
  } else if (m_dialect == Dialect::Mysql && !rotated.empty()) {
    rotate_mysql(rotated);
  } else {
    if (m_dialect == Dialect::Sqlite) // in the order of the rows: they share pages
      std::sort(rotated.begin(), rotated.end(),
                [](const Write* a, const Write* b) { return a->id < b->id; });
    for (const Write* write : rotated) {
      if (m_dialect == Dialect::Sqlite)
        update_in_place(*write);
      else
        update(write->id, *write->account);
    }
  }
  m_seen.clear();
  const auto insert_alone = [this](const Account& account) {
    try {
      insert(account);
    } catch (const DuplicateKey&) {
      throw DuplicateKey(account.identity());
    }
  };
  std::unique_ptr<BatchLoader> loader = make_flexisip_loader(m_session, m_dialect, insert_alone);
  for (const Write& write : writes) {
    if (write.id) continue;
    if (loader)
      loader->add(Account(*write.account));
    else
      insert_alone(*write.account);
  }
  if (loader) loader->flush();
}

// update() on SQLite, writing only what changes: a rotation keeps an account's algorithms, so
// its passwords rows are rewritten where they are, and the indexes stay as they were. (The
// pages a large import dirties are what it costs: each is written to the journal, then to the
// database.) Every connection waits for this one's lock (BEGIN IMMEDIATE): no row lock needed.
// An account find_many() saw is written by rowid, and its accounts row only if it changes.
void FlexisipAccess::update_in_place(const Write& write) {
  const Account& account = *write.account;
  if (!m_set_password) {
    m_set_account = std::make_unique<SqliteStatement>(
        m_session, "UPDATE accounts SET phone = ?1, activated = TRUE WHERE id = ?2 AND "
                   "(activated IS NOT TRUE OR phone IS NOT ?1)");
    m_set_password = std::make_unique<SqliteStatement>(
        m_session, "UPDATE passwords SET password = ? WHERE account_id = ? AND algorithm = ?");
    m_add_password = std::make_unique<SqliteStatement>(
        m_session, "INSERT INTO passwords (account_id, password, algorithm) VALUES (?, ?, ?)");
    // The rows of algorithms the account no longer has: ?2 is a list ",MD5,SHA-256,".
    m_drop_passwords = std::make_unique<SqliteStatement>(
        m_session, "DELETE FROM passwords WHERE account_id = ?1 AND instr(?2, ',' || algorithm "
                   "|| ',') = 0");
    m_set_password_row = std::make_unique<SqliteStatement>(
        m_session, "UPDATE passwords SET password = ? WHERE id = ?");
    m_drop_password_row =
        std::make_unique<SqliteStatement>(m_session, "DELETE FROM passwords WHERE id = ?");
  }
  const auto seen_at = m_seen.find(write.id);
  SeenRows* seen = seen_at == m_seen.end() ? nullptr : &seen_at->second;
  const bool same_phone =
      seen && (account.phone.empty() ? !seen->phone : seen->phone == account.phone);
  if (!seen || !seen->activated || !same_phone) {
    if (account.phone.empty())
      m_set_account->null(1);
    else
      m_set_account->text(1, account.phone);
    m_set_account->integer(2, write.id);
    m_set_account->run();
  }
  std::string kept = ",";
  for (const Credential& credential : account.credentials) {
    const std::string_view algorithm = flexisip_algorithm(credential);
    kept.append(algorithm).append(",");
    if (seen) {
      // Every row of the algorithm, as the UPDATE by account and algorithm below would (a table
      // without Flexisip's unique index may hold two).
      bool rewritten = false;
      for (const auto& [stored, rowid] : seen->passwords) {
        if (stored != algorithm) continue;
        m_set_password_row->text(1, credential.value);
        m_set_password_row->integer(2, rowid);
        m_set_password_row->run();
        rewritten = true;
      }
      if (rewritten) continue;
    } else {
      m_set_password->text(1, credential.value);
      m_set_password->integer(2, write.id);
      m_set_password->text(3, algorithm);
      m_set_password->run();
      if (m_set_password->changes() > 0) continue;
    }
    m_add_password->integer(1, write.id);
    m_add_password->text(2, credential.value);
    m_add_password->text(3, algorithm);
    const long long rowid = m_add_password->run();
    if (seen) seen->passwords.emplace_back(algorithm, rowid);
  }
  if (!seen) {
    m_drop_passwords->integer(1, write.id);
    m_drop_passwords->text(2, kept);
    m_drop_passwords->run();
    return;
  }
  for (const auto& [algorithm, rowid] : seen->passwords) {
    if (kept.find("," + algorithm + ",") != std::string::npos) continue;
    m_drop_password_row->integer(1, rowid);
    m_drop_password_row->run();
  }
}

// Whether this PostgreSQL user may create temporary tables, which the set-based statements
// need: a hardened database revokes TEMPORARY from PUBLIC. Without, the import goes account by
// account (trying would abort the transaction).
bool FlexisipAccess::postgresql_temporary_tables() {
  int allowed = 0;
  m_session << "SELECT CASE WHEN has_database_privilege(current_database(), 'TEMPORARY') THEN 1 "
               "ELSE 0 END",
      soci::into(allowed);
  return allowed != 0;
}

// Whether MySQL made the temporary table. A server that refuses one inside a transaction
// (MySQL with GTID consistency enforced and statement-based binary logging) refuses it
// without ending the transaction: the caller goes account by account instead.
bool FlexisipAccess::mysql_temporary_table(const std::string& create) {
  try {
    m_session << create;
    return true;
  } catch (const soci::soci_error&) {
    return false;
  }
}

// find_many() on MySQL: the names in a temporary table of the columns of accounts (so compared
// in their collation, as find() compares them), joined with the accounts and their passwords.
std::vector<std::optional<SchemaAccess::Found>>
FlexisipAccess::find_many_mysql(const std::vector<StoreEdit::Name>& names) {
  if (!mysql_temporary_table("CREATE TEMPORARY TABLE sipcred_names (n INT) SELECT username, "
                             "domain FROM accounts WHERE 1 = 0"))
    return SchemaAccess::find_many(names);
  std::vector<std::optional<std::string>> values;
  values.reserve(names.size() * 3);
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!refusal(Account{names[i].user, names[i].domain, "", "", {}}).empty()) continue;
    values.emplace_back(std::to_string(i));
    values.emplace_back(names[i].user);
    values.emplace_back(names[i].domain);
  }
  insert_rows(m_session, "sipcred_names (n, username, domain)", 3, values);
  std::vector<std::optional<Found>> found(names.size());
  soci::rowset<soci::row> rows = m_session.prepare
                                 << "SELECT CAST(n.n AS CHAR), CAST(a.id AS CHAR), "
                                    "CAST(a.activated = TRUE AS CHAR), a.phone, p.password, "
                                    "p.algorithm FROM sipcred_names n JOIN accounts a ON "
                                    "a.username = n.username AND a.domain = n.domain LEFT JOIN "
                                    "passwords p ON p.account_id = a.id AND a.activated = TRUE "
                                    "ORDER BY n.n, a.id, p.id";
  for (const soci::row& row : rows) {
    const auto n = static_cast<std::size_t>(number(row.get<std::string>(0)));
    const long long id = number(row.get<std::string>(1));
    std::optional<Found>& account = found.at(n);
    if (!account) {
      account = Found{id, Account{names[n].user, names[n].domain, "", "", {}}};
      if (row.get_indicator(2) != soci::i_null && row.get<std::string>(2) == "1" &&
          row.get_indicator(3) != soci::i_null)
        account->account.phone = row.get<std::string>(3);
    } else if (account->id != id) {
      continue; // a second row of the same name: find() gives one
    }
    if (row.get_indicator(4) != soci::i_null)
      add_row(account->account, row.get<std::string>(4), row.get<std::string>(5));
  }
  m_session << "DROP TEMPORARY TABLE sipcred_names";
  return found;
}

// update() of each rotated account on MySQL, as on PostgreSQL (write_many), from temporary
// tables filled with multi-row INSERTs.
void FlexisipAccess::rotate_mysql(const std::vector<const Write*>& rotated) {
  // Of the columns of accounts and passwords, so compared in their collations.
  // (A column NOT NULL needs a default in CREATE ... SELECT, rows or none.)
  if (!mysql_temporary_table("CREATE TEMPORARY TABLE sipcred_rotated (id BIGINT NOT NULL "
                             "DEFAULT 0 PRIMARY KEY) SELECT phone FROM accounts WHERE 1 = 0")) {
    for (const Write* write : rotated) update(write->id, *write->account);
    return;
  }
  m_session << "CREATE TEMPORARY TABLE sipcred_passwords (account_id BIGINT, KEY (account_id, "
               "algorithm)) SELECT algorithm, password FROM passwords WHERE 1 = 0";
  std::vector<std::optional<std::string>> rows, passwords;
  for (const Write* write : rotated) {
    const std::string id = std::to_string(write->id);
    rows.emplace_back(id);
    rows.emplace_back(write->account->phone.empty() ? std::nullopt
                                                    : std::optional(write->account->phone));
    for (const Credential& credential : write->account->credentials) {
      passwords.emplace_back(id);
      passwords.emplace_back(std::string(flexisip_algorithm(credential)));
      passwords.emplace_back(credential.value);
    }
  }
  insert_rows(m_session, "sipcred_rotated (id, phone)", 2, rows);
  insert_rows(m_session, "sipcred_passwords (account_id, algorithm, password)", 3, passwords);
  long long locked = 0;
  m_session << "SELECT COUNT(*) FROM accounts a JOIN sipcred_rotated r ON a.id = r.id FOR UPDATE",
      soci::into(locked);
  m_session << "UPDATE accounts a JOIN sipcred_rotated r ON a.id = r.id SET a.phone = r.phone, "
               "a.activated = TRUE WHERE NOT (a.activated <=> TRUE) OR NOT (a.phone <=> r.phone)";
  m_session << "UPDATE passwords p JOIN sipcred_passwords n ON p.account_id = n.account_id AND "
               "p.algorithm = n.algorithm SET p.password = n.password";
  m_session << "DELETE p FROM passwords p JOIN sipcred_rotated r ON p.account_id = r.id LEFT JOIN "
               "sipcred_passwords n ON n.account_id = p.account_id AND n.algorithm = p.algorithm "
               "WHERE n.account_id IS NULL";
  m_session << "INSERT INTO passwords (account_id, password, algorithm) SELECT n.account_id, "
               "n.password, n.algorithm FROM sipcred_passwords n WHERE NOT EXISTS (SELECT 1 FROM "
               "passwords p WHERE p.account_id = n.account_id AND p.algorithm = n.algorithm)";
  m_session << "DROP TEMPORARY TABLE sipcred_rotated, sipcred_passwords";
}

} // namespace sipcred
