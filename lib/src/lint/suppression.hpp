#pragma once
// `sipcred-lint: disable=CODE[,CODE...]` comments: each disables its codes on the next line of
// the file. The comment syntax of each file kind is its reader's; this reads what follows the
// comment marker, drops the findings that a comment disables, and reports (SC002) the codes
// that disabled none.

#include "sipcred/lint/lint.hpp"

#include <cstddef>
#include <map>
#include <string_view>
#include <vector>

namespace sipcred::lint {

class Suppressions {
public:
  // Reads the text of a comment after its marker ('#', ';'), which starts at `column` of
  // `line`. Text that does not start with "sipcred-lint" is an ordinary comment; a malformed
  // directive or an unknown code becomes an SC001 finding in `diagnostics`.
  void read_comment(std::string_view text, std::size_t line, std::size_t column,
                    std::vector<Diagnostic>& diagnostics);
  // Removes the findings that a comment on the line above disables, and adds an SC002 finding
  // of `kind` for each code of a comment that disabled none.
  void apply(std::vector<Finding>& findings, FileKind kind) const;
  bool empty() const { return m_codes.empty(); }

private:
  struct Code {
    std::string_view code; // the rule table's spelling
    std::size_t column;    // where the comment names it
  };
  std::map<std::size_t, std::vector<Code>> m_codes; // line of the comment -> its codes
};

} // namespace sipcred::lint
