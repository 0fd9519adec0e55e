// Parsing of single userdb lines, and the scans of whole files built on it, following
// Flexisip's own grammar (share/authdb-file-grammar in Flexisip) and the way its file backend
// reads the result.

#include "sipcred/userdb/userdb.hpp"
#include "userdb/userdb_scan.hpp"
#include "userdb/userdb_tokens.hpp"

#include "lint/rule_table.hpp"
#include "sipcred/digest/digest.hpp"
#include "sipcred/util/error.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <optional>
#include <thread>

namespace sipcred::userdb {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

// 1-based column of byte `pos`, counting UTF-8 code points (continuation bytes don't count).
std::size_t column_of(std::string_view body, std::size_t pos) {
  std::size_t column = 1;
  for (std::size_t i = 0; i < pos && i < body.size(); ++i)
    if ((static_cast<unsigned char>(body[i]) & 0xC0) != 0x80) ++column;
  return column;
}

std::string describe_char(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (c == '\t') return "a tab";
  if (c == '\r') return "a carriage return";
  if (byte >= 0x21 && byte < 0x7f) return std::string("'") + c + "'";
  if (c == ' ') return "a space";
  static constexpr char digits[] = "0123456789ABCDEF";
  return std::string("byte 0x") + digits[byte >> 4] + digits[byte & 0x0f];
}

// Length of a UTF-8-like sequence starting at body[pos] as Flexisip's grammar accepts it in a
// comment (lead byte C0-FD, then the matching number of continuation bytes); 0 if invalid.
std::size_t utf8_sequence_length(std::string_view body, std::size_t pos) {
  const auto lead = static_cast<unsigned char>(body[pos]);
  std::size_t continuations = lead >= 0xC0 && lead <= 0xDF   ? 1
                              : lead >= 0xE0 && lead <= 0xEF ? 2
                              : lead >= 0xF0 && lead <= 0xF7 ? 3
                              : lead >= 0xF8 && lead <= 0xFB ? 4
                              : lead >= 0xFC && lead <= 0xFD ? 5
                                                             : 0;
  if (continuations == 0 || pos + continuations >= body.size()) return 0;
  for (std::size_t i = 1; i <= continuations; ++i)
    if ((static_cast<unsigned char>(body[pos + i]) & 0xC0) != 0x80) return 0;
  return continuations + 1;
}

std::string_view body_of(std::string_view text) {
  if (!text.empty() && text.back() == '\n') {
    text.remove_suffix(1);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  }
  return text;
}

// Flexisip's comment text may hold LWS = [*WSP CRLF] 1*WSP, and its parser (belr) never
// backtracks. So after a comment that ends in CRLF, an indented line continues the comment...
bool comment_stays_open(const Line& line) {
  return line.kind == LineKind::Comment && line.text.ends_with("\r\n");
}

// ... and a comment whose text ends in whitespace just before CRLF fails unless the next line
// is indented: the whitespace and CRLF start an LWS that then finds no whitespace to finish.
// (A whitespace-only continuation line is itself the end of an LWS, so it is fine.)
std::optional<std::size_t> dangling_space(const Line& line) {
  if (!comment_stays_open(line)) return std::nullopt;
  const std::string_view body = body_of(line.text);
  const std::size_t last = body.find_last_not_of(" \t");
  if (last == std::string_view::npos || last + 1 == body.size()) return std::nullopt;
  return last + 1;
}

Diagnostic dangling_space_error(const Line& comment, std::size_t line_number, std::size_t pos) {
  return lint::finding("SC114", line_number, column_of(body_of(comment.text), pos),
                       "whitespace at the end of a comment, before CRLF, with no indented line "
                       "after it: Flexisip's grammar then fails and refuses the file; remove the "
                       "trailing whitespace");
}

// Whether an md5:/sha256:-like prefix may be shown in a message: an unknown prefix may as well
// be the second half of a password that contained a space.
bool looks_like_algorithm(std::string_view prefix) {
  if (prefix.empty() || prefix.size() > 12) return false;
  for (char c : prefix)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
  for (std::string_view start : {"md", "sha", "clr", "clear", "plain", "ha1", "crypt"})
    if (prefix.size() >= start.size() && iequals(prefix.substr(0, start.size()), start))
      return true;
  return false;
}

class LineParser {
public:
  LineParser(std::string_view text, std::size_t line_number, std::vector<Diagnostic>& diagnostics,
             const Line* previous, ScanOptions options = {})
      : m_text(text), m_body(body_of(text)), m_number(line_number), m_diagnostics(diagnostics),
        m_previous(previous), m_options(options) {}

