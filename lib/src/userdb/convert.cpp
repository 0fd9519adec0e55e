#include "sipcred/userdb/convert.hpp"

#include "userdb/userdb_stream.hpp"

#include "digest/md5_batch.hpp"
#include "sipcred/userdb/user_edit.hpp"
#include "sipcred/userdb/userdb.hpp"
#include "sipcred/util/error.hpp"
#include "userdb/userdb_scan.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

namespace sipcred::userdb {
namespace {

// Pieces are converted in parallel, two a worker in flight (one converting, one read ahead or
// waiting to be written), so memory is about 2 x threads x (piece + its output, some four times
// larger) whatever the file size. A piece is 256 KiB, smaller beyond 16 threads so that the
// pieces stay within 40 MiB (a peak RSS under 48 MiB with 16 or 32 threads, 16 MiB with two). Small
// pieces are faster too: their buffers stay in the CPU caches, and fewer fresh pages are faulted in
// (1 MiB pieces took 20% longer on 1M users).
std::size_t piece_size_for(unsigned threads) {
  return std::clamp<std::size_t>((4u << 20) / threads, 64u << 10, 256u << 10);
}

// A piece of the input and what converting it gave.
struct Piece {
  std::string text;
  std::size_t first_line = 1;
  std::string output;
  std::vector<Diagnostic> diagnostics;
  ConvertReport report;
  bool converted = false;     // guarded by the pipeline's mutex
  std::exception_ptr failure; // what converting it threw
};

class LineConverter {
public:
  LineConverter(const ConvertOptions& options, Piece& piece)
      : m_options(options), m_piece(piece), m_md5(piece.output) {}

  // The HA1s still pending in the output: call once the piece is scanned.
  void finish() { m_md5.flush(); }

  void operator()(const Line& line, std::size_t index) {
    if (line.kind != LineKind::Auth) {
      if (!m_options.verify) m_piece.output.append(line.text);
      return;
    }
    ++m_piece.report.users;
    const Entry& entry = line.entry;
    const CredentialToken* clear = nullptr;
    for (const CredentialToken& credential : entry.credentials)
      if (!credential.ignored && credential.type == CredentialType::ClearText) clear = &credential;
    if (m_options.verify) {
      if (clear) verify(entry, *clear, index + 1);
      return;
    }
    if (clear)
      convert(line, *clear);
    else
      keep(line, index + 1);
  }

private:
  // What a client sends and hashes, URL-unescaped: the user-id, else the user.
  static std::string_view digest_username(const Entry& entry, std::string& storage) {
    return url_unescape(entry.user_id.empty() ? entry.user : entry.user_id, storage);
  }

  std::string_view realm(const Entry& entry) const {
    return m_options.realm.empty() ? entry.domain : std::string_view(m_options.realm);
  }

  // Written straight into the output: every field comes from a line that parsed, so it is
  // a valid token already, and the hashes are hex (format_auth_line would check them again).
  void convert(const Line& line, const CredentialToken& clear) {
    const Entry& entry = line.entry;
    std::string storage;
    const std::string_view username = digest_username(entry, storage);
    std::string& out = m_piece.output;
    if (!entry.user.empty()) out.append(entry.user).append("@");
    out.append(entry.domain);
    // Kept, a clear text that can never match would hide the hashes after it, which can:
    // Flexisip hashes it with the user and the domain, a client its user-id and the realm.
    const bool clear_text_can_match =
        userdb::clear_text_can_match(entry.user, entry.user_id) && realm(entry) == entry.domain;
    if (!clear_text_can_match) ++m_piece.report.clear_text_dropped;
    if (!m_options.drop_clear_text && clear_text_can_match)
      out.append(" clrtxt:").append(clear.value);
    for (HashFunction hash : m_options.hashes) {
      out.append(" ").append(*userdb_prefix(hash)).append(":");
      if (hash == HashFunction::Md5)
        m_md5.add(username, realm(entry), clear.value);
      else
        append_hex_digest_joined(out, hash, {username, realm(entry), clear.value}); // HA1
    }
    out.append(" ;");
    if (!entry.user_id.empty()) out.append(" ").append(entry.user_id);
    if (!entry.phone.empty()) out.append(" ").append(entry.phone);
    out.append(line.text.ends_with("\r\n") ? "\r\n" : "\n");
    ++m_piece.report.converted;
  }

  void keep(const Line& line, std::size_t line_number) {
    m_piece.output.append(line.text);
    std::string lacking;
    for (HashFunction hash : m_options.hashes) {
      const CredentialType type = credential_type_of(hash);
      const bool present =
          std::any_of(line.entry.credentials.begin(), line.entry.credentials.end(),
                      [&](const CredentialToken& c) { return !c.ignored && c.type == type; });
      if (!present) lacking += (lacking.empty() ? "" : ", ") + std::string(*userdb_prefix(hash));
    }
    if (lacking.empty()) {
      ++m_piece.report.already_hashed;
      return;
    }
    ++m_piece.report.skipped;
    m_piece.report.not_converted.push_back({line.entry.identity(), line_number,
                                            "no clear text to hash, and no " + lacking +
                                                " hash: it keeps working with the "
                                                "hashes it has"});
  }

  void verify(const Entry& entry, const CredentialToken& clear, std::size_t line_number) {
    std::string storage;
    const std::string_view username = digest_username(entry, storage);
    for (const CredentialToken& credential : entry.credentials) {
      if (credential.ignored || credential.type == CredentialType::ClearText) continue;
      std::string stored(credential.value);
      for (char& c : stored) c = ascii_lower(c); // Flexisip lower-cases hashes on load
      if (stored != ha1(hash_of(credential.type), username, realm(entry), clear.value))
        m_piece.report.mismatches.push_back({entry.identity(), line_number,
                                             std::string(credential.prefix) + " hash (column " +
                                                 std::to_string(credential.column) +
                                                 ") does not match the clear text"});
    }
  }

