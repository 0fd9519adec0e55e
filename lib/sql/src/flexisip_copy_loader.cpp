#include "flexisip_copy_loader.hpp"

#include "copy_text.hpp"
#include "database_error.hpp"
#include "sql_schema.hpp"

namespace sipcred {

FlexisipCopyLoader::FlexisipCopyLoader(soci::session& session, std::string sequence,
                                       std::function<void(const Account&)> replay)
    : BatchLoader(batch_size, std::move(replay)), m_copy(open_postgresql_copy(session)),
      m_sequence(std::move(sequence)) {}

void FlexisipCopyLoader::load(std::span<const Account> batch) {
  const std::vector<std::string> ids =
      m_copy->column("SELECT nextval($1::regclass) FROM generate_series(1, $2::int)",
                     {m_sequence, std::to_string(batch.size())});
  m_accounts.clear();
  m_passwords.clear();
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const Account& account = batch[i];
    append_copy_text(m_accounts, ids[i], true);
    append_copy_text(m_accounts, account.user);
    append_copy_text(m_accounts, account.domain);
    if (account.phone.empty()) {
      append_copy_null(m_accounts);
    } else {
      append_copy_text(m_accounts, account.phone);
    }
    m_accounts += "\tt\n";
    for (const auto& credential : account.credentials) {
      append_copy_text(m_passwords, ids[i], true);
      append_copy_text(m_passwords, credential.value);
      append_copy_text(m_passwords, flexisip_algorithm(credential));
      m_passwords += '\n';
    }
  }
  m_copy->execute("SAVEPOINT sipcred_batch");
  try {
    m_copy->copy("accounts (id, username, domain, phone, activated)", m_accounts);
    m_copy->copy("passwords (account_id, password, algorithm)", m_passwords);
  } catch (const DuplicateKey&) {
    m_copy->execute("ROLLBACK TO SAVEPOINT sipcred_batch; RELEASE SAVEPOINT sipcred_batch");
    throw;
  }
  m_copy->execute("RELEASE SAVEPOINT sipcred_batch");
}

} // namespace sipcred
