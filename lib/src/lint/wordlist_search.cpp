#include "lint/wordlist_search.hpp"

#include "digest/salted_search.hpp"
#include "sipcred/util/error.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <functional>
#include <string_view>
#include <thread>
#include <unordered_set>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sipcred::lint {
namespace {

constexpr std::size_t max_candidate = 256; // hashcat's limit too
// Candidates a chunk holds: enough that threads are started rarely, few enough that the chunk
// stays in the cache while every HA1 is tried against it.
constexpr std::size_t chunk_words = 8192;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A word list read a chunk of candidates at a time, in bounded memory.
class WordlistReader {
public:
  explicit WordlistReader(const std::string& path) : m_path(path) {
    m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (m_fd < 0)
      throw Error(ErrorKind::NoInput,
                  "cannot read word list " + path + ": " + std::strerror(errno));
    struct stat info {};
    if (::fstat(m_fd, &info) == 0 && S_ISDIR(info.st_mode)) {
      ::close(m_fd);
      throw Error(ErrorKind::NoInput, "cannot read word list " + path + ": is a directory");
    }
  }
  ~WordlistReader() { ::close(m_fd); }
  WordlistReader(const WordlistReader&) = delete;
  WordlistReader& operator=(const WordlistReader&) = delete;

  static std::size_t size_of(const std::string& path) {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode)
               ? static_cast<std::size_t>(info.st_size)
               : 0;
  }

  // The next candidates into `words` (views into this reader, valid until the next call);
  // false once the file is done.
  bool next(std::vector<std::string_view>& words) {
    words.clear();
    m_chunk.clear();
    m_ends.clear();
    while (m_ends.size() < chunk_words) {
      if (m_pos == m_len && !fill()) break;
      const char* start = m_buffer + m_pos;
      const void* newline = std::memchr(start, '\n', m_len - m_pos);
      const std::size_t piece =
          newline ? static_cast<std::size_t>(static_cast<const char*>(newline) - start)
                  : m_len - m_pos;
      if (!m_too_long) {
        if (m_line.size() + piece > max_candidate + 1) {
          m_too_long = true;
          m_line.clear();
        } else {
          m_line.append(start, piece);
        }
      }
      m_pos += piece;
      if (!newline) continue;
      ++m_pos;
      end_line();
    }
    if (m_ends.size() < chunk_words && m_eof) end_line(); // a last line without a line end
    std::size_t begin = 0;
    for (std::size_t end : m_ends) {
      words.push_back(std::string_view(m_chunk).substr(begin, end - begin));
      begin = end;
    }
    return !words.empty() || !m_eof;
  }

  std::size_t consumed() const { return m_consumed; }

private:
  bool fill() {
    if (m_eof) return false;
    ssize_t got;
    do got = ::read(m_fd, m_buffer, sizeof m_buffer);
    while (got < 0 && errno == EINTR);
    if (got < 0)
      throw Error(ErrorKind::Io, "cannot read word list " + m_path + ": " + std::strerror(errno));
    m_pos = 0;
    m_len = static_cast<std::size_t>(got);
    m_consumed += m_len;
    if (got == 0) m_eof = true;
    return got > 0;
  }

  void end_line() {
    if (!m_line.empty() && m_line.back() == '\r') m_line.pop_back();
    if (!m_too_long && !m_line.empty() && m_line.size() <= max_candidate) {
      m_chunk += m_line;
      m_ends.push_back(m_chunk.size());
    }
    m_line.clear();
    m_too_long = false;
  }

  std::string m_path;
  int m_fd = -1;
  char m_buffer[1 << 16];
  std::size_t m_pos = 0, m_len = 0, m_consumed = 0;
  bool m_eof = false;
  std::string m_line; // the line being read, across buffer refills
  bool m_too_long = false;
  std::string m_chunk;
  std::vector<std::size_t> m_ends;
};

