#pragma once
// Asterisk pjsip.conf as its config reader splits it: `[name]` sections with an optional
// `(options)` suffix (`!` marks a template, other names are templates to inherit from),
// `key = value` and `key => value` lines, `;` comments, repeated keys kept in order. Every
// section, key and value carries its line and column.
//
// Reading never throws for bad data: lines Asterisk would not read become Diagnostics (SC501).

#include "sipcred/diagnostic.hpp"
#include "sipcred/flexisip_config.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace sipcred::config {

struct PjsipSection {
  std::string name;
  Position position;
  bool is_template = false;          // `(!)`: never an object itself
  std::vector<std::string> inherits; // templates named in `(...)`, in order
  std::vector<ConfigEntry> entries;  // own entries only, in file order

  // Entries of `key` (case-insensitive), own ones only.
  std::vector<const ConfigEntry*> find_all(std::string_view key) const;
};

class PjsipConfig {
public:
  static PjsipConfig parse(std::string_view content, std::vector<Diagnostic>& diagnostics);

  const std::vector<PjsipSection>& sections() const { return m_sections; }
  // The entries of a section as Asterisk applies them: its templates' (recursively, in the
  // order named) then its own. Unknown templates are skipped (the reader reports them).
  std::vector<ConfigEntry> effective_entries(const PjsipSection& section) const;

private:
  const PjsipSection* find_template(std::string_view name) const;
  void collect(const PjsipSection& section, std::vector<ConfigEntry>& out, int depth) const;

  std::vector<PjsipSection> m_sections;
};

} // namespace sipcred::config
