#pragma once
// Flexisip's `version:1` userdb file as a lossless document (shared/reference/flexisip-auth.md).
//
// Every line is kept as written (comments, blank lines, order, spacing, CRLF), so writing an
// unchanged document gives back the same bytes and editing one user changes only that user's
// line. Parsing never stops at the first problem: each line is parsed on its own and every
// problem becomes a Diagnostic (codes SC101..SC130, listed in sipcred-userdb(5)).

#include "sipcred/digest/digest.hpp"
#include "sipcred/export.hpp"
#include "sipcred/util/diagnostic.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sipcred::userdb {

enum class CredentialType { ClearText, Md5, Sha256 };

// The credential type that stores a hash function: Md5 or Sha256. Error(Usage) for one with
// no userdb prefix (SHA-512-256).
SIPCRED_EXPORT CredentialType credential_type_of(HashFunction hash);
// The hash function of an Md5 or Sha256 credential.
SIPCRED_EXPORT HashFunction hash_of(CredentialType type);

// One `prefix:value` credential as written on an auth line.
struct SIPCRED_EXPORT CredentialToken {
  CredentialType type = CredentialType::ClearText;
  std::string_view prefix; // as written: "md5", or "MD5", which Flexisip parses and ignores
  std::string_view value;  // password or hex
  std::size_t column = 0;  // 1-based column of the prefix
  bool ignored = false;    // prefix not in lowercase: Flexisip drops this credential
};

// The user of one auth line. Views point into the owning Document (or the line given to
// parse_line).
struct SIPCRED_EXPORT Entry {
  std::string_view user; // as written, %-escapes kept; empty for a bare-domain identity
  std::string_view domain;
  std::string_view user_id; // the digest username when it differs from the user; may be empty
  std::string_view phone;   // may be empty
  std::vector<CredentialToken> credentials;

  std::string identity() const;  // "user@domain", or "domain" when the user is empty
  std::string hash_user() const; // the user URL-unescaped: what A1 hashes and lookups compare
  // The credential Flexisip uses: the last clrtxt if any (it replaces the list), otherwise
  // every stored hash; ignored (uppercase-prefix) credentials never count.
  std::vector<const CredentialToken*> effective_credentials() const;
};

enum class LineKind { Version, Blank, Comment, Auth, Invalid };

struct SIPCRED_EXPORT Line {
  LineKind kind = LineKind::Invalid;
  std::string_view text; // the whole line, line end included
  Entry entry;           // meaningful when kind == LineKind::Auth
};

// Parses one line of a userdb (text with its line end, when it has one). Line 1 is the version
// line. `previous` is the line before (nullptr for the first): a comment ending in CRLF carries
// over to an indented next line, as in Flexisip's grammar. Problems are appended to
// `diagnostics`; the returned line is Invalid after an error that Flexisip would refuse the
// file for. With check_last_line after the last one, this streams a file.
SIPCRED_EXPORT Line parse_line(std::string_view text, std::size_t line_number,
                               std::vector<Diagnostic>& diagnostics,
                               const Line* previous = nullptr);
// The checks that only the end of the file can settle.
SIPCRED_EXPORT void check_last_line(const Line& last, std::size_t line_number,
                                    std::vector<Diagnostic>& diagnostics);

// The user's fields for a new or rewritten auth line.
struct SIPCRED_EXPORT EntrySpec {
  std::string user; // may be empty: a bare-domain identity
  std::string domain;
  std::vector<std::pair<CredentialType, std::string>> credentials; // at least one
  std::string user_id;                                             // optional
  std::string phone; // optional; needs a user_id (the first token after ';' is the user-id)
};

// `user@domain cred cred ;[ user-id[ phone]]` without a line end. Throws Error(DataError) when a
// field is not a userdb token, so a line Flexisip cannot read is never produced.
SIPCRED_EXPORT std::string format_auth_line(const EntrySpec& spec);

// Userdb tokens: 1+ of ASCII letters, digits and - . ! % * _ + ` ' ~ :
SIPCRED_EXPORT bool is_token_char(char c);
SIPCRED_EXPORT bool is_token(std::string_view text);
// Every byte that is not a token character, and '%', as %XX: a user name as a userdb holds it.
SIPCRED_EXPORT std::string url_escape(std::string_view text);
// %XX -> byte; a '%' not followed by two hex digits stays as it is.
SIPCRED_EXPORT std::string url_unescape(std::string_view text);
// The same without a copy in the usual case: `text` itself when it holds no '%', else the
// unescaped text, kept in `storage`.
SIPCRED_EXPORT std::string_view url_unescape(std::string_view text, std::string& storage);

class SIPCRED_EXPORT Document {
public:
  // An empty userdb: "version:1" and a line feed.
  Document();
  // Parses a whole file's content. Never throws for bad data: problems, with line and column,
  // are appended to `diagnostics` (duplicate users included).
  static Document parse(std::string content, std::vector<Diagnostic>& diagnostics);

  const std::vector<Line>& lines() const { return m_lines; }
  // The document as bytes: for an unedited document, exactly what was parsed.
  std::string content() const;

  // Edits. Indexes are 0-based positions in lines(). A new line ends like the version line.
  void replace_entry(std::size_t index, const EntrySpec& spec);
  std::size_t append_entry(const EntrySpec& spec);
  void erase_line(std::size_t index);

private:
  Document(std::unique_ptr<std::string> content);
  std::string_view keep(std::string text);
  std::string_view line_end() const;

  std::unique_ptr<std::string> m_content;             // the parsed bytes (views point here)
  std::vector<std::unique_ptr<std::string>> m_edited; // texts of edited lines
  std::vector<Line> m_lines;
};

} // namespace sipcred::userdb