  // Fills `line`, reusing its storage (a scan parses a million lines into the same two).
  void parse_into(Line& line) {
    line.entry.user = line.entry.domain = line.entry.user_id = line.entry.phone = {};
    line.entry.credentials.clear();
    line.text = m_text;
    line.kind = classify(line.entry);
    // A missing final line end is reported after the content, so both problems show.
    if (m_text.empty() || m_text.back() != '\n') {
      error("SC103", m_body.size(),
            "expected a line end: the last line of a userdb must end with "
            "a line feed, or Flexisip refuses the file");
      line.kind = LineKind::Invalid;
    }
  }

private:
  LineKind classify(Entry& entry) {
    if (m_number == 1) return version_line();
    if (m_previous && comment_stays_open(*m_previous)) {
      if (!m_body.empty() && is_space(m_body[0])) return comment_continuation();
      if (auto pos = dangling_space(*m_previous))
        m_diagnostics.push_back(dangling_space_error(*m_previous, m_number - 1, *pos));
    }
    if (m_body.empty()) return LineKind::Blank;
    if (is_space(m_body[0])) {
      const std::size_t first = m_body.find_first_not_of(" \t");
      if (first == std::string_view::npos) return LineKind::Blank;
      return error("SC105", m_body[first] == '\r' ? first : 0,
                   "a line may only start with whitespace when it is blank: remove "
                   "the indentation (comments start with '#' in column 1)");
    }
    if (m_body[0] == '#') return comment_text(1);
    // A lone version line out of place (an auth line for domain "version:1" has credentials).
    if (m_body.size() >= 8 && iequals(m_body.substr(0, 8), "version:") &&
        m_body.find_first_of(" \t") == std::string_view::npos)
      return error("SC101", 0, "'version:1' must be the very first line of the file");
    return auth_line(entry);
  }

  LineKind version_line() {
    const std::string_view literal = "version:";
    if (m_body.starts_with("\xEF\xBB\xBF"))
      return error("SC101", 0,
                   "expected 'version:1' as the first line, found a UTF-8 byte order "
                   "mark: save the file without BOM");
    if (m_body.size() < literal.size() || !iequals(m_body.substr(0, literal.size()), literal))
      return error("SC101", 0, "expected 'version:1' as the first line");
    if (m_body.size() == literal.size())
      return error("SC101", literal.size(), "expected a version digit after 'version:'");
    const char digit = m_body[literal.size()];
    if (digit < '0' || digit > '9')
      return error("SC101", literal.size(),
                   "expected a version digit after 'version:', found " + describe_char(digit));
    if (m_body.size() > literal.size() + 1)
      return error("SC101", literal.size() + 1,
                   "expected a line end after 'version:" + std::string(1, digit) + "', found " +
                       describe_char(m_body[literal.size() + 1]));
    if (digit != '1')
      return error("SC102", literal.size(),
                   std::string("version ") + digit +
                       " is not supported: Flexisip reads only version:1");
    return LineKind::Version;
  }

  LineKind comment_continuation() {
    if (m_body.find_first_not_of(" \t") != std::string_view::npos)
      report("SC126", 0,
             "this indented line continues the comment above it (the file uses "
             "CRLF): Flexisip reads it as comment text");
    return comment_text(0);
  }

