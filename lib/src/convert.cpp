#include "sipcred/convert.hpp"

#include "sipcred/userdb_stream.hpp"

#include "sipcred/error.hpp"
#include "sipcred/userdb.hpp"
#include "text.hpp"

#include <algorithm>
#include <exception>
#include <span>
#include <thread>

namespace sipcred::userdb {
namespace {

// Pieces are converted in parallel, so memory is about threads x (piece + its output, some
// four times larger) whatever the file size. A piece is 1 MiB, smaller with many threads so
// that all of them stay within about 40 MiB.
std::size_t piece_size_for(unsigned threads) {
  return std::clamp<std::size_t>((8u << 20) / threads, 64u << 10, 1u << 20);
}

// A piece of the input and what converting it gave.
struct Piece {
  std::string text;
  std::size_t first_line = 1;
  std::string output;
  std::vector<Diagnostic> diagnostics;
  ConvertReport report;
};

class LineConverter {
public:
  LineConverter(const ConvertOptions& options, Piece& piece) : m_options(options), m_piece(piece) {}

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
  std::string_view realm(const Entry& entry) const {
    return m_options.realm.empty() ? entry.domain : std::string_view(m_options.realm);
  }

  // Written straight into the output: every field comes from a line that parsed, so it is
  // a valid token already, and the hashes are hex (format_auth_line would check them again).
  void convert(const Line& line, const CredentialToken& clear) {
    const Entry& entry = line.entry;
    std::string storage;
    const std::string_view user = url_unescape(entry.user, storage);
    std::string& out = m_piece.output;
    if (!entry.user.empty()) out.append(entry.user).append("@");
    out.append(entry.domain);
    if (!m_options.drop_clear_text) out.append(" clrtxt:").append(clear.value);
    for (HashFunction hash : m_options.hashes) {
      out.append(" ").append(*userdb_prefix(hash)).append(":");
      append_hex_digest_joined(out, hash, {user, realm(entry), clear.value}); // HA1
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
    const std::string user = entry.hash_user();
    for (const CredentialToken& credential : entry.credentials) {
      if (credential.ignored || credential.type == CredentialType::ClearText) continue;
      std::string stored(credential.value);
      for (char& c : stored) c = ascii_lower(c); // Flexisip lower-cases hashes on load
      if (stored != ha1(hash_of(credential.type), user, realm(entry), clear.value))
        m_piece.report.mismatches.push_back({entry.identity(), line_number,
                                             std::string(credential.prefix) + " hash (column " +
                                                 std::to_string(credential.column) +
                                                 ") does not match the clear text"});
    }
  }

  const ConvertOptions& m_options;
  Piece& m_piece;
};

void convert_piece(Piece& piece, const ConvertOptions& options) {
  LineConverter converter(options, piece);
  piece.output.reserve(options.verify ? 0 : piece.text.size() * 4); // a clrtxt line grows ~3.5x
  scan_piece(piece.text, piece.first_line, piece.diagnostics, std::ref(converter));
}

// Converts the pieces on as many threads, the first on the calling one.
void convert_batch(std::span<Piece> batch, const ConvertOptions& options) {
  std::vector<std::exception_ptr> errors(batch.size());
  std::vector<std::thread> workers;
  for (std::size_t i = 1; i < batch.size(); ++i)
    workers.emplace_back([&, i] {
      try {
        convert_piece(batch[i], options);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    });
  try {
    convert_piece(batch[0], options);
  } catch (...) {
    errors[0] = std::current_exception();
  }
  for (std::thread& worker : workers) worker.join();
  for (const std::exception_ptr& error : errors)
    if (error) std::rethrow_exception(error);
}

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
  into.mismatch_count += from.mismatches.size();
  append_listed(into.not_converted, from.not_converted);
  append_listed(into.mismatches, from.mismatches);
}

} // namespace

ConvertReport convert(InputStream& input, const std::function<void(std::string_view)>& output,
                      const ConvertOptions& options,
                      const std::function<void(const Diagnostic&)>& diagnose) {
  for (HashFunction hash : options.hashes) credential_type_of(hash);
  // Memory grows with the threads (a piece and its output each): 32 at most.
  const unsigned threads =
      std::clamp(options.threads ? options.threads : std::thread::hardware_concurrency(), 1u, 32u);
  PieceReader reader(input, piece_size_for(threads));
  ConvertReport report;
  // The pieces' buffers live across batches: freeing and faulting in megabytes per piece,
  // on several threads, cost more than the hashing. (Overlapping the writing of one batch
  // with the conversion of the next was tried: on two cores the third thread slows it down.)
  std::vector<Piece> pieces(threads);
  bool more = true;
  while (more) {
    std::size_t filled = 0;
    while (filled < threads && (more = reader.next(pieces[filled].text, pieces[filled].first_line)))
      ++filled;
    if (filled == 0) break;
    const std::span<Piece> batch(pieces.data(), filled);
    convert_batch(batch, options);
    for (Piece& piece : batch) {
      if (!options.verify) output(piece.output);
      for (const Diagnostic& diagnostic : piece.diagnostics) diagnose(diagnostic);
      merge(report, std::move(piece.report));
      piece.output.clear();
      piece.diagnostics.clear();
      piece.report = {};
    }
  }
  return report;
}

} // namespace sipcred::userdb
