#pragma once
// New accounts into Flexisip's tables on PostgreSQL: each batch's account ids are taken from the
// table's own sequence (so a later INSERT by Flexisip's tools never collides), then both tables
// are loaded with COPY, inside a savepoint that undoes the batch when the database refuses it.

#include "batch_loader.hpp"
#include "postgresql_copy.hpp"

#include <memory>
#include <string>

namespace sipcred {

class FlexisipCopyLoader : public BatchLoader {
public:
  // Accounts per batch. Each batch is a savepoint, a subtransaction: batches of 8192 made the
  // 1M-user load about 20 % slower than without savepoints, 65536 as fast. Memory: the batch's
  // accounts (kept to replay them) and its COPY text, a few tens of MB.
  static constexpr std::size_t batch_size = 65536;

  // `sequence`: the accounts id sequence (pg_get_serial_sequence).
  FlexisipCopyLoader(soci::session& session, std::string sequence,
                     std::function<void(const Account&)> replay);

private:
  void load(std::span<const Account> batch) override;

  std::unique_ptr<PostgresqlCopy> m_copy;
  std::string m_sequence;
  std::string m_accounts, m_passwords; // COPY text of the batch
};

} // namespace sipcred
