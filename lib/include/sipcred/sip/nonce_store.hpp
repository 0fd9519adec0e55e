#pragma once
// The nonces a registrar has issued: when each expires and the highest nonce count (nc) seen
// with it, so that an expired nonce gets a stale challenge and a replayed nc a new one.

#include "sipcred/export.hpp"
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sipcred {

class SIPCRED_EXPORT NonceStore {
public:
  using Clock = std::chrono::steady_clock;

  // Nonces live `lifetime`; the store forgets them a lifetime later still (so that a late
  // answer is told stale rather than unknown) or when it holds `capacity` nonces, oldest
  // first, so that a flood of unanswered challenges cannot grow it without bound.
  explicit NonceStore(std::chrono::seconds lifetime, std::size_t capacity = 100000);

  // A new random nonce, valid from `now`.
  std::string issue(Clock::time_point now);

  enum class State {
    Fresh,    // issued here, not expired, nc above every nc seen (now recorded)
    Unknown,  // never issued here, or long forgotten
    Expired,  // issued here, past its lifetime: a stale challenge
    Replayed, // nc not above one already seen with this nonce
    BadNc,    // nc is not 8 hex digits
  };
  // Checks the nonce of an answer; with `nc` (qop was used), checks that it grows and records
  // it. An empty `nc` (no qop) is not tracked.
  State check(std::string_view nonce, std::string_view nc, Clock::time_point now);

  std::size_t size() const { return m_nonces.size(); }

private:
  struct Entry {
    Clock::time_point issued;
    std::int64_t last_nc = -1;
  };
  void forget_old(Clock::time_point now);

  std::chrono::seconds m_lifetime;
  std::size_t m_capacity;
  std::unordered_map<std::string, Entry> m_nonces;
  std::deque<std::pair<Clock::time_point, std::string>> m_order; // issue order = expiry order
};

} // namespace sipcred