  LineKind comment_text(std::size_t start) {
    for (std::size_t pos = start; pos < m_body.size();) {
      const auto byte = static_cast<unsigned char>(m_body[pos]);
      if (byte >= 0x80) {
        const std::size_t length = utf8_sequence_length(m_body, pos);
        if (length == 0)
          return error("SC106", pos, "invalid UTF-8 in a comment: Flexisip refuses the file");
        pos += length;
        continue;
      }
      if (byte == '(' || byte == ')' || byte == '\\' || (byte < 0x20 && byte != '\t') ||
          byte == 0x7f)
        return error("SC106", pos,
                     describe_char(m_body[pos]) +
                         " is not allowed in a comment: Flexisip refuses the file");
      ++pos;
    }
    return LineKind::Comment;
  }

  std::size_t scan_token(std::size_t pos) const {
    return pos + token_length(m_body.substr(std::min(pos, m_body.size())));
  }
  std::size_t skip_space(std::size_t pos) const {
    while (pos < m_body.size() && is_space(m_body[pos])) ++pos;
    return pos;
  }
  bool at_end(std::size_t pos) const { return pos >= m_body.size(); }

  // The character at `pos` cannot continue a token of kind `what`. `secret` hides the
  // character itself: it belongs to a password.
  LineKind bad_char(std::size_t pos, std::string_view what, bool secret = false) {
    const std::string found = secret ? "a character" : describe_char(m_body[pos]);
    return error("SC112", pos,
                 found + " is not allowed in " + std::string(what) +
                     " (allowed: " + std::string(token_alphabet) + ")");
  }

  LineKind auth_line(Entry& entry) {
    std::size_t pos = scan_token(0);
    std::string_view first = m_body.substr(0, pos);
    if (first.empty()) {
      if (m_body[0] == '@') return error("SC107", 0, "expected a user name before '@'");
      return bad_char(0, "an identity");
    }
    if (!at_end(pos) && m_body[pos] == '@') {
      const std::size_t domain_start = pos + 1;
      pos = scan_token(domain_start);
      if (pos == domain_start) {
        if (at_end(pos) || is_space(m_body[pos]))
          return error("SC107", pos, "expected a domain after '@'");
        return bad_char(pos, "a domain");
      }
      entry.user = first;
      entry.domain = m_body.substr(domain_start, pos - domain_start);
    } else {
      entry.domain = first;
    }
    if (at_end(pos))
      return error("SC107", pos,
                   "expected whitespace and a credential (clrtxt:, md5: or "
                   "sha256:) after the identity");
    if (!is_space(m_body[pos])) return bad_char(pos, "an identity");
    pos = skip_space(pos);

    while (true) {
      if (at_end(pos))
        return error("SC107", pos, "expected a credential (clrtxt:, md5: or sha256:) then ' ;'");
      if (m_body[pos] == ';') {
        if (entry.credentials.empty())
          return error("SC107", pos,
                       "expected at least one credential (clrtxt:, md5: or "
                       "sha256:) before ';'");
        break;
      }
      const std::size_t start = pos;
      pos = scan_token(pos);
      if (pos == start) return bad_char(pos, "a credential", true);
      const std::string_view word = m_body.substr(start, pos - start);
      const std::size_t colon = word.find(':');
      constexpr std::string_view space_hint =
          " (if this is the rest of a password: passwords cannot contain whitespace)";
      if (colon == std::string_view::npos)
        return error("SC108", start,
                     "expected a credential: clrtxt:PASSWORD, md5:HEX or "
                     "sha256:HEX" +
                         std::string(space_hint));
      CredentialToken credential;
      credential.prefix = word.substr(0, colon);
      credential.value = word.substr(colon + 1);
      credential.column = start + 1;
      if (iequals(credential.prefix, "clrtxt"))
        credential.type = CredentialType::ClearText;
      else if (iequals(credential.prefix, "md5"))
        credential.type = CredentialType::Md5;
      else if (iequals(credential.prefix, "sha256"))
        credential.type = CredentialType::Sha256;
      else {
        if (!looks_like_algorithm(credential.prefix))
          return error("SC108", start,
                       "unknown credential prefix: Flexisip only knows clrtxt:, "
                       "md5: and sha256: and refuses the whole file" +
                           std::string(space_hint));
        return error("SC108", start,
                     "unknown credential prefix '" + std::string(credential.prefix) +
                         ":': Flexisip only knows clrtxt:, md5: and sha256: and "
                         "refuses the whole file");
      }
      const bool is_password = credential.type == CredentialType::ClearText;
      // 'clrtxt:été': a value whose first byte is not allowed, not a missing one.
      if (credential.value.empty() && !at_end(pos) && !is_space(m_body[pos]) && m_body[pos] != ';')
        return bad_char(pos, is_password ? "a password" : "a hash", is_password);
      if (credential.value.empty())
        return error("SC113", start + colon + 1,
                     std::string("expected a ") + (is_password ? "password" : "hash") + " after '" +
                         std::string(credential.prefix) + ":'");
      entry.credentials.push_back(credential);
      if (at_end(pos)) return error("SC107", pos, "expected ' ;' after the credentials");
      if (m_body[pos] == ';')
        return error("SC109", pos, "expected whitespace before ';': Flexisip requires it");
      if (!is_space(m_body[pos]))
        return bad_char(pos, is_password ? "a password" : "a hash", is_password);
      pos = skip_space(pos);
    }

    pos = skip_space(pos + 1); // after ';'
    std::string_view* const optional_fields[] = {&entry.user_id, &entry.phone};
    for (std::string_view* field : optional_fields) {
      if (at_end(pos)) return check_credentials(entry);
      const std::size_t start = pos;
      pos = scan_token(pos);
      if (pos == start) return bad_char(pos, field == &entry.user_id ? "a user-id" : "a phone");
      *field = m_body.substr(start, pos - start);
      if (!at_end(pos) && !is_space(m_body[pos]))
        return bad_char(pos, field == &entry.user_id ? "a user-id" : "a phone");
      pos = skip_space(pos);
    }
    if (!at_end(pos))
      return error("SC110", pos,
                   "expected the end of the line: after ';' come at most a user-id "
                   "and a phone");
    return check_credentials(entry);
  }

