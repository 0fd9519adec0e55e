#include "userdb/file_writer.hpp"

#include "userdb/file_store.hpp"

#include "sipcred/userdb/line_edits.hpp"
#include "sipcred/userdb/user_edit.hpp"
#include "sipcred/userdb/userdb.hpp"
#include "sipcred/util/atomic_file.hpp"
#include "sipcred/util/error.hpp"
#include "userdb/userdb_scan.hpp"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <unordered_map>

namespace sipcred::userdb {
namespace {

// Writes accounts into a scanned userdb; the file is replaced (or created) at commit.
class FileWriter : public StoreWriter {
public:
  FileWriter(const std::string& path, OnConflict on_conflict) : m_on_conflict(on_conflict) {
    std::error_code ignored;
    if (!std::filesystem::exists(path, ignored)) {
      m_new_path = path;
      m_empty = Document().content();
      m_content = m_empty;
    } else {
      m_file.emplace(path);
      m_content = m_file->view();
      std::vector<Diagnostic> diagnostics;
      // In file order: the last line of a user is the one Flexisip uses.
      scan_lines(m_content, diagnostics, [&](const Line& line, std::size_t) {
        if (line.kind != LineKind::Auth) return;
        const Entry& entry = line.entry;
        m_lines[account_key(entry.hash_user(), auth_user_of(entry), entry.domain)] = {
            line.text, no_line, 0, {}};
      });
      if (std::any_of(diagnostics.begin(), diagnostics.end(),
                      [](const Diagnostic& d) { return d.severity == Severity::Error; })) {
        // The refusal lists what parsing the whole document finds (users defined twice
        // too), as sipcred-migrate printed it when this writer edited a Document: only
        // on this path, so a clean file costs no second pass.
        std::vector<Diagnostic> all;
        Document::parse(std::string(m_content), all);
        throw InvalidStoreData(path, std::move(all));
      }
    }
  }

  WriteResult write(Account&& account) override {
    // Formatted when written: an account the userdb cannot hold throws then, not at commit.
    const auto line_of = [&] { return format_auth_line(entry_spec_of(account)); };
    std::string key = account_key(account.user, account.digest_username(), account.domain);
    auto existing = m_lines.find(key);
    if (existing == m_lines.end()) {
      m_appended.push_back(line_of());
      m_lines[std::move(key)] = {{}, m_appended.size() - 1, account.credentials.size(), {}};
      return WriteResult::Inserted;
    }
    Written& written = existing->second;
    if (written.appended != no_line) {
      // Written earlier in this run: the later entry wins, as in Flexisip.
      m_duplicates.add(account.identity(), written.credentials);
      m_appended[written.appended] = line_of();
      written.credentials = account.credentials.size();
      return WriteResult::Inserted;
    }
    switch (m_on_conflict) {
    case OnConflict::Fail: return WriteResult::Conflict;
    case OnConflict::Skip: return WriteResult::Skipped;
    case OnConflict::Replace: written.text = line_of(); return WriteResult::Replaced;
    }
    return WriteResult::Conflict;
  }

  Duplicates settle() override { return std::move(m_duplicates); }

  void commit() override {
    LineEdits edits(m_content);
    for (auto& [key, written] : m_lines)
      if (written.text) edits.replace(written.line, std::move(*written.text));
    for (std::string& text : m_appended) edits.append(std::move(text));
    if (m_file) {
      m_file->replace(edits.pieces());
    } else {
      std::string content;
      for (std::string_view piece : edits.pieces()) content += piece;
      AtomicFile::create(m_new_path, content);
    }
  }

private:
  static constexpr std::size_t no_line = std::string::npos;
  struct Written {
    std::string_view line;           // the original line, for one the file had
    std::size_t appended = no_line;  // else its index in m_appended
    std::size_t credentials = 0;     // that this run wrote there
    std::optional<std::string> text; // the original line's replacement, once written
  };

  OnConflict m_on_conflict;
  std::optional<AtomicFile> m_file; // the locked existing file, or none for a new one
  std::string m_new_path;
  std::string m_empty;                              // the content of a new file
  std::string_view m_content;                       // the file's (mapped), or m_empty
  std::unordered_map<std::string, Written> m_lines; // account_key -> its line
  std::vector<std::string> m_appended;              // new lines, in the order written
  Duplicates m_duplicates;
};

} // namespace

std::string account_key(std::string_view user, std::string_view digest_username,
                        std::string_view domain) {
  std::string key;
  key.append(user).append(1, '\0').append(digest_username).append(1, '\0').append(domain);
  return key;
}

std::unique_ptr<StoreWriter> begin_file_write(const std::string& path, OnConflict on_conflict) {
  return std::make_unique<FileWriter>(path, on_conflict);
}

} // namespace sipcred::userdb
