#pragma once
// flexisip.conf as Flexisip reads it (shared/reference/flexisip-auth.md, "flexisip.conf
// syntax"), with the line and column of every section, key and value, so that lint rules,
// the simulator and the migrate tool can all point at the exact place of a setting.
//
// Reading never throws for bad data: a line Flexisip would refuse becomes a Diagnostic
// (SC301..SC305) and the rest of the file is still read.

#include "sipcred/export.hpp"
#include "sipcred/util/diagnostic.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sipcred::config {

// 1-based, columns counted in characters (UTF-8 code points), as in every Diagnostic.
struct SIPCRED_EXPORT Position {
  std::size_t line = 0;
  std::size_t column = 0;
};

struct SIPCRED_EXPORT ConfigEntry {
  std::string key;   // as written
  std::string value; // as Flexisip keeps it: leading and trailing spaces gone, tabs and CR kept
  Position key_position;
  Position value_position; // where the value starts (just after '=' and spaces when empty)
};

struct SIPCRED_EXPORT ConfigSection {
  std::string name; // as written between the brackets
  Position position;
  std::vector<ConfigEntry> entries; // in file order; a repeated [name] adds to the same section

  // Keys are case-insensitive. nullptr when the key is absent.
  const ConfigEntry* find(std::string_view key) const;
};

class SIPCRED_EXPORT FlexisipConfig {
public:
  static FlexisipConfig parse(std::string_view content, std::vector<Diagnostic>& diagnostics);

  const std::vector<ConfigSection>& sections() const { return m_sections; }
  // Section names are case-insensitive. nullptr when the section is absent.
  const ConfigSection* section(std::string_view name) const;

private:
  std::vector<ConfigSection> m_sections;
};

// Flexisip's list values: split on spaces and line feeds only (a tab stays inside an item).
SIPCRED_EXPORT std::vector<std::string> split_list(std::string_view value);

// Number of characters (UTF-8 code points) in `text`: how far a column moves over it.
SIPCRED_EXPORT std::size_t count_columns(std::string_view text);

} // namespace sipcred::config
