// Rules of flexisip.conf: [module::Authentication] settings and the soci password request.

#include "sipcred/config/auth_config.hpp"
#include "sipcred/config/flexisip_algorithms.hpp"
#include "sipcred/config/flexisip_config.hpp"
#include "sipcred/lint/lint.hpp"

#include "lint/findings.hpp"
#include "lint/rule_table.hpp"
#include "util/bounded_regex.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <regex>

#include <regex.h>

namespace sipcred::lint {
namespace {

using config::ConfigEntry;
using config::ConfigSection;

constexpr std::string_view auth_section = "module::Authentication";

enum class Type { Bool, BoolExpr, List, Duration, String, Int, EcmaRegex, PosixRegex };

struct Setting {
  std::string_view key;
  Type type;
};

// Flexisip's [module::Authentication] settings (shared/reference/flexisip-auth.md).
constexpr Setting settings[] = {
    {"enabled", Type::Bool},
    {"filter", Type::BoolExpr},
    {"trusted-hosts", Type::List},
    {"auth-domains", Type::List},
    {"available-algorithms", Type::List},
    {"disable-qop-auth", Type::Bool},
    {"no-403", Type::BoolExpr},
    {"nonce-expires", Type::Duration},
    {"realm", Type::String},
    {"realm-regex", Type::EcmaRegex},
    {"reject-wrong-client-certificates", Type::Bool},
    {"tls-client-certificate-required-subject", Type::PosixRegex},
    {"trust-domain-certificates", Type::Bool},
    {"new-auth-on-407", Type::Bool},
    {"db-implementation", Type::String},
    {"cache-expire", Type::Duration},
    {"file-path", Type::String},
    {"soci-backend", Type::String},
    {"soci-connection-string", Type::String},
    {"soci-password-request", Type::String},
    {"soci-max-queue-size", Type::Int},
    {"soci-poolsize", Type::Int},
};

struct Deprecated {
  std::string_view key;
  std::string_view advice;
};

constexpr Deprecated deprecated_settings[] = {
    {"datasource", "use 'file-path' (datasource is ignored when file-path is set)"},
    {"trusted-client-certificates", "use 'tls-client-certificate-required-subject'"},
    {"hashed-passwords", "Flexisip now tells hashes from clear text by the stored algorithm"},
    {"enable-test-accounts-creation", "it has no effect any more"},
    {"soci-user-with-phone-request", "it has no effect on authentication"},
    {"soci-users-with-phones-request", "it has no effect on authentication"},
    {"from-domains", "use 'auth-domains'"},
    {"to-domains", "use 'auth-domains'"},
};

constexpr std::string_view soci_backends[] = {"sqlite3", "mysql",    "postgresql", "odbc",
                                              "oracle",  "firebird", "db2"};

class ConfigLinter {
public:
  explicit ConfigLinter(std::vector<Diagnostic>& diagnostics) : m_diagnostics(diagnostics) {}

  ConfigFacts run(const config::FlexisipConfig& config) {
    ConfigFacts facts;
    facts.context.from_config = true;
    facts.context.auth_domains = {"localhost"};
    facts.file_backend = true;
    for (const ConfigSection& section : config.sections()) check_section_name(section);
    const ConfigSection* auth = config.section(auth_section);
    if (!auth) {
      add("SC320", {1, 1},
          "no [module::Authentication] section: the authentication module is disabled by "
          "default, so Flexisip authenticates nobody");
      return facts;
    }
    for (const ConfigEntry& entry : auth->entries) check_entry(entry);
    check_module(*auth, facts);
    check_store(*auth, facts);
    return facts;
  }

private:
  void add(RuleCode rule, config::Position at, std::string message) {
    m_diagnostics.push_back(finding(rule, at.line, at.column, std::move(message)));
  }

  // Where `offset` bytes into the value of `entry` is.
  static config::Position value_at(const ConfigEntry& entry, std::size_t offset) {
    return {entry.value_position.line,
            entry.value_position.column +
                config::count_columns(std::string_view(entry.value).substr(0, offset))};
  }

  void check_section_name(const ConfigSection& section) {
    if (iequals(section.name, auth_section)) return;
    if (edit_distance(section.name, auth_section) <= 3)
      add("SC305", section.position,
          "unknown section [" + section.name + "]: did you mean [module::Authentication]?");
  }

