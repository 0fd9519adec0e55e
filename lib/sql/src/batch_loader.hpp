#pragma once
// New accounts written in batches, for a load into tables that were empty when it began: the
// database's work per statement or round trip is shared by a whole batch. When the database
// refuses a batch for a unique key (SOURCE repeats an account, and DEST's unique index is in
// place), the batch is undone and `replay` writes its accounts one by one, the way that tells a
// repeat from a conflict.

#include "sipcred/account/account.hpp"

#include <cstddef>
#include <functional>
#include <span>
#include <vector>

namespace sipcred {

class BatchLoader {
public:
  BatchLoader(std::size_t batch_size, std::function<void(const Account&)> replay);
  virtual ~BatchLoader() = default;
  void add(Account&& account);
  void flush();

protected:
  // Writes the batch; throws DuplicateKey, with the batch undone, for a unique key refusal.
  virtual void load(std::span<const Account> batch) = 0;

private:
  std::size_t m_batch_size;
  std::function<void(const Account&)> m_replay;
  // Swapped into, not rebuilt: the caller gets back an account of an earlier batch, to free or
  // reuse, so that the writer's thread neither allocates nor frees.
  std::vector<Account> m_batch;
  std::size_t m_count = 0;
};

} // namespace sipcred