  // What Flexisip's file backend silently ignores or drops on a line it parsed.
  LineKind check_credentials(Entry& entry) {
    std::optional<std::size_t> last_clrtxt;
    for (std::size_t i = 0; i < entry.credentials.size(); ++i) {
      CredentialToken& credential = entry.credentials[i];
      if (credential.prefix != type_name(credential.type)) {
        credential.ignored = true;
        report("SC120", credential.column - 1,
               "credential prefix '" + std::string(credential.prefix) +
                   ":' is not in lowercase: Flexisip parses it and then ignores this credential");
        continue;
      }
      if (credential.type == CredentialType::ClearText)
        last_clrtxt = i;
      else
        check_hash(credential);
    }
    if (last_clrtxt && m_options.report_credentials_beside_clear_text) {
      for (std::size_t i = 0; i < entry.credentials.size(); ++i) {
        const CredentialToken& credential = entry.credentials[i];
        if (credential.ignored || i == *last_clrtxt) continue;
        const std::string prefix(credential.prefix);
        if (credential.type == CredentialType::ClearText)
          report("SC123", credential.column - 1,
                 "only the last clrtxt of a line is used: this one is discarded");
        else if (i < *last_clrtxt)
          report("SC121", credential.column - 1,
                 "'" + prefix + ":' before 'clrtxt:' is discarded: the clear text replaces it");
        else
          report("SC122", credential.column - 1,
                 "'" + prefix +
                     ":' after 'clrtxt:' is never used: the hash derived from the "
                     "clear text comes first");
      }
    }
    const bool any_usable = std::any_of(entry.credentials.begin(), entry.credentials.end(),
                                        [](const CredentialToken& c) { return !c.ignored; });
    if (!any_usable)
      return error("SC111", entry.credentials.front().column - 1,
                   "no usable credential: every prefix here is ignored, and Flexisip refuses a "
                   "user with an empty password list");
    return LineKind::Auth;
  }

