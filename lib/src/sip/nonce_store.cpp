#include "sipcred/sip/nonce_store.hpp"

#include "sipcred/sip/exchange.hpp"

#include <charconv>

namespace sipcred {

NonceStore::NonceStore(std::chrono::seconds lifetime, std::size_t capacity)
    : m_lifetime(lifetime), m_capacity(capacity == 0 ? 1 : capacity) {}

void NonceStore::forget_old(Clock::time_point now) {
  while (!m_order.empty() &&
         (m_order.size() >= m_capacity || now - m_order.front().first > 2 * m_lifetime)) {
    m_nonces.erase(m_order.front().second);
    m_order.pop_front();
  }
}

std::string NonceStore::issue(Clock::time_point now) {
  forget_old(now);
  std::string nonce = random_nonce(16);
  m_nonces[nonce] = Entry{now, -1};
  m_order.emplace_back(now, nonce);
  return nonce;
}

NonceStore::State NonceStore::check(std::string_view nonce, std::string_view nc,
                                    Clock::time_point now) {
  const auto found = m_nonces.find(std::string(nonce));
  if (found == m_nonces.end()) return State::Unknown;
  Entry& entry = found->second;
  if (now - entry.issued > m_lifetime) return State::Expired;
  if (nc.empty()) return State::Fresh;
  std::uint32_t value = 0;
  const auto [end, ec] = std::from_chars(nc.data(), nc.data() + nc.size(), value, 16);
  if (nc.size() != 8 || ec != std::errc() || end != nc.data() + nc.size()) return State::BadNc;
  if (static_cast<std::int64_t>(value) <= entry.last_nc) return State::Replayed;
  entry.last_nc = value;
  return State::Fresh;
}

} // namespace sipcred