  // Case-insensitive Levenshtein distance.
  static std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      std::size_t diagonal = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j) {
        const std::size_t above = row[j];
        const bool same = ascii_lower(a[i - 1]) == ascii_lower(b[j - 1]);
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
        diagonal = above;
      }
    }
    return row[b.size()];
  }

  void check_entry(const ConfigEntry& entry) {
    for (const Deprecated& d : deprecated_settings)
      if (iequals(entry.key, d.key))
        return add("SC311", entry.key_position,
                   "'" + entry.key + "' is deprecated: " + std::string(d.advice));
    const auto setting = std::find_if(std::begin(settings), std::end(settings),
                                      [&](const Setting& s) { return iequals(s.key, entry.key); });
    if (setting == std::end(settings))
      return add("SC310", entry.key_position,
                 "unknown key '" + entry.key + "' in [module::Authentication]");
    const std::string_view value = entry.value;
    switch (setting->type) {
    case Type::Bool:
      if (value != "true" && value != "false" && value != "1" && value != "0")
        add("SC312", entry.value_position,
            "expected true, false, 1 or 0 for '" + entry.key + "', got " + shown(value));
      break;
    // Numbers are checked by hand: std::regex_match recursed per digit, and 50,000 digits
    // overflowed the stack.
    case Type::Duration:
      if (!is_duration(value))
        add("SC313", entry.value_position,
            "expected a duration such as 3600, 30min or 1h for '" + entry.key + "', got " +
                shown(value));
      else if (!parse_config_duration(value))
        add("SC313", entry.value_position,
            "the duration of '" + entry.key + "' is too large: expected at most " +
                std::to_string(std::numeric_limits<long long>::max()) + " seconds");
      break;
    case Type::Int:
      if (!is_integer(value))
        add("SC314", entry.value_position,
            "expected an integer for '" + entry.key + "', got " + shown(value));
      else if (!fits_int(value))
        add("SC314", entry.value_position,
            "the integer of '" + entry.key + "' is too large: Flexisip reads it as an int, " +
                std::to_string(std::numeric_limits<int>::min()) + " to " +
                std::to_string(std::numeric_limits<int>::max()));
      break;
    case Type::List: check_list(entry); break;
    case Type::EcmaRegex: check_ecma_regex(entry, 0); break;
    case Type::PosixRegex: {
      // glibc's regcomp recurses per nested group too.
      if (const std::optional<RegexRefusal> refused = refuse_regex(entry.value)) {
        add("SC318", value_at(entry, refused->offset),
            "'" + entry.key + "' is not compiled: " + refused->reason);
        break;
      }
      regex_t compiled;
      const int status = ::regcomp(&compiled, entry.value.c_str(), REG_EXTENDED | REG_NOSUB);
      if (status == 0) {
        ::regfree(&compiled);
        break;
      }
      char reason[256];
      ::regerror(status, &compiled, reason, sizeof reason);
      add("SC318", entry.value_position,
          "'" + entry.key + "' is not a valid POSIX extended regex: " + reason);
      break;
    }
    case Type::BoolExpr:
    case Type::String: break;
    }
  }

  static bool all_digits(std::string_view text) {
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  }

  // [0-9]+(ms|s|min|h|d|m|y)?
  static bool is_duration(std::string_view text) {
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    const std::string_view unit = text.substr(digits);
    return digits > 0 && (unit.empty() || unit == "ms" || unit == "s" || unit == "min" ||
                          unit == "h" || unit == "d" || unit == "m" || unit == "y");
  }

  // [+-]?[0-9]+
  static bool is_integer(std::string_view text) {
    if (!text.empty() && (text[0] == '+' || text[0] == '-')) text.remove_prefix(1);
    return all_digits(text);
  }

  // An integer (is_integer) that fits in an int; from_chars reads no '+'.
  static bool fits_int(std::string_view text) {
    if (text[0] == '+') text.remove_prefix(1);
    int number = 0;
    return std::from_chars(text.data(), text.data() + text.size(), number).ec == std::errc();
  }

  // A value quoted for a message, its control characters named (a CR is the usual culprit).
  static std::string shown(std::string_view value) {
    std::string out = "'";
    for (char c : value) {
      if (c == '\r')
        out += "\\r";
      else if (c == '\t')
        out += "\\t";
      else
        out += c;
    }
    return out + "'";
  }

  void check_list(const ConfigEntry& entry) {
    std::size_t offset = 0;
    for (const std::string& item : config::split_list(entry.value)) {
      offset = entry.value.find(item, offset);
      const std::size_t bad = item.find_first_of(",\t");
      if (bad != std::string::npos)
        add("SC319", value_at(entry, offset + bad),
            "'" + entry.key + "' item " + shown(item) + " holds a " +
                (item[bad] == ',' ? "comma" : "tab") +
                ": Flexisip splits lists on spaces only, so this is one item");
      if (iequals(entry.key, "available-algorithms") && !config::parse_flexisip_algorithm(item))
        add("SC315", value_at(entry, offset),
            "expected MD5 or SHA-256 (exactly) in available-algorithms, got " + shown(item));
      offset += item.size();
    }
  }

  void check_ecma_regex(const ConfigEntry& entry, std::size_t offset) {
    // std::regex compiles by recursion, and overflows an int on a long count: a pattern past
    // these limits is not compiled here, nor by sipcred-sim (Flexisip could crash on it).
    if (const std::optional<RegexRefusal> refused =
            refuse_regex(std::string_view(entry.value).substr(offset)))
      return add("SC318", value_at(entry, offset + refused->offset),
                 "'" + entry.key + "' is not compiled: " + refused->reason +
                     " (sipcred reads realm regexes of at most " +
                     std::to_string(max_regex_length) + " bytes, groups nested at most " +
                     std::to_string(max_regex_nesting) + " deep)");
    try {
      std::regex compiled(entry.value.substr(offset));
    } catch (const std::regex_error& error) {
      add("SC318", value_at(entry, offset),
          "'" + entry.key +
              "' is not a valid regex (C++ std::regex, ECMAScript grammar, as "
              "Flexisip compiles it): " +
              error.what());
    }
  }

  void check_module(const ConfigSection& auth, ConfigFacts& facts) {
    const ConfigEntry* enabled = auth.find("enabled");
    if (!enabled)
      add("SC320", auth.position,
          "'enabled' is not set: the authentication module is disabled by default, so "
          "Flexisip authenticates nobody");
    else if (enabled->value == "false" || enabled->value == "0")
      add("SC320", enabled->value_position,
          "the authentication module is disabled: Flexisip authenticates nobody");

    if (const ConfigEntry* domains = auth.find("auth-domains"))
      facts.context.auth_domains = config::split_list(domains->value);
    else
      add("SC321", auth.position,
          "'auth-domains' is not set: it defaults to localhost, so users of any other domain "
          "are refused");

    if (const ConfigEntry* algorithms = auth.find("available-algorithms")) {
      facts.context.algorithms.clear();
      for (const Algorithm& offered : config::flexisip_available_algorithms(algorithms->value))
        if (std::find(facts.context.algorithms.begin(), facts.context.algorithms.end(),
                      offered.hash) == facts.context.algorithms.end())
          facts.context.algorithms.push_back(offered.hash);
    } else {
      add("SC322", auth.position,
          "'available-algorithms' is not set: only MD5 is offered to clients");
    }

    const ConfigEntry* realm = auth.find("realm");
    const ConfigEntry* realm_regex = auth.find("realm-regex");
    const bool realm_is_regex = realm && realm->value.starts_with("regex:");
    if (realm_is_regex) check_ecma_regex(*realm, 6);
    if (realm && !realm->value.empty() && realm_regex && !realm_regex->value.empty())
      add("SC317", realm_regex->key_position,
          std::string("'realm-regex' is set together with 'realm' (line ") +
              std::to_string(realm->key_position.line) + ")" +
              (realm_is_regex ? ", which is a regex too ('regex:' prefix)" : "") +
              ": Flexisip refuses both; keep one");
    if (realm && !realm->value.empty() && !realm_is_regex &&
        !(realm_regex && !realm_regex->value.empty()))
      facts.context.fixed_realm = realm->value;
  }

  void check_store(const ConfigSection& auth, ConfigFacts& facts) {
    const ConfigEntry* implementation = auth.find("db-implementation");
    const std::string backend = implementation ? implementation->value : "file";
    if (backend == "file") {
      const ConfigEntry* path = auth.find("file-path");
      if (!path || path->value.empty()) path = auth.find("datasource"); // its fallback
      if (!path || path->value.empty()) {
        add("SC330", implementation ? implementation->value_position : auth.position,
            "the file backend needs 'file-path': Flexisip refuses to start without it");
        return;
      }
      facts.file_path = path->value;
      facts.file_path_line = path->value_position.line;
      facts.file_path_column = path->value_position.column;
      if (!path->value.starts_with('/'))
        add("SC332", path->value_position,
            "relative file-path: Flexisip resolves it against its working directory, "
            "sipcred-lint against its own; use an absolute path");
      return;
    }
    facts.file_backend = false;
    if (backend != "soci") {
      add("SC316", implementation->value_position,
          "expected 'file' or 'soci' for db-implementation, got " + shown(backend));
      return;
    }
    const ConfigEntry* soci_backend = auth.find("soci-backend");
    const std::string name = soci_backend ? soci_backend->value : "mysql";
    if (std::find(std::begin(soci_backends), std::end(soci_backends), name) ==
        std::end(soci_backends))
      add("SC333", soci_backend->value_position,
          "unknown soci-backend " + shown(name) +
              ": expected sqlite3, mysql, postgresql, odbc, oracle, firebird or db2");
    const ConfigEntry* connection = auth.find("soci-connection-string");
    if (!connection || connection->value.empty())
      add("SC338", connection ? connection->key_position : auth.position,
          "db-implementation=soci needs 'soci-connection-string'");
    // Left out, Flexisip runs its built-in request; set but empty, the request is empty and
    // check_password_request reports it (no :id).
    const ConfigEntry* request = auth.find("soci-password-request");
    facts.soci_backend_used = true;
    facts.soci_backend = name;
    facts.soci_connection = connection ? connection->value : "";
    facts.soci_password_request = request ? request->value : "";
    if (!request)
      return add("SC334", auth.position,
                 "no 'soci-password-request': Flexisip falls back to its built-in request "
                 "(in 2.x: select password, 'MD5' from accounts where login = :id and domain = "
                 ":domain), which differs between versions and must match your tables; write "
                 "the request for your schema");
    check_password_request(*request);
  }

  // Bound names (":id") and the number of selected columns, outside quotes.
  void check_password_request(const ConfigEntry& request) {
    const std::string& sql = request.value;
    bool has_id = false;
    char quote = 0;
    int depth = 0;
    std::size_t select_end = std::string::npos, from_start = std::string::npos;
    std::vector<std::size_t> commas;
    const auto word_at = [&](std::size_t i, std::string_view word) {
      const auto is_word = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
      };
      return i + word.size() <= sql.size() &&
             iequals(std::string_view(sql).substr(i, word.size()), word) &&
             (i == 0 || !is_word(sql[i - 1])) &&
             (i + word.size() == sql.size() || !is_word(sql[i + word.size()]));
    };
    for (std::size_t i = 0; i < sql.size(); ++i) {
      const char c = sql[i];
      if (quote) {
        if (c == quote) quote = 0;
        continue;
      }
      if (c == '\'' || c == '"' || c == '`') {
        quote = c;
        continue;
      }
      if (c == '(') ++depth;
      if (c == ')') --depth;
      if (c == ':' && i + 1 < sql.size() && sql[i + 1] == ':') { // a PostgreSQL cast
        ++i;
        continue;
      }
      if (c == ':' && i + 1 < sql.size() &&
          (std::isalpha(static_cast<unsigned char>(sql[i + 1])) || sql[i + 1] == '_')) {
        std::size_t end = i + 1;
        while (end < sql.size() &&
               (std::isalnum(static_cast<unsigned char>(sql[end])) || sql[end] == '_'))
          ++end;
        const std::string name = sql.substr(i + 1, end - i - 1);
        if (name == "id")
          has_id = true;
        else if (name != "domain" && name != "authid")
          add("SC336", value_at(request, i),
              "':" + name + "' is never bound: Flexisip binds only :id, :domain and :authid");
        i = end - 1;
        continue;
      }
      if (depth != 0) continue;
      if (select_end == std::string::npos && word_at(i, "select"))
        select_end = i + 6;
      else if (select_end != std::string::npos && from_start == std::string::npos) {
        if (c == ',')
          commas.push_back(i);
        else if (word_at(i, "from"))
          from_start = i;
      }
    }
    if (!has_id)
      add("SC335", request.value_position,
          "the password request does not use ':id', which Flexisip always binds");
    if (select_end == std::string::npos)
      add("SC337", request.value_position,
          "expected a SELECT of two columns (password, algorithm) in the password request");
    else if (commas.size() != 1)
      add("SC337", value_at(request, select_end),
          "the password request selects " +
              (commas.empty() ? std::string("1 column")
                              : std::to_string(commas.size() + 1) + " columns") +
              ": expected two (password, algorithm)");
  }

  std::vector<Diagnostic>& m_diagnostics;
};

} // namespace

ConfigFacts lint_flexisip_config(std::string_view content, std::vector<Diagnostic>& diagnostics) {
  std::vector<Diagnostic> own;
  const ConfigFacts facts = lint_flexisip_config(config::FlexisipConfig::parse(content, own), own);
  for (Finding& f : ini_findings(content, '#', FileKind::FlexisipConfig, std::move(own)))
    diagnostics.push_back(std::move(f.diagnostic));
  return facts;
}

ConfigFacts lint_flexisip_config(const config::FlexisipConfig& config,
                                 std::vector<Diagnostic>& diagnostics) {
  return ConfigLinter(diagnostics).run(config);
}

} // namespace sipcred::lint
