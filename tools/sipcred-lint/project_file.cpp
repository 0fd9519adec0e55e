#include "project_file.hpp"

#include "sipcred/util/atomic_file.hpp"
#include "sipcred/util/error.hpp"

namespace sipcred::cli {
namespace {

bool blank(char c) { return c == ' ' || c == '\t'; }

Error usage_at(const std::string& file, std::size_t line, std::size_t column,
               const std::string& what) {
  if (line == 0) return Error(ErrorKind::Usage, file + ": " + what);
  return Error(ErrorKind::Usage,
               file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + what);
}

} // namespace

void apply_codes(lint::RuleSelection& selection, bool enable, std::string_view list,
                 const std::string& where_file, std::size_t line, std::size_t column) {
  std::size_t at = 0;
  while (true) {
    while (at < list.size() && blank(list[at])) ++at;
    std::size_t end = at;
    while (end < list.size() && list[end] != ',' && !blank(list[end])) ++end;
    const std::string_view code = list.substr(at, end - at);
    if (code.empty()) throw usage_at(where_file, line, column + at, "expected a rule code");
    if (!lint::find_rule(code))
      throw usage_at(where_file, line, column + at,
                     "unknown code '" + std::string(code) +
                         "': codes are listed in sipcred-lint(1)");
    if (enable)
      selection.enable(code);
    else
      selection.disable(code);
    at = end;
    while (at < list.size() && blank(list[at])) ++at;
    if (at == list.size()) return;
    if (list[at] != ',')
      throw usage_at(where_file, line, column + at, "expected ',' between codes");
    ++at;
  }
}

void apply_project_file(lint::RuleSelection& selection, const std::string& path) {
  const std::string content = read_file(path);
  std::string_view rest = content;
  std::size_t number = 0;
  while (!rest.empty()) {
    ++number;
    const std::size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    std::size_t first = 0;
    while (first < line.size() && blank(line[first])) ++first;
    if (first == line.size() || line[first] == '#') continue;
    const std::size_t equals = line.find('=');
    if (equals == std::string_view::npos)
      throw usage_at(path, number, first + 1, "expected 'disable = CODE[,CODE...]' or 'enable = ...'");
    std::size_t key_end = equals;
    while (key_end > first && blank(line[key_end - 1])) --key_end;
    const std::string_view key = line.substr(first, key_end - first);
    if (key != "disable" && key != "enable")
      throw usage_at(path, number, first + 1,
                     "unknown setting '" + std::string(key) + "': expected disable or enable");
    // Columns are bytes here: a valid line is ASCII.
    apply_codes(selection, key == "enable", line.substr(equals + 1), path, number, equals + 2);
  }
}

} // namespace sipcred::cli
