#pragma once
// sipcred-lint's options that a project keeps with its files: `.sipcred-lint` in the working
// directory, or --config-file FILE (sipcred-lint(1), PROJECT FILE):
//   # comment
//   disable = SC405, SC130
//   enable = SC130
// and the CODE[,CODE...] lists of --disable and --enable.

#include "sipcred/lint/rule_selection.hpp"

#include <string>
#include <string_view>

namespace sipcred::cli {

// Applies a list of codes to `selection`. Error(Usage) naming `where` (an option, or
// "FILE:LINE:COL" of the list's first character, columns counted from there) for an empty
// item or an unknown code.
void apply_codes(lint::RuleSelection& selection, bool enable, std::string_view list,
                 const std::string& where_file, std::size_t line, std::size_t column);

// Reads a project file into `selection`. Error(Usage) "FILE:LINE:COL: ..." when it is
// malformed, Error(NoInput) when it cannot be read.
void apply_project_file(lint::RuleSelection& selection, const std::string& path);

} // namespace sipcred::cli
