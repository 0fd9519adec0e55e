#pragma once
// New accounts into Flexisip's tables on MySQL or MariaDB, the server's own bulk path: LOAD DATA
// LOCAL INFILE of each batch, the rows read from memory by the client library (within 1.2x of
// the mariadb client's LOAD DATA of the same rows from files; one INSERT per row was 20x). On a
// server that refuses LOCAL INFILE (local_infile=OFF, MySQL 8's default), multi-row INSERTs:
// one statement per batch and table, about 1.6x. MySQL has no
// sequence to reserve ids from, so a batch numbers its accounts after the largest id present
// when it starts; should another writer take one of those ids meanwhile, the batch is refused
// for the key, undone, and replayed row by row (BatchLoader), which never collides.

#include "batch_loader.hpp"

#include <soci/soci.h>

#include <string>
#include <string_view>

namespace sipcred {

class FlexisipMysqlLoader : public BatchLoader {
public:
  // Accounts per statement: 10000 accounts and their ~20000 passwords rows are about 2.5 MB of
  // SQL, below MariaDB's default max_allowed_packet (16 MB); 2000 were 5 % slower.
  static constexpr std::size_t batch_size = 10000;

  FlexisipMysqlLoader(soci::session& session, std::function<void(const Account&)> replay);

private:
  void load(std::span<const Account> batch) override;
  // LOAD DATA LOCAL INFILE of `rows` into `table` (`columns`), the client library reading them
  // from memory; returns how many rows the server took.
  std::size_t load_file(const std::string& table, const std::string& columns,
                        const std::string& rows);
  // The batch as two multi-row INSERTs, the accounts numbered from `first`.
  void insert_rows(std::span<const Account> batch, long long first);
  // `text` as a quoted SQL string, escaped by the client library for the connection's charset.
  void append_quoted(std::string& sql, std::string_view text);

  soci::session& m_session;
  bool m_load_data = true;             // until the server refuses LOCAL INFILE
  std::string m_accounts, m_passwords; // the rows of the batch, as LOAD DATA reads them
  std::string m_escaped;
};

} // namespace sipcred
