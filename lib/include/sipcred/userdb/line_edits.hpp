#pragma once
// Edits of a userdb kept as the original bytes plus the few lines that change, so that editing
// some users of a million-line file copies nothing and writes every other byte as it was.

#include "sipcred/export.hpp"
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sipcred::userdb {

class SIPCRED_EXPORT LineEdits {
public:
  explicit LineEdits(std::string_view original) : m_original(original) {}

  // `line` is a line of the original, line end included, as scan_lines gives it. The new
  // text comes without a line end: the line keeps its own (LF or CRLF).
  void replace(std::string_view line, std::string text);
  void erase(std::string_view line);
  // A new last line, ended like the file's first line; an unterminated last line is ended
  // first so that the two do not run together.
  void append(std::string text);

  bool empty() const { return m_edits.empty() && m_appended.empty(); }

  // What changes, for reporting on it: each edited line of the original (its offset) with its
  // new text (empty when erased), then the appended lines at the original's size.
  struct Change {
    std::size_t offset;
    std::string_view text;
  };
  std::vector<Change> changes() const;
  // The edited content, in order: views into the original and into this object.
  std::vector<std::string_view> pieces() const;

private:
  struct Edit {
    std::size_t offset, length; // the original line
    std::string text;           // its replacement, line end included; empty to erase
  };
  std::string_view line_end() const;

  std::string_view m_original;
  std::vector<Edit> m_edits;
  std::string m_appended;
};

} // namespace sipcred::userdb
