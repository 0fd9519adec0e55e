#include "sipcred/config/pjsip_config.hpp"

#include "lint/rule_table.hpp"
#include "util/text.hpp"

namespace sipcred::config {

std::vector<const ConfigEntry*> PjsipSection::find_all(std::string_view key) const {
  std::vector<const ConfigEntry*> found;
  for (const ConfigEntry& entry : entries)
    if (iequals(entry.key, key)) found.push_back(&entry);
  return found;
}

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// [first, last) of `text` without surrounding whitespace.
std::pair<std::size_t, std::size_t> trimmed(std::string_view text, std::size_t first,
                                            std::size_t last) {
  while (first < last && is_space(text[first])) ++first;
  while (last > first && is_space(text[last - 1])) --last;
  return {first, last};
}

std::string unescape_semicolons(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i)
    if (!(text[i] == '\\' && i + 1 < text.size() && text[i + 1] == ';')) out += text[i];
  return out;
}

} // namespace

PjsipConfig PjsipConfig::parse(std::string_view content, std::vector<Diagnostic>& diagnostics) {
  PjsipConfig config;
  bool in_block_comment = false; // Asterisk's ";-- ... --;"
  bool directive_seen = false;   // an #include above: its sections are unknown here
  constexpr std::size_t none = static_cast<std::size_t>(-1);
  std::size_t current = none; // the section that lines go to
  std::size_t number = 0;
  const auto column = [](std::string_view line, std::size_t pos) {
    return count_columns(line.substr(0, pos)) + 1;
  };
  while (!content.empty()) {
    ++number;
    const std::size_t end = content.find('\n');
    const std::string_view line = content.substr(0, end);
    content = end == std::string_view::npos ? std::string_view() : content.substr(end + 1);

    // The meaningful part: up to an unescaped ';', outside block comments.
    std::size_t stop = line.size();
    std::size_t start = 0;
    if (in_block_comment) {
      const std::size_t close = line.find("--;");
      if (close == std::string_view::npos) continue;
      in_block_comment = false;
      start = close + 3;
    }
    for (std::size_t i = start; i < line.size(); ++i) {
      if (line[i] == '\\' && i + 1 < line.size()) {
        ++i;
        continue;
      }
      if (line[i] != ';') continue;
      if (line.substr(i).starts_with(";--") && line.find("--;", i + 3) == std::string_view::npos)
        in_block_comment = true;
      stop = i;
      break;
    }
    const auto [first, last] = trimmed(line, start, stop);
    if (first == last) continue;
    if (line[first] == '#') { // #include, #tryinclude, #exec: files this reader does not read
      directive_seen = true;
      continue;
    }

    if (line[first] == '[') {
      const std::size_t close = line.find(']', first);
      if (close == std::string_view::npos || close >= last) {
        diagnostics.push_back(lint::finding("SC501", number, column(line, last),
                                            "expected ']' to close the section name"));
        continue;
      }
      PjsipSection section;
      bool adds_to_earlier = false;
      section.name = std::string(line.substr(first + 1, close - first - 1));
      section.position = {number, column(line, first)};
      std::size_t after = close + 1;
      if (after < last && line[after] == '(') {
        const std::size_t paren = line.find(')', after);
        if (paren == std::string_view::npos || paren >= last) {
          diagnostics.push_back(lint::finding("SC501", number, column(line, last),
                                              "expected ')' to close the template list"));
          continue;
        }
        std::string_view options = line.substr(after + 1, paren - after - 1);
        while (!options.empty()) {
          const std::size_t comma = options.find(',');
          const auto [a, b] = trimmed(options, 0, std::min(comma, options.size()));
          const std::string_view option = options.substr(a, b - a);
          if (option == "!") {
            section.is_template = true;
          } else if (option == "+") {
            adds_to_earlier = true; // "[name](+)" continues an earlier [name]
          } else if (!option.empty()) {
            section.inherits.emplace_back(option);
            const std::size_t at = static_cast<std::size_t>(options.data() - line.data()) + a;
            if (const std::size_t base = config.find_earlier(option); base != none)
              section.bases.push_back(base);
            else if (!directive_seen) // else an included file may define it
              diagnostics.push_back(lint::finding(
                  "SC511", number, column(line, at),
                  "[" + section.name + "] inherits from '" + std::string(option) +
                      "', which no section above defines" +
                      (iequals(option, section.name) ? " (a section cannot inherit from itself)"
                                                     : "") +
                      ": Asterisk refuses the file (\"Inheritance requested, but category '" +
                      std::string(option) + "' does not exist\")"));
          }
          options =
              comma == std::string_view::npos ? std::string_view() : options.substr(comma + 1);
        }
        after = paren + 1;
      }
      if (trimmed(line, after, last).first != last) {
        diagnostics.push_back(lint::finding("SC501", number,
                                            column(line, trimmed(line, after, last).first),
                                            "expected nothing after the section header"));
        continue;
      }
      current = none;
      if (adds_to_earlier)
        for (std::size_t i = config.m_sections.size(); i-- > 0;)
          if (config.m_sections[i].name == section.name) {
            current = i;
            break;
          }
      if (current == none) {
        config.m_sections.push_back(std::move(section));
        current = config.m_sections.size() - 1;
      }
      continue;
    }

    const std::size_t equals = line.find('=', first);
    if (equals == std::string_view::npos || equals >= last) {
      diagnostics.push_back(lint::finding("SC501", number, column(line, first),
                                          "expected '[section]' or 'key = value'"));
      continue;
    }
    const auto [key_first, key_last] = trimmed(line, first, equals);
    if (key_first == key_last) {
      diagnostics.push_back(
          lint::finding("SC501", number, column(line, equals), "expected a key before '='"));
      continue;
    }
    if (current == none) {
      diagnostics.push_back(lint::finding("SC501", number, column(line, first),
                                          "'key = value' before any [section]"));
      continue;
    }
    std::size_t value_from = equals + 1;
    if (value_from < last && line[value_from] == '>') ++value_from; // "key => value"
    const auto [value_first, value_last] = trimmed(line, value_from, last);
    config.m_sections[current].entries.push_back(
        ConfigEntry{std::string(line.substr(key_first, key_last - key_first)),
                    unescape_semicolons(line.substr(value_first, value_last - value_first)),
                    {number, column(line, key_first)},
                    {number, column(line, value_first)}});
  }
  config.limit_expansion(diagnostics);
  return config;
}