  void check_hash(const CredentialToken& credential) {
    const HashFunction hash = hash_of(credential.type);
    const HexCheck digits = check_hex(credential.value);
    const bool hex = credential.value.size() == hex_length(hash) && digits.hex;
    const bool upper = digits.upper;
    const std::size_t value_pos = credential.column - 1 + credential.prefix.size() + 1;
    if (!hex)
      report("SC125", value_pos,
             "expected " + std::to_string(hex_length(hash)) + " hex digits after '" +
                 std::string(credential.prefix) + ":': this hash can never match");
    else if (upper)
      report("SC130", value_pos, "uppercase hex: Flexisip lower-cases it on load, so it works");
  }

  // Every character of a line is checked, and a CR is valid nowhere but before the LF, so a
  // bare CR always surfaces as the first error of its line: name it for what it is there
  // rather than search every line for one.
  // A finding that makes the line invalid (an error of the table).
  LineKind error(lint::RuleCode rule, std::size_t pos, std::string message) {
    if (pos < m_body.size() && m_body[pos] == '\r') {
      rule = "SC104";
      message = "a carriage return must be followed by a line feed: a bare CR is not a line "
                "end in a userdb";
    }
    report(rule, pos, std::move(message));
    return LineKind::Invalid;
  }
  // A finding that leaves the line as it is (a warning or a note of the table).
  void report(lint::RuleCode rule, std::size_t pos, std::string message) {
    m_diagnostics.push_back(
        lint::finding(rule, m_number, column_of(m_body, pos), std::move(message)));
  }

  std::string_view m_text;
  std::string_view m_body; // m_text without its line end
  std::size_t m_number;
  std::vector<Diagnostic>& m_diagnostics;
  const Line* m_previous; // the line before, for what carries over (CRLF comments)
  ScanOptions m_options;
};

} // namespace

CredentialType credential_type_of(HashFunction hash) {
  if (hash == HashFunction::Md5) return CredentialType::Md5;
  if (hash == HashFunction::Sha256) return CredentialType::Sha256;
  throw Error(ErrorKind::Usage, std::string(hash_name(hash)) +
                                    " has no userdb prefix: Flexisip's userdb stores only md5: "
                                    "and sha256: hashes");
}

HashFunction hash_of(CredentialType type) {
  return type == CredentialType::Md5 ? HashFunction::Md5 : HashFunction::Sha256;
}

bool is_token_char(char c) { return token_table[static_cast<unsigned char>(c)]; }

bool is_token(std::string_view text) { return !text.empty() && token_length(text) == text.size(); }

std::string Entry::identity() const {
  if (user.empty()) return std::string(domain);
  std::string result;
  result.reserve(user.size() + 1 + domain.size());
  result.append(user).append("@").append(domain);
  return result;
}

std::string Entry::hash_user() const { return url_unescape(user); }

std::vector<const CredentialToken*> Entry::effective_credentials() const {
  std::vector<const CredentialToken*> result;
  for (const CredentialToken& credential : credentials) {
    if (credential.ignored) continue;
    if (credential.type == CredentialType::ClearText)
      result.assign(1, &credential);
    else if (result.empty() || result.front()->type != CredentialType::ClearText)
      result.push_back(&credential);
  }
  return result;
}

Line parse_line(std::string_view text, std::size_t line_number,
                std::vector<Diagnostic>& diagnostics, const Line* previous) {
  Line line;
  LineParser(text, line_number, diagnostics, previous).parse_into(line);
  return line;
}

void check_last_line(const Line& last, std::size_t line_number,
                     std::vector<Diagnostic>& diagnostics) {
  if (auto pos = dangling_space(last))
    diagnostics.push_back(dangling_space_error(last, line_number, *pos));
}

