#pragma once
// Lists of users to add or rotate in bulk (`sipcred-user import`): CSV with a header line
// `identity,password[,auth_user,phone]`, or JSON lines with those keys.

#include "sipcred/export.hpp"
#include "sipcred/util/diagnostic.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sipcred {

struct SIPCRED_EXPORT ImportRecord {
  std::string identity;
  std::string password; // may be empty: the caller generates one or refuses
  std::string auth_user;
  std::string phone;
  std::size_t line = 0; // where the record starts, for diagnostics
};

enum class ImportFormat { Csv, JsonLines };

// Parses the whole list. Every malformed record is reported (codes SC2xx, with line and column;
// never with a password) and left out. Identities and passwords are checked against the userdb
// token alphabet here, so a bad record is found before anything is written.
SIPCRED_EXPORT std::vector<ImportRecord> read_import_list(std::string_view content,
                                                          ImportFormat format,
                                                          std::vector<Diagnostic>& diagnostics);

} // namespace sipcred
