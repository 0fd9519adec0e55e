#pragma once
// A registrar's limit of wrong guesses (sipcred-sim serve --max-failures N/MINUTES): at most N
// failed authentications from one source address in a window of MINUTES, as fail2ban's
// maxretry/findtime would enforce in front of it.
// The first failure from an address opens its window; the Nth within it blocks the address
// until the window closes. A window is one time and one count whatever N is, and the table of
// addresses has a fixed size, so memory stays bounded whatever peers send.

#include "sipcred/export.hpp"
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sipcred {

class SIPCRED_EXPORT FailureLimit {
public:
  using Clock = std::chrono::steady_clock;

  // "N/MINUTES", both whole numbers above 0; Error(Usage) otherwise.
  static FailureLimit parse(std::string_view text, std::size_t max_sources = 16384);
  FailureLimit(unsigned failures, std::chrono::minutes window, std::size_t max_sources);

  // How long `source` stays blocked from `now`; nullopt when it is not blocked.
  std::optional<Clock::duration> blocked(const std::string& source, Clock::time_point now) const;
  void record_failure(const std::string& source, Clock::time_point now);

  unsigned failures() const { return m_failures; }
  std::chrono::minutes window() const { return m_window; }
  std::size_t size() const { return m_sources.size(); }

private:
  struct Window {
    Clock::time_point start;
    unsigned failures = 0;
  };
  // Makes room for one more address: windows that closed go first, then the oldest eighth.
  void make_room(Clock::time_point now);

  unsigned m_failures;
  std::chrono::minutes m_window;
  std::size_t m_max_sources;
  std::unordered_map<std::string, Window> m_sources;
};

} // namespace sipcred
