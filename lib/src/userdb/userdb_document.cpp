#include "sipcred/userdb/userdb.hpp"
#include "userdb/userdb_scan.hpp"

#include "lint/rule_table.hpp"
#include "sipcred/util/error.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>

namespace sipcred::userdb {
namespace {

// Flexisip keys a user by (user, user-id, domain), URL-unescaped, the user-id defaulting to
// the user; the last line with a key wins. Views point into the entry, or into the key's own
// storage for the rare %-escaped names (so a key is never copied).
class UserKey {
public:
  explicit UserKey(const Entry& e)
      : m_user(url_unescape(e.user, m_user_storage)),
        m_user_id(e.user_id.empty() ? m_user : url_unescape(e.user_id, m_user_id_storage)),
        m_domain(e.domain) {}
  UserKey(const UserKey&) = delete;
  UserKey& operator=(const UserKey&) = delete;

  bool operator==(const UserKey& o) const {
    return m_user == o.m_user && m_user_id == o.m_user_id && m_domain == o.m_domain;
  }
  std::size_t hash() const {
    const std::hash<std::string_view> h;
    return h(m_user) ^ (h(m_user_id) * 0x9e3779b97f4a7c15ULL) ^
           (h(m_domain) * 0xc2b2ae3d27d4eb4fULL);
  }

private:
  std::string m_user_storage, m_user_id_storage; // declared first: the views below use them
  std::string_view m_user, m_user_id, m_domain;
};

// Reports users defined on several lines. An open-addressing table of line indexes tagged
// with their key's hash: a million users fit in 16 MB, no key is copied, and keys are only
// compared when their hashes agree.
void report_duplicates(const std::vector<Line>& lines, std::vector<Diagnostic>& diagnostics) {
  struct Slot {
    std::uint32_t line_plus_one = 0; // 0: empty
    std::uint32_t tag = 0;
  };
  std::size_t auth_lines = 0;
  for (const Line& line : lines) auth_lines += line.kind == LineKind::Auth;
  std::size_t capacity = 16;
  while (capacity < 2 * auth_lines) capacity *= 2;
  std::vector<Slot> slots(capacity);

  for (std::size_t index = 0; index < lines.size(); ++index) {
    if (lines[index].kind != LineKind::Auth) continue;
    const UserKey key(lines[index].entry);
    const std::size_t hash = key.hash();
    const auto tag = static_cast<std::uint32_t>(hash >> 32);
    for (std::size_t slot = hash & (capacity - 1);; slot = (slot + 1) & (capacity - 1)) {
      Slot& s = slots[slot];
      if (s.line_plus_one == 0) {
        s = {static_cast<std::uint32_t>(index + 1), tag};
        break;
      }
      const std::size_t previous = s.line_plus_one - 1;
      if (s.tag == tag && UserKey(lines[previous].entry) == key) {
        diagnostics.push_back(lint::finding(
            "SC124", index + 1, 1,
            "user '" + lines[index].entry.identity() + "' is already defined on line " +
                std::to_string(previous + 1) + ": Flexisip uses this line and ignores that one"));
        s.line_plus_one = static_cast<std::uint32_t>(index + 1);
        break;
      }
    }
  }
}

} // namespace

Document::Document() : Document(std::make_unique<std::string>("version:1\n")) {
  std::vector<Diagnostic> none;
  m_lines.push_back(parse_line(*m_content, 1, none));
}

Document::Document(std::unique_ptr<std::string> content) : m_content(std::move(content)) {}

Document Document::parse(std::string content, std::vector<Diagnostic>& diagnostics) {
  if (content.size() >= UINT32_MAX)
    throw Error(ErrorKind::DataError, "a userdb of 4 GiB or more is not supported");
  Document document(std::make_unique<std::string>(std::move(content)));
  const std::string_view text = *document.m_content;

  document.m_lines.reserve(count_lines(text) + 1);
  scan_lines(text, diagnostics,
             [&](const Line& line, std::size_t) { document.m_lines.push_back(line); });
  report_duplicates(document.m_lines, diagnostics);
  return document;
}

std::string Document::content() const {
  std::size_t size = 0;
  for (const Line& line : m_lines) size += line.text.size();
  std::string out;
  out.reserve(size);
  for (const Line& line : m_lines) out.append(line.text);
  return out;
}

std::string_view Document::keep(std::string text) {
  m_edited.push_back(std::make_unique<std::string>(std::move(text)));
  return *m_edited.back();
}

std::string_view Document::line_end() const {
  if (!m_lines.empty() && m_lines.front().text.ends_with("\r\n")) return "\r\n";
  return "\n";
}

void Document::replace_entry(std::size_t index, const EntrySpec& spec) {
  Line& line = m_lines.at(index);
  if (line.kind != LineKind::Auth)
    throw Error(ErrorKind::Internal, "line " + std::to_string(index + 1) + " holds no user");
  const std::string_view end = line.text.ends_with("\r\n") ? "\r\n" : "\n";
  std::vector<Diagnostic> diagnostics;
  line = parse_line(keep(format_auth_line(spec) + std::string(end)), index + 1, diagnostics);
}

std::size_t Document::append_entry(const EntrySpec& spec) {
  std::vector<Diagnostic> diagnostics;
  // A last line without its line end would run into the new one: end it first.
  if (!m_lines.empty() && !m_lines.back().text.ends_with("\n")) {
    Line& last = m_lines.back();
    const Line* before = m_lines.size() > 1 ? &m_lines[m_lines.size() - 2] : nullptr;
    last = parse_line(keep(std::string(last.text) + std::string(line_end())), m_lines.size(),
                      diagnostics, before);
  }
  const std::size_t index = m_lines.size();
  m_lines.push_back(
      parse_line(keep(format_auth_line(spec) + std::string(line_end())), index + 1, diagnostics));
  return index;
}

void Document::erase_line(std::size_t index) {
  if (index == 0 || index >= m_lines.size())
    throw Error(ErrorKind::Internal, "cannot erase line " + std::to_string(index + 1));
  m_lines.erase(m_lines.begin() + static_cast<std::ptrdiff_t>(index));
}

} // namespace sipcred::userdb
