#include "sipcred/sip/failure_limit.hpp"

#include "sipcred/util/error.hpp"

#include <algorithm>
#include <charconv>
#include <vector>

namespace sipcred {

namespace {

std::optional<unsigned> whole_number(std::string_view text, unsigned max) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value == 0 ||
      value > max)
    return std::nullopt;
  return value;
}

} // namespace

FailureLimit FailureLimit::parse(std::string_view text, std::size_t max_sources) {
  const std::size_t slash = text.find('/');
  // A day is the longest window: past it an address is better blocked in the firewall.
  const auto failures =
      slash == std::string_view::npos ? std::nullopt : whole_number(text.substr(0, slash), 1000000);
  const auto minutes = slash == std::string_view::npos
                           ? std::nullopt
                           : whole_number(text.substr(slash + 1), 24 * 60);
  if (!failures || !minutes)
    throw Error(ErrorKind::Usage, "expected N/MINUTES, such as 5/10 (N from 1 to 1000000, "
                                  "MINUTES from 1 to 1440), not '" +
                                      std::string(text) + "'");
  return FailureLimit(*failures, std::chrono::minutes(*minutes), max_sources);
}

FailureLimit::FailureLimit(unsigned failures, std::chrono::minutes window, std::size_t max_sources)
    : m_failures(failures), m_window(window), m_max_sources(std::max<std::size_t>(max_sources, 8)) {
}

std::optional<FailureLimit::Clock::duration> FailureLimit::blocked(const std::string& source,
                                                                   Clock::time_point now) const {
  const auto found = m_sources.find(source);
  if (found == m_sources.end() || found->second.failures < m_failures) return std::nullopt;
  const Clock::time_point end = found->second.start + m_window;
  if (now >= end) return std::nullopt;
  return end - now;
}

void FailureLimit::record_failure(const std::string& source, Clock::time_point now) {
  auto found = m_sources.find(source);
  if (found == m_sources.end()) {
    if (m_sources.size() >= m_max_sources) make_room(now);
    found = m_sources.emplace(source, Window{now, 0}).first;
  }
  Window& window = found->second;
  if (now >= window.start + m_window) window = Window{now, 0};
  if (window.failures < m_failures) ++window.failures;
}

void FailureLimit::make_room(Clock::time_point now) {
  std::erase_if(m_sources, [&](const auto& entry) { return now >= entry.second.start + m_window; });
  if (m_sources.size() < m_max_sources) return;
  // Every window is open: forget the oldest eighth at once, so that a stream of new addresses
  // costs one pass per eighth of the table, not one per address. An address forgotten this way
  // had its N-1 guesses at most, and its successors as many each.
  std::vector<Clock::time_point> starts;
  starts.reserve(m_sources.size());
  for (const auto& [source, window] : m_sources) starts.push_back(window.start);
  const auto cut = starts.begin() + static_cast<std::ptrdiff_t>(starts.size() / 8);
  std::nth_element(starts.begin(), cut, starts.end());
  const Clock::time_point oldest_kept = *cut;
  std::erase_if(m_sources, [&](const auto& entry) { return entry.second.start < oldest_kept; });
  // Many windows opened at the same instant: drop enough of them anyway.
  for (auto it = m_sources.begin(); m_sources.size() >= m_max_sources;) it = m_sources.erase(it);
}

} // namespace sipcred
