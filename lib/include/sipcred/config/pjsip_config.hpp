#pragma once
// Asterisk pjsip.conf as its config reader splits it: `[name]` sections with an optional
// `(options)` suffix (`!` marks a template, other names are templates to inherit from),
// `key = value` and `key => value` lines, `;` comments, repeated keys kept in order. Every
// section, key and value carries its line and column.
//
// Reading never throws for bad data: lines Asterisk would not read become Diagnostics (SC501).
// Templates are resolved as Asterisk's config reader does when it reads the header line
// (main/config.c, process_text_line): each name is the first earlier section of that name
// (case-insensitive); a name with none makes Asterisk refuse the whole file (SC511; not
// reported below an #include, whose file may define it and is not read here). So no
// section can inherit from itself or from one below it, and inheritance has no cycles.

#include "sipcred/config/flexisip_config.hpp"
#include "sipcred/export.hpp"
#include "sipcred/util/diagnostic.hpp"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace sipcred::config {

struct SIPCRED_EXPORT PjsipSection {
  std::string name;
  Position position;
  bool is_template = false;          // `(!)`: never an object itself
  std::vector<std::string> inherits; // templates named in `(...)`, in order
  std::vector<std::size_t> bases;    // the earlier sections they resolve to (indices)
  std::vector<ConfigEntry> entries;  // own entries only, in file order

  // Entries of `key` (case-insensitive), own ones only.
  std::vector<const ConfigEntry*> find_all(std::string_view key) const;
};

class SIPCRED_EXPORT PjsipConfig {
public:
  static PjsipConfig parse(std::string_view content, std::vector<Diagnostic>& diagnostics);

  const std::vector<PjsipSection>& sections() const { return m_sections; }
  // The entries of a section as Asterisk applies them: its templates' (recursively, in the
  // order named) then its own. Unknown templates are skipped (the reader reports them), and
  // so are all of a section whose expansion passes the limits below (SC512).
  std::vector<ConfigEntry> effective_entries(const PjsipSection& section) const;

  // Templates can double what they copy at every level ([b](a,a), [c](b,b), ...): a 34-byte
  // file made gigabytes. No section expands to more entries than max_section_entries, nor
  // all together to more than total_entries_limit(): templates make a real file a few times
  // larger (endpoints of a dozen entries, most inherited), never more than 16 times, while
  // the floor keeps a small hostile file's expansion at a few megabytes.
  static constexpr std::size_t max_section_entries = 10'000;
  static constexpr std::size_t min_total_entries = 200'000;
  static constexpr std::size_t expansion_per_entry = 16;
  static std::size_t total_entries_limit(std::size_t file_entries) {
    return std::max(min_total_entries, expansion_per_entry * file_entries);
  }

private:
  // The first section named `name` (case-insensitive) so far, or -1.
  std::size_t find_earlier(std::string_view name) const;
  // SC512 for sections expanding past the limits; their templates are dropped.
  void limit_expansion(std::vector<Diagnostic>& diagnostics);
  void collect(const PjsipSection& section, std::vector<ConfigEntry>& out) const;

  std::vector<PjsipSection> m_sections;
};

} // namespace sipcred::config
