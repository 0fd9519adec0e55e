// Asterisk res_pjsip type=auth objects, by Asterisk's load rules (shared/reference/stores.md).

#include "sipcred/config/pjsip_config.hpp"
#include "sipcred/lint/lint.hpp"

#include "lint/findings.hpp"
#include "lint/rule_table.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <map>

namespace sipcred::lint {
namespace {

using config::ConfigEntry;

std::optional<HashFunction> pjsip_algorithm(std::string_view name) {
  if (iequals(name, "MD5")) return HashFunction::Md5;
  if (iequals(name, "SHA-256")) return HashFunction::Sha256;
  if (iequals(name, "SHA-512-256")) return HashFunction::Sha512_256;
  return std::nullopt;
}

bool is_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

class AuthLinter {
public:
  AuthLinter(const config::PjsipSection& section, std::vector<Diagnostic>& diagnostics)
      : m_section(section), m_diagnostics(diagnostics) {}

  void run(const std::vector<ConfigEntry>& entries) {
    bool has_username = false, has_password = false, oauth = false;
    std::map<HashFunction, const ConfigEntry*> digests;
    std::vector<std::pair<HashFunction, const ConfigEntry*>> wanted;
    bool uas_set = false, uac_set = false;
    for (const ConfigEntry& entry : entries) {
      const std::string_view key = entry.key;
      if (iequals(key, "username"))
        has_username = !entry.value.empty();
      else if (iequals(key, "password"))
        has_password = !entry.value.empty();
      else if (iequals(key, "password_digest"))
        check_digest(entry, digests);
      else if (iequals(key, "md5_cred")) {
        add("SC506", entry.key_position,
            "md5_cred is deprecated: write 'password_digest = MD5:HEX'");
        if (entry.value.size() == 32 && is_hex(entry.value))
          digests[HashFunction::Md5] = &entry;
        else
          add("SC505", entry.value_position, "expected 32 hex digits (an MD5 digest) in md5_cred");
      } else if (iequals(key, "auth_type")) {
        check_auth_type(entry);
        oauth = iequals(entry.value, "google_oauth");
      } else if (iequals(key, "supported_algorithms_uas") ||
                 iequals(key, "supported_algorithms_uac")) {
        (iequals(key, "supported_algorithms_uas") ? uas_set : uac_set) = true;
        algorithms_of(entry, wanted);
      }
    }
    if (!has_username)
      add("SC502", m_section.position,
          "auth object [" + m_section.name + "] has no username: Asterisk refuses to load it");
    // Both lists default to MD5.
    if (!uas_set || !uac_set) wanted.emplace_back(HashFunction::Md5, nullptr);
    // An OAuth object authenticates with a refresh token, not a digest.
    if (has_password || oauth) return;
    std::map<HashFunction, bool> reported;
    for (const auto& [hash, entry] : wanted) {
      if (digests.count(hash) || reported[hash]) continue;
      reported[hash] = true;
      add("SC503", entry ? entry->value_position : m_section.position,
          "auth object [" + m_section.name + "] supports " + std::string(hash_name(hash)) +
              (entry ? "" : " (the default)") +
              " but has no password nor password_digest for it: Asterisk refuses to load it");
    }
  }

private:
  void add(RuleCode rule, config::Position at, std::string message) {
    m_diagnostics.push_back(finding(rule, at.line, at.column, std::move(message)));
  }

  void check_digest(const ConfigEntry& entry, std::map<HashFunction, const ConfigEntry*>& digests) {
    const std::size_t colon = entry.value.find(':');
    if (colon == std::string::npos)
      return add("SC504", entry.value_position,
                 "expected ALG:HEX in password_digest (ALG MD5, SHA-256 or SHA-512-256)");
    const std::string_view name = std::string_view(entry.value).substr(0, colon);
    const std::optional<HashFunction> hash = pjsip_algorithm(name);
    if (!hash)
      return add("SC504", entry.value_position,
                 // Not named: a mistyped line may hold a password where ALG should be.
                 "unknown password_digest algorithm before ':': expected MD5, SHA-256 or "
                 "SHA-512-256");
    const std::string_view hex = std::string_view(entry.value).substr(colon + 1);
    const config::Position hex_at{entry.value_position.line,
                                  entry.value_position.column + colon + 1};
    if (hex.size() != hex_length(*hash) || !is_hex(hex))
      return add("SC505", hex_at,
                 "expected " + std::to_string(hex_length(*hash)) + " hex digits after '" +
                     std::string(name) + ":' in password_digest");
    if (const auto earlier = digests.find(*hash); earlier != digests.end())
      add("SC510", entry.key_position,
          "a second " + std::string(hash_name(*hash)) + " digest (the first is on line " +
              std::to_string(earlier->second->key_position.line) + "): only one is kept");
    digests[*hash] = &entry;
  }

  void check_auth_type(const ConfigEntry& entry) {
    const std::string_view value = entry.value;
    if (iequals(value, "userpass") || iequals(value, "md5"))
      add("SC507", entry.value_position,
          "auth_type '" + entry.value + "' is deprecated: use 'digest' (the default)");
    else if (!iequals(value, "digest") && !iequals(value, "google_oauth"))
      add("SC508", entry.value_position,
          "unknown auth_type '" + entry.value + "': expected digest");
  }

  void algorithms_of(const ConfigEntry& entry,
                     std::vector<std::pair<HashFunction, const ConfigEntry*>>& wanted) {
    std::string_view rest = entry.value;
    std::size_t offset = 0;
    while (true) {
      const std::size_t comma = rest.find(',');
      const std::string_view item = trim(rest.substr(0, comma));
      if (!item.empty()) {
        if (const auto hash = pjsip_algorithm(item))
          wanted.emplace_back(*hash, &entry);
        else
          add("SC509",
              {entry.value_position.line, entry.value_position.column + offset + (rest.find(item))},
              "unknown algorithm '" + std::string(item) + "' in " + entry.key +
                  ": expected MD5, SHA-256 or SHA-512-256");
      }
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
      offset += comma + 1;
    }
  }

  const config::PjsipSection& m_section;
  std::vector<Diagnostic>& m_diagnostics;
};

} // namespace

std::vector<Finding> pjsip_findings(std::string_view content) {
  std::vector<Diagnostic> diagnostics;
  const config::PjsipConfig parsed = config::PjsipConfig::parse(content, diagnostics);
  for (const config::PjsipSection& section : parsed.sections()) {
    if (section.is_template) continue;
    const std::vector<ConfigEntry> entries = parsed.effective_entries(section);
    // The last `type` wins, as the last value of any single-valued option does.
    const ConfigEntry* type = nullptr;
    for (const ConfigEntry& entry : entries)
      if (iequals(entry.key, "type")) type = &entry;
    if (type && iequals(type->value, "auth")) AuthLinter(section, diagnostics).run(entries);
  }
  return ini_findings(content, ';', FileKind::Pjsip, std::move(diagnostics));
}

void lint_pjsip(std::string_view content, std::vector<Diagnostic>& diagnostics) {
  for (Finding& f : pjsip_findings(content)) diagnostics.push_back(std::move(f.diagnostic));
}

} // namespace sipcred::lint
