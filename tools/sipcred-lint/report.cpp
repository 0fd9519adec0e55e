#include "report.hpp"

#include "counted.hpp"

#include "sipcred/config/flexisip_config.hpp"
#include "sipcred/util/atomic_file.hpp"

#include <nlohmann/json.hpp>

#include <map>

namespace sipcred::cli {
namespace {

using json = nlohmann::ordered_json;

// Lines of the files findings point into, read once each, for showing the source.
class SourceLines {
public:
  std::string_view line(const std::string& file, std::size_t number) {
    auto [it, added] = m_files.try_emplace(file);
    File& f = it->second;
    if (added) {
      try {
        f.content = read_file(file);
      } catch (const std::exception&) {
        // Gone since it was linted: the finding is shown without its source.
      }
      f.starts.push_back(0);
      for (std::size_t i = 0; i < f.content.size(); ++i)
        if (f.content[i] == '\n') f.starts.push_back(i + 1);
    }
    if (number == 0 || number > f.starts.size()) return {};
    const std::size_t start = f.starts[number - 1];
    if (start >= f.content.size()) return {};
    const std::size_t end = f.content.find('\n', start);
    std::string_view text = std::string_view(f.content).substr(start, end - start);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    return text;
  }

private:
  struct File {
    std::string content;
    std::vector<std::size_t> starts;
  };
  std::map<std::string, File> m_files;
};

// The caret line: the characters before the column, tabs kept so that it lines up.
std::string caret_under(std::string_view line, std::size_t column) {
  std::string out;
  std::size_t characters = 0;
  for (char c : line) {
    if (characters + 1 >= column) break;
    if ((static_cast<unsigned char>(c) & 0xC0) == 0x80) continue;
    out += c == '\t' ? '\t' : ' ';
    ++characters;
  }
  return out + '^';
}

} // namespace

Summary summarize(const std::vector<lint::Finding>& findings) {
  Summary s;
  for (const lint::Finding& f : findings) switch (f.diagnostic.severity) {
    case Severity::Error: ++s.errors; break;
    case Severity::Warning: ++s.warnings; break;
    case Severity::Note: ++s.notes; break;
    }
  return s;
}

void print_text(std::ostream& out, const std::vector<lint::Finding>& findings, bool show_source,
                bool errors_only, std::size_t baselined) {
  SourceLines sources;
  for (const lint::Finding& f : findings) {
    const Diagnostic& d = f.diagnostic;
    if (errors_only && d.severity != Severity::Error) continue;
    // A database account has no line: "LOCATOR: error: ..." as compilers print a file alone.
    out << f.file;
    if (d.line > 0) out << ':' << d.line << ':' << d.column;
    out << ": " << severity_name(d.severity) << ": " << d.message << " [" << d.code << "]\n";
    // Lines of other account files (htdigest...) would be all masked: not shown.
    if (!show_source || d.line == 0 || f.kind == lint::FileKind::Store) continue;
    const std::string_view line = sources.line(f.file, d.line);
    if (line.empty()) continue;
    const std::string shown = lint::redact_line(f.kind, line);
    out << "    " << shown << "\n    " << caret_under(shown, d.column) << '\n';
  }
  if (errors_only) return;
  const Summary s = summarize(findings);
  out << counted(s.errors, "error") << ", " << counted(s.warnings, "warning") << ", "
      << counted(s.notes, "note");
  if (baselined > 0) out << " (" << baselined << " more in the baseline)";
  out << '\n';
}

void print_json(std::ostream& out, const std::vector<lint::Finding>& findings) {
  json diagnostics = json::array();
  std::map<std::string, std::size_t> by_code;
  for (const lint::Finding& f : findings) {
    diagnostics.push_back({{"code", f.diagnostic.code},
                           {"severity", severity_name(f.diagnostic.severity)},
                           {"file", f.file},
                           {"line", f.diagnostic.line},
                           {"column", f.diagnostic.column},
                           {"message", f.diagnostic.message},
                           {"subject", f.subject}});
    ++by_code[std::string(f.diagnostic.code)];
  }
  const Summary s = summarize(findings);
  const json document{
      {"diagnostics", std::move(diagnostics)},
      {"summary",
       {{"errors", s.errors}, {"warnings", s.warnings}, {"notes", s.notes}, {"codes", by_code}}}};
  out << document.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
}

void print_explanation(std::ostream& out, const lint::Rule& rule) {
  out << rule.code << " (" << severity_name(rule.severity) << "): " << rule.title << "\n\n"
      << rule.explanation << '\n';
}

} // namespace sipcred::cli