  const ConvertOptions& m_options;
  Piece& m_piece;
  Md5Batch m_md5;
};

void convert_piece(Piece& piece, const ConvertOptions& options) {
  LineConverter converter(options, piece);
  piece.output.reserve(options.verify ? 0 : piece.text.size() * 4); // a clrtxt line grows ~3.5x
  // Hashes beside a clear text (SC121-SC123) are what this conversion writes and checks.
  scan_piece(piece.text, piece.first_line, piece.diagnostics, std::ref(converter),
             ScanOptions{.report_credentials_beside_clear_text = false});
  converter.finish();
}

// The pieces in flight, in a ring: the calling thread reads them in and hands out their
// results in input order, while the workers convert them. Reading and writing (a third of the
// time on a large file, most of it in the kernel) overlap the hashing instead of stopping it.
class Pipeline {
public:
  Pipeline(unsigned workers, const ConvertOptions& options) : m_ring(2 * workers) {
    try {
      for (unsigned i = 0; i < workers; ++i)
        m_workers.emplace_back([this, &options] { work(options); });
    } catch (...) { // no thread for the next worker: stop those already started
      stop();
      throw;
    }
  }
  // Also when the caller leaves on an exception (a piece that failed, an output that cannot
  // be written): a thread must not outlive the pieces it converts.
  ~Pipeline() { stop(); }
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Fills every free place of the ring from `reader`. False once the input is exhausted and
  // every piece has been taken.
  bool fill(PieceReader& reader) {
    while (!m_input_ended && m_read - m_taken < m_ring.size()) {
      Piece& piece = m_ring[m_read % m_ring.size()];
      // What the caller took from the piece last time round goes; its buffers stay.
      piece.output.clear();
      piece.diagnostics.clear();
      piece.report = {};
      piece.failure = nullptr;
      if (!reader.next(piece.text, piece.first_line)) {
        m_input_ended = true;
        break;
      }
      {
        const std::lock_guard lock(m_mutex);
        piece.converted = false;
        m_queue.push_back(&piece);
      }
      m_queued.notify_one();
      ++m_read;
    }
    return m_taken < m_read;
  }

  // The oldest piece, once converted. It is the caller's until the next fill().
  Piece& take() {
    Piece& piece = m_ring[m_taken % m_ring.size()];
    std::unique_lock lock(m_mutex);
    m_converted.wait(lock, [&] { return piece.converted; });
    if (piece.failure) std::rethrow_exception(piece.failure);
    ++m_taken;
    return piece;
  }

private:
  void stop() {
    {
      const std::lock_guard lock(m_mutex);
      m_closing = true;
    }
    m_queued.notify_all();
    for (std::thread& worker : m_workers) worker.join();
  }

  void work(const ConvertOptions& options) {
    for (;;) {
      Piece* piece = nullptr;
      {
        std::unique_lock lock(m_mutex);
        m_queued.wait(lock, [&] { return m_closing || !m_queue.empty(); });
        if (m_closing) return;
        piece = m_queue.front();
        m_queue.pop_front();
      }
      try {
        convert_piece(*piece, options);
      } catch (...) {
        piece->failure = std::current_exception();
      }
      {
        const std::lock_guard lock(m_mutex);
        piece->converted = true;
      }
      m_converted.notify_all();
    }
  }

  // The buffers of the pieces live as long as the pipeline: freeing and faulting in megabytes
  // per piece, on several threads, cost more than the hashing.
  std::vector<Piece> m_ring;
  std::size_t m_read = 0;  // pieces read so far
  std::size_t m_taken = 0; // pieces handed out so far
  bool m_input_ended = false;
  std::mutex m_mutex;
  std::condition_variable m_queued, m_converted;
  std::deque<Piece*> m_queue; // read, waiting for a worker
  bool m_closing = false;
  std::vector<std::thread> m_workers;
};

void append_listed(std::vector<ConvertReport::User>& into, std::vector<ConvertReport::User>& from) {
  for (auto& user : from) {
    if (into.size() >= ConvertReport::listed_at_most) break;
    into.push_back(std::move(user));
  }
}

void merge(ConvertReport& into, ConvertReport&& from) {
  into.users += from.users;
  into.converted += from.converted;
  into.already_hashed += from.already_hashed;
  into.skipped += from.skipped;
  into.clear_text_dropped += from.clear_text_dropped;
  into.mismatch_count += from.mismatches.size();
  append_listed(into.not_converted, from.not_converted);
  append_listed(into.mismatches, from.mismatches);
}

} // namespace

ConvertReport convert(InputStream& input, const std::function<void(std::string_view)>& output,
                      const ConvertOptions& options,
                      const std::function<void(const Diagnostic&)>& diagnose) {
  for (HashFunction hash : options.hashes) credential_type_of(hash);
  // Memory grows with the threads (two pieces and their output each): 32 at most.
  const unsigned threads =
      std::clamp(options.threads ? options.threads : std::thread::hardware_concurrency(), 1u, 32u);
  PieceReader reader(input, piece_size_for(threads));
  ConvertReport report;
  Pipeline pipeline(threads, options);
  while (pipeline.fill(reader)) {
    Piece& piece = pipeline.take();
    if (!options.verify) output(piece.output);
    for (const Diagnostic& diagnostic : piece.diagnostics) diagnose(diagnostic);
    merge(report, std::move(piece.report));
  }
  return report;
}

} // namespace sipcred::userdb