namespace {

// Scans the lines of `chunk`, numbering them from `first_number`, and returns how many there
// were. A chunk that does not start the file starts with a line that cannot continue a
// comment (no leading whitespace), so no state crosses chunk boundaries, and its last line
// is followed by such a line, which is what check_last_line assumes.
std::size_t scan_chunk(std::string_view chunk, std::size_t first_number,
                       std::vector<Diagnostic>& diagnostics,
                       const std::function<void(const Line&, std::size_t)>& visit,
                       ScanOptions options = {}) {
  Line lines[2]; // the current line and the one before, in turn
  std::size_t count = 0;
  for (std::size_t start = 0; start < chunk.size(); ++count) {
    const void* newline = std::memchr(chunk.data() + start, '\n', chunk.size() - start);
    const std::size_t end =
        newline ? static_cast<const char*>(newline) - chunk.data() + 1 : chunk.size();
    Line& line = lines[count % 2];
    const Line* previous = count == 0 ? nullptr : &lines[(count + 1) % 2];
    LineParser(chunk.substr(start, end - start), first_number + count, diagnostics, previous,
               options)
        .parse_into(line);
    visit(line, first_number + count - 1);
    start = end;
  }
  if (count > 0) check_last_line(lines[(count + 1) % 2], first_number + count - 1, diagnostics);
  return count;
}

void report_empty_file(std::vector<Diagnostic>& diagnostics) {
  diagnostics.push_back(
      lint::finding("SC101", 1, 1, "expected 'version:1' as the first line, found an empty file"));
}

} // namespace

void scan_lines(std::string_view content, std::vector<Diagnostic>& diagnostics,
                const std::function<void(const Line&, std::size_t)>& visit) {
  if (content.empty()) return report_empty_file(diagnostics);
  scan_chunk(content, 1, diagnostics, visit);
}

std::size_t scan_piece(std::string_view piece, std::size_t first_line_number,
                       std::vector<Diagnostic>& diagnostics,
                       const std::function<void(const Line&, std::size_t)>& visit,
                       ScanOptions options) {
  if (piece.empty() && first_line_number == 1) {
    report_empty_file(diagnostics);
    return 0;
  }
  return scan_chunk(piece, first_line_number, diagnostics, visit, options);
}

std::size_t end_of_piece(std::string_view text) {
  // Only a comment that ends in CRLF carries over to the next line: after a bare LF, or
  // before a line that does not start with whitespace, nothing does.
  for (std::size_t end = text.size(); end > 0; --end) {
    if (text[end - 1] != '\n') continue;
    if (end < 2 || text[end - 2] != '\r') return end;
    if (end < text.size() && text[end] != ' ' && text[end] != '\t') return end;
  }
  return 0;
}

void scan_lines_in_parallel(std::string_view content, std::vector<Diagnostic>& diagnostics,
                            const std::function<void(const Line&)>& visit) {
  if (content.empty()) return report_empty_file(diagnostics);
  const auto visit_line = [&](const Line& line, std::size_t) { visit(line); };
  // Split near the middle, before a line that does not start with whitespace. Small files
  // are not worth a thread.
  std::size_t split =
      content.size() < (1 << 20) ? std::string_view::npos : content.find('\n', content.size() / 2);
  while (split != std::string_view::npos && split + 1 < content.size() &&
         (content[split + 1] == ' ' || content[split + 1] == '\t'))
    split = content.find('\n', split + 1);
  if (split == std::string_view::npos || split + 1 >= content.size()) {
    scan_chunk(content, 1, diagnostics, visit_line);
    return;
  }
  const std::string_view first = content.substr(0, split + 1), second = content.substr(split + 1);
  // The second half is numbered from 2 (never 1: that is the version line), then renumbered
  // once the first half's line count is known.
  std::vector<Diagnostic> second_diagnostics;
  std::thread worker([&] { scan_chunk(second, 2, second_diagnostics, visit_line); });
  std::size_t first_count = 0;
  try {
    first_count = scan_chunk(first, 1, diagnostics, visit_line);
  } catch (...) {
    worker.join();
    throw;
  }
  worker.join();
  for (Diagnostic& diagnostic : second_diagnostics) {
    diagnostic.line += first_count - 1;
    diagnostics.push_back(std::move(diagnostic));
  }
}

} // namespace sipcred::userdb