// HA1s not yet found, each against the chunk, taken a block at a time from `next` by every
// thread (a static split would leave one core idle when the other is slowed by other work);
// `searched` counts the HA1s done, and `tick` (the first thread's only) reports it.
void search_blocks(const std::vector<HashTarget>& targets, std::vector<char>& found,
                   const std::vector<std::string_view>& words,
                   std::vector<std::pair<std::size_t, std::size_t>>& hits,
                   std::atomic<std::size_t>& next, std::atomic<std::size_t>& searched,
                   const std::function<void()>& tick) {
  constexpr std::size_t block = 256;
  std::vector<std::size_t> matches;
  for (;;) {
    const std::size_t from = next.fetch_add(block, std::memory_order_relaxed);
    if (from >= targets.size()) return;
    const std::size_t to = std::min(targets.size(), from + block);
    for (std::size_t i = from; i < to; ++i) {
      if (found[i]) continue;
      matches.clear();
      salted_search(targets[i].hash, targets[i].prefix, words, targets[i].digest, matches);
      if (matches.empty()) continue;
      found[i] = 1;
      hits.emplace_back(i, matches.front());
    }
    searched.fetch_add(to - from, std::memory_order_relaxed);
    if (tick) tick();
  }
}

} // namespace

std::vector<unsigned char> digest_of_hex(HashFunction hash, std::string_view hex) {
  if (hex.size() != hex_length(hash)) return {};
  std::vector<unsigned char> out(hex.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int high = hex_value(hex[2 * i]), low = hex_value(hex[2 * i + 1]);
    if (high < 0 || low < 0) return {};
    out[i] = static_cast<unsigned char>(high << 4 | low);
  }
  return out;
}

std::vector<WordlistMatch> search_wordlists(const std::vector<std::string>& wordlists,
                                            const std::vector<HashTarget>& targets,
                                            const ClearTexts& clear_texts, unsigned threads,
                                            const AuditProgress& progress) {
  std::vector<WordlistMatch> out;
  if (wordlists.empty() || (targets.empty() && clear_texts.empty())) return out;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  // Below a few hundred HA1s a chunk takes less than starting a thread costs.
  const unsigned workers =
      static_cast<unsigned>(std::min<std::size_t>(threads, 1 + targets.size() / 256));

  std::size_t total = 0, before = 0;
  for (const std::string& path : wordlists) total += WordlistReader::size_of(path);
  std::vector<char> found(targets.size(), 0);
  std::unordered_set<std::string_view> clear_found;
  std::vector<std::vector<std::pair<std::size_t, std::size_t>>> hits(workers);
  std::vector<std::string_view> words;
  for (const std::string& path : wordlists) {
    WordlistReader reader(path);
    std::size_t previous = 0; // bytes of this list read before the chunk
    while (reader.next(words)) {
      for (std::size_t w = 0; w < words.size(); ++w) {
        const auto it = clear_texts.find(std::string(words[w]));
        if (it == clear_texts.end() || !clear_found.insert(it->first).second) continue;
        for (std::size_t account : it->second)
          out.push_back(WordlistMatch{account, nullptr, path, std::string(words[w])});
      }
      if (!targets.empty()) {
        // Within a chunk, progress is its bytes times the share of the HA1s searched.
        const std::size_t chunk_start = before + previous,
                          chunk_bytes = reader.consumed() - previous;
        std::atomic<std::size_t> next{0}, searched{0};
        const std::function<void()> tick = [&] {
          if (progress)
            progress(chunk_start +
                         chunk_bytes * std::min(searched.load(), targets.size()) / targets.size(),
                     total);
        };
        std::vector<std::thread> pool;
        for (unsigned t = 1; t < workers; ++t)
          pool.emplace_back(
              [&, t] { search_blocks(targets, found, words, hits[t], next, searched, {}); });
        try {
          search_blocks(targets, found, words, hits[0], next, searched, tick);
        } catch (...) {
          for (std::thread& thread : pool) thread.join();
          throw;
        }
        for (std::thread& thread : pool) thread.join();
        // In HA1 order, whichever thread found them: the output does not depend on timing.
        std::vector<std::pair<std::size_t, std::size_t>> chunk_hits;
        for (auto& list : hits) {
          chunk_hits.insert(chunk_hits.end(), list.begin(), list.end());
          list.clear();
        }
        std::sort(chunk_hits.begin(), chunk_hits.end());
        for (const auto& [target, word] : chunk_hits)
          out.push_back(WordlistMatch{targets[target].account, &targets[target], path,
                                      std::string(words[word])});
      }
      previous = reader.consumed();
      if (progress) progress(before + previous, total);
    }
    before += reader.consumed();
  }
  return out;
}

} // namespace sipcred::lint
