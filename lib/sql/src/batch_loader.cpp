#include "batch_loader.hpp"

#include "database_error.hpp"

namespace sipcred {

BatchLoader::BatchLoader(std::size_t batch_size, std::function<void(const Account&)> replay)
    : m_batch_size(batch_size), m_replay(std::move(replay)) {
  m_batch.reserve(batch_size);
}

void BatchLoader::add(Account&& account) {
  if (m_count < m_batch.size()) {
    std::swap(m_batch[m_count], account);
  } else {
    m_batch.push_back(std::move(account));
  }
  if (++m_count == m_batch_size) {
    flush();
  }
}

void BatchLoader::flush() {
  if (m_count == 0) {
    return;
  }
  const std::span<const Account> batch(m_batch.data(), m_count);
  m_count = 0;
  try {
    load(batch);
  } catch (const DuplicateKey&) {
    for (const Account& account : batch) {
      m_replay(account);
    }
  }
}

} // namespace sipcred