std::size_t PjsipConfig::find_earlier(std::string_view name) const {
  for (std::size_t i = 0; i < m_sections.size(); ++i)
    if (iequals(m_sections[i].name, name)) return i;
  return static_cast<std::size_t>(-1);
}

void PjsipConfig::limit_expansion(std::vector<Diagnostic>& diagnostics) {
  // Bases come before the sections inheriting from them, so one pass in order sizes each.
  std::vector<std::size_t> sizes(m_sections.size());
  std::size_t file_entries = 0;
  for (const PjsipSection& section : m_sections) file_entries += section.entries.size();
  const std::size_t max_total_entries = total_entries_limit(file_entries);
  std::size_t total = 0;
  for (std::size_t i = 0; i < m_sections.size(); ++i) {
    PjsipSection& section = m_sections[i];
    std::size_t size = section.entries.size();
    // Each use of a template costs a visit even when it adds no entry: [b](a,a) over an empty
    // [a] is still doubled work. So a size counts template uses beside entries.
    for (std::size_t base : section.bases)
      size += std::min(sizes[base], max_section_entries + 1) + 1;
    const bool too_large = size > max_section_entries;
    if (too_large || total + size > max_total_entries) {
      diagnostics.push_back(lint::finding(
          "SC512", section.position.line, section.position.column,
          "[" + section.name + "] expands through its templates to " +
              (too_large ? "more than " + std::to_string(max_section_entries) +
                               " entries and template uses"
                         : "more than the " + std::to_string(max_total_entries) +
                               " entries and template uses all sections may hold together") +
              ": sipcred does not expand it"));
      section.bases.clear();
      size = section.entries.size();
    }
    sizes[i] = size;
    total += size;
  }
}

void PjsipConfig::collect(const PjsipSection& section, std::vector<ConfigEntry>& out) const {
  // Bases are earlier sections (find_earlier), so this recursion ends; limit_expansion bounds
  // its work.
  for (std::size_t base : section.bases) collect(m_sections[base], out);
  out.insert(out.end(), section.entries.begin(), section.entries.end());
}

std::vector<ConfigEntry> PjsipConfig::effective_entries(const PjsipSection& section) const {
  std::vector<ConfigEntry> out;
  collect(section, out);
  return out;
}

} // namespace sipcred::config
