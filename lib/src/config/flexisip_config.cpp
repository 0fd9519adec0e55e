#include "sipcred/config/flexisip_config.hpp"

#include "lint/rule_table.hpp"
#include "util/text.hpp"

#include <algorithm>

namespace sipcred::config {

std::size_t count_columns(std::string_view text) {
  // UTF-8 continuation bytes (10xxxxxx) do not start a character.
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::vector<std::string> split_list(std::string_view value) {
  std::vector<std::string> items;
  std::size_t pos = 0;
  while (pos < value.size()) {
    while (pos < value.size() && (value[pos] == ' ' || value[pos] == '\n')) ++pos;
    const std::size_t start = pos;
    while (pos < value.size() && value[pos] != ' ' && value[pos] != '\n') ++pos;
    if (pos > start) items.emplace_back(value.substr(start, pos - start));
  }
  return items;
}

const ConfigEntry* ConfigSection::find(std::string_view key) const {
  for (const ConfigEntry& entry : entries)
    if (iequals(entry.key, key)) return &entry;
  return nullptr;
}

const ConfigSection* FlexisipConfig::section(std::string_view name) const {
  for (const ConfigSection& s : m_sections)
    if (iequals(s.name, name)) return &s;
  return nullptr;
}

namespace {

std::size_t skip_spaces(std::string_view text, std::size_t pos) {
  while (pos < text.size() && text[pos] == ' ') ++pos;
  return pos;
}

// Only spaces are stripped at the end: Flexisip keeps a trailing tab or CR in the value.
std::string_view trim_trailing_spaces(std::string_view text) { return trim_end(text, " "); }

bool is_blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

class Reader {
public:
  Reader(std::vector<ConfigSection>& sections, std::vector<Diagnostic>& diagnostics)
      : m_sections(sections), m_diagnostics(diagnostics) {}

  void read_line(std::string_view line, std::size_t number) {
    if (!m_reported_cr && !line.empty() && line.back() == '\r') {
      m_reported_cr = true;
      add("SC304", number, line, line.size() - 1,
          "CRLF line ends: Flexisip keeps the carriage return at the end of every value "
          "(a bool, number or duration then fails to parse); use LF line ends");
    }
    const std::size_t first = skip_spaces(line, 0);
    if (first == line.size() || is_blank(line) || line[first] == '#') return;
    if (line[first] == '[') return section_line(line, number, first);
    key_line(line, number, first);
  }

private:
  void add(lint::RuleCode rule, std::size_t number, std::string_view line, std::size_t pos,
           std::string message) {
    m_diagnostics.push_back(
        lint::finding(rule, number, count_columns(line.substr(0, pos)) + 1, std::move(message)));
  }

  void section_line(std::string_view line, std::size_t number, std::size_t first) {
    const std::size_t close = line.find(']', first);
    if (close == std::string_view::npos)
      return add("SC301", number, line, line.size(), "expected ']' to close the section name");
    const std::string_view name = line.substr(first + 1, close - first - 1);
    if (name.empty()) return add("SC301", number, line, close, "expected a section name");
    std::string_view rest = line.substr(close + 1);
    if (!rest.empty() && rest.back() == '\r') rest.remove_suffix(1);
    if (skip_spaces(rest, 0) != rest.size())
      return add("SC301", number, line, close + 1 + skip_spaces(rest, 0),
                 "expected nothing after ']' of a section line");
    for (std::size_t i = 0; i < m_sections.size(); ++i)
      if (iequals(m_sections[i].name, name)) {
        m_current = i;
        return;
      }
    m_sections.push_back(
        ConfigSection{std::string(name), {number, count_columns(line.substr(0, first)) + 1}, {}});
    m_current = m_sections.size() - 1;
  }

  void key_line(std::string_view line, std::size_t number, std::size_t first) {
    const std::size_t equals = line.find('=', first);
    if (equals == std::string_view::npos)
      return add("SC301", number, line, first,
                 "expected '[section]', 'key=value' or a '#' comment");
    const std::string_view key = trim_trailing_spaces(line.substr(first, equals - first));
    if (key.empty()) return add("SC301", number, line, equals, "expected a key before '='");
    if (m_current == npos)
      return add("SC303", number, line, first,
                 "key '" + std::string(key) + "' before any [section]");
    const std::size_t value_start = skip_spaces(line, equals + 1);
    const std::string_view value = trim_trailing_spaces(line.substr(value_start));
    ConfigSection& section = m_sections[m_current];
    if (const ConfigEntry* earlier = section.find(key))
      return add("SC302", number, line, first,
                 "key '" + std::string(key) + "' is already set in [" + section.name +
                     "] on line " + std::to_string(earlier->key_position.line) +
                     ": Flexisip refuses a key given twice");
    section.entries.push_back(
        ConfigEntry{std::string(key),
                    std::string(value),
                    {number, count_columns(line.substr(0, first)) + 1},
                    {number, count_columns(line.substr(0, value_start)) + 1}});
  }

  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  std::vector<ConfigSection>& m_sections;
  std::vector<Diagnostic>& m_diagnostics;
  std::size_t m_current = npos;
  bool m_reported_cr = false;
};

} // namespace

FlexisipConfig FlexisipConfig::parse(std::string_view content,
                                     std::vector<Diagnostic>& diagnostics) {
  FlexisipConfig config;
  Reader reader(config.m_sections, diagnostics);
  std::size_t number = 1;
  while (!content.empty()) {
    const std::size_t end = content.find('\n');
    reader.read_line(content.substr(0, end), number++);
    content = end == std::string_view::npos ? std::string_view() : content.substr(end + 1);
  }
  return config;
}

} // namespace sipcred::config
