// An import into Flexisip's tables, set by set: a round trip per account was the cost on a
// server (bench/README.md).

#include "flexisip_access.hpp"

#include "copy_text.hpp"
#include "flexisip_loaders.hpp"
#include "postgresql_copy.hpp"

#include <charconv>

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

} // namespace

std::vector<std::optional<SchemaAccess::Found>>
FlexisipAccess::find_many(const std::vector<StoreEdit::Name>& names) {
  if (m_dialect != Dialect::Postgresql) return SchemaAccess::find_many(names);
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

void FlexisipAccess::write_many(const std::vector<Write>& writes) {
  if (!plain_rows()) {
    SchemaAccess::write_many(writes);
    return;
  }
  std::vector<const Write*> rotated;
  for (const Write& write : writes)
    if (write.id) rotated.push_back(&write);
  if (m_dialect == Dialect::Postgresql && !rotated.empty()) {
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
  } else {
    for (const Write* write : rotated) {
      if (m_dialect == Dialect::Sqlite)
        update_in_place(*write);
      else
        update(write->id, *write->account);
    }
  }
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
  }
  if (account.phone.empty())
    m_set_account->null(1);
  else
    m_set_account->text(1, account.phone);
  m_set_account->integer(2, write.id);
  m_set_account->run();
  std::string kept = ",";
  for (const Credential& credential : account.credentials) {
    const std::string_view algorithm = flexisip_algorithm(credential);
    kept.append(algorithm).append(",");
    m_set_password->text(1, credential.value);
    m_set_password->integer(2, write.id);
    m_set_password->text(3, algorithm);
    m_set_password->run();
    if (m_set_password->changes() > 0) continue;
    m_add_password->integer(1, write.id);
    m_add_password->text(2, credential.value);
    m_add_password->text(3, algorithm);
    m_add_password->run();
  }
  m_drop_passwords->integer(1, write.id);
  m_drop_passwords->text(2, kept);
  m_drop_passwords->run();
}

} // namespace sipcred
