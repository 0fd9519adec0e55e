#pragma once
// The lint of each kind of file as findings, with what the functions of lint.hpp drop: each
// finding's subject, suppression comments applied. The findings' file is left for the caller
// (lint()) to name.

#include "sipcred/lint/lint.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sipcred::lint {

std::vector<Finding> userdb_findings(std::string content, const AuthContext& context,
                                     std::optional<unsigned> mode);

std::vector<Finding> pjsip_findings(std::string_view content);

// The diagnostics of a flexisip.conf or pjsip.conf as findings of `kind`, each with its
// subject ("[section] key" on a key line, "[section]" on a section header, none elsewhere),
// less those that a sipcred-lint comment disables: whole lines starting with `comment` ('#'
// in flexisip.conf, ';' in pjsip.conf). A malformed one is an SC001 finding.
std::vector<Finding> ini_findings(std::string_view content, char comment, FileKind kind,
                                  std::vector<Diagnostic> diagnostics);

} // namespace sipcred::lint
