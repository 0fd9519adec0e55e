#pragma once
// A progress bar on standard error, for long runs at a terminal: shown only once a run has
// lasted a second, only when stderr is a terminal, redrawn at most ten times a second, and
// erased when done.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace sipcred::cli {

class ProgressBar {
public:
  // `total`: the number of items expected, when known (else a counter is shown).
  ProgressBar(std::string what, std::optional<std::size_t> total, bool quiet);
  // Whether a bar would be drawn: when not, a caller need not work out the total.
  static bool wanted(bool quiet);
  ~ProgressBar() { finish(); }
  void update(std::size_t done);
  void finish(); // erases the bar

private:
  std::string m_what;
  std::optional<std::size_t> m_total;
  bool m_enabled;
  bool m_shown = false;
  std::chrono::steady_clock::time_point m_start = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point m_last_draw;
};

} // namespace sipcred::cli
