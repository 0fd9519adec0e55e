#include "sipcred/lint/baseline.hpp"

#include "sipcred/digest/digest.hpp"
#include "sipcred/util/ascii.hpp"
#include "sipcred/util/error.hpp"

#include "util/text.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <unordered_map>

namespace sipcred::lint {
namespace {

constexpr std::string_view header = "sipcred-lint baseline 1";
constexpr std::size_t fingerprint_length = 16;

std::string normal_file(const std::string& file) {
  std::string out = std::filesystem::path(file).lexically_normal().generic_string();
  return out.empty() ? file : out;
}

// A file name on one line of the baseline: '%', control characters and a leading or trailing
// space as %XX, so that any name reads back.
std::string escape_file(std::string_view file) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (std::size_t i = 0; i < file.size(); ++i) {
    const auto byte = static_cast<unsigned char>(file[i]);
    if (byte < 0x20 || byte == 0x7f || byte == '%' ||
        (byte == ' ' && (i == 0 || i + 1 == file.size())))
      out.append({'%', hex[byte >> 4], hex[byte & 15]});
    else
      out += file[i];
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

} // namespace

std::string fingerprint(const Finding& finding) {
  const std::string file = normal_file(finding.file);
  std::string data(finding.diagnostic.code);
  ((data += '\0') += file) += '\0';
  data += finding.subject;
  return hex_digest(HashFunction::Sha256, data).substr(0, fingerprint_length);
}

std::vector<FindingIdentity> identities(const std::vector<Finding>& findings) {
  std::vector<FindingIdentity> out;
  out.reserve(findings.size());
  std::unordered_map<std::string, std::size_t> seen;
  for (const Finding& f : findings) {
    std::string print = fingerprint(f);
    const std::size_t occurrence = ++seen[print];
    out.push_back(FindingIdentity{std::move(print), occurrence});
  }
  return out;
}

Baseline Baseline::of(const std::vector<Finding>& findings) {
  Baseline baseline;
  for (const Finding& f : findings)
    ++baseline.m_counts[Key{std::string(f.diagnostic.code), normal_file(f.file), fingerprint(f)}];
  return baseline;
}

Baseline Baseline::parse(std::string_view content, const std::string& name) {
  Baseline baseline;
  bool header_seen = false;
  for_each_line(content, [&](std::string_view line, std::size_t number) {
    const auto fail = [&](std::size_t offset, const std::string& what) {
      return Error(ErrorKind::DataError, name + ":" + std::to_string(number) + ":" +
                                             std::to_string(offset + 1) + ": " + what +
                                             " (a baseline of sipcred-lint --write-baseline)");
    };
    if (trim(line).empty() || line.starts_with('#')) return;
    if (!header_seen) {
      if (line != header) throw fail(0, "expected '" + std::string(header) + "'");
      header_seen = true;
      return;
    }
    // CODE COUNT FINGERPRINT FILE
    std::size_t at = 0;
    const auto field = [&](std::string_view what) {
      const std::size_t start = at;
      while (at < line.size() && line[at] != ' ') ++at;
      if (at == start || at == line.size()) throw fail(start, "expected " + std::string(what));
      const std::string_view text = line.substr(start, at - start);
      ++at;
      return std::pair{text, start};
    };
    const auto [code, code_at] = field("CODE COUNT FINGERPRINT FILE");
    const Rule* rule = find_rule(code);
    if (!rule) throw fail(code_at, "unknown code '" + std::string(code) + "'");
    const auto [count_text, count_at] = field("a count, a fingerprint and a file");
    std::size_t count = 0;
    const auto [ptr, ec] =
        std::from_chars(count_text.data(), count_text.data() + count_text.size(), count);
    if (ec != std::errc() || ptr != count_text.data() + count_text.size() || count == 0)
      throw fail(count_at, "expected a count (1 or more)");
    const auto [print, print_at] = field("a fingerprint and a file");
    if (print.size() != fingerprint_length ||
        !std::all_of(print.begin(), print.end(), [](char c) { return hex_value(c) >= 0; }))
      throw fail(print_at, "expected a fingerprint of " + std::to_string(fingerprint_length) +
                               " hex digits");
    std::string file;
    for (std::size_t i = at; i < line.size(); ++i) {
      if (line[i] == '%') {
        if (i + 2 >= line.size() || hex_value(line[i + 1]) < 0 || hex_value(line[i + 2]) < 0)
          throw fail(i, "expected %XX in the file name");
        file += static_cast<char>(hex_value(line[i + 1]) * 16 + hex_value(line[i + 2]));
        i += 2;
      } else {
        file += line[i];
      }
    }
    if (file.empty()) throw fail(at, "expected a file name");
    baseline.m_counts[Key{std::string(rule->code), std::move(file), ascii_lowercase(print)}] +=
        count;
  });
  if (!header_seen)
    throw Error(ErrorKind::DataError,
                name + ":1:1: expected '" + std::string(header) + "': not a sipcred-lint baseline");
  return baseline;
}

std::string Baseline::text() const {
  std::string out = std::string(header) +
                    "\n# Findings accepted for now; sipcred-lint --baseline reports only new "
                    "ones.\n# CODE COUNT FINGERPRINT FILE (sipcred-lint(1), BASELINE)\n";
  for (const auto& [key, count] : m_counts) {
    const auto& [code, file, print] = key;
    out += code + ' ' + std::to_string(count) + ' ' + print + ' ' + escape_file(file) + '\n';
  }
  return out;
}

std::size_t Baseline::filter(std::vector<Finding>& findings) const {
  if (m_counts.empty()) return 0;
  std::map<Key, std::size_t> left = m_counts;
  const std::size_t before = findings.size();
  std::erase_if(findings, [&](const Finding& f) {
    const auto it =
        left.find(Key{std::string(f.diagnostic.code), normal_file(f.file), fingerprint(f)});
    if (it == left.end() || it->second == 0) return false;
    --it->second;
    return true;
  });
  return before - findings.size();
}

} // namespace sipcred::lint
