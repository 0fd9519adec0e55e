#include "copy_text.hpp"

namespace sipcred {

void append_copy_text(std::string& row, std::string_view value, bool first) {
  if (!first) {
    row += '\t';
  }
  for (char c : value) {
    switch (c) {
    case '\\': row += "\\\\"; break;
    case '\t': row += "\\t"; break;
    case '\n': row += "\\n"; break;
    case '\r': row += "\\r"; break;
    default: row += c;
    }
  }
}

void append_copy_null(std::string& row, bool first) { row += first ? "\\N" : "\t\\N"; }

} // namespace sipcred
