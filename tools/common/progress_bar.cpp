#include "progress_bar.hpp"

#include <cstdio>

#include <unistd.h>

namespace sipcred::cli {

using namespace std::chrono_literals;

ProgressBar::ProgressBar(std::string what, std::optional<std::size_t> total, bool quiet)
    : m_what(std::move(what)), m_total(total), m_enabled(wanted(quiet)) {}

bool ProgressBar::wanted(bool quiet) { return !quiet && ::isatty(STDERR_FILENO); }

void ProgressBar::update(std::size_t done) {
  if (!m_enabled) {
    return;
  }
  auto now = std::chrono::steady_clock::now();
  if (now - m_start < 1s || now - m_last_draw < 100ms) {
    return;
  }
  m_last_draw = now;
  m_shown = true;
  if (m_total && *m_total > 0) {
    constexpr int width = 30;
    double fraction = std::min(1.0, static_cast<double>(done) / static_cast<double>(*m_total));
    int filled = static_cast<int>(fraction * width);
    std::fprintf(stderr, "\r[%.*s%*s] %3d%% %zu/%zu %s", filled, "##############################",
                 width - filled, "", static_cast<int>(fraction * 100), done, *m_total,
                 m_what.c_str());
  } else {
    std::fprintf(stderr, "\r%zu %s", done, m_what.c_str());
  }
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (m_shown) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    m_shown = false;
  }
}

} // namespace sipcred::cli
