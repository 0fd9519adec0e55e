#include "sipcred/config/auth_config.hpp"

#include "sipcred/config/flexisip_algorithms.hpp"
#include "sipcred/lint/lint.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <ratio>

namespace sipcred {

namespace {

// `count` of `Unit` in seconds; nullopt when that does not fit in seconds' 64-bit count (a
// plain duration_cast would overflow, which is undefined).
template <class Unit> std::optional<std::chrono::seconds> in_seconds(long long count) {
  using namespace std::chrono;
  using ratio = std::ratio_divide<typename Unit::period, seconds::period>;
  if constexpr (ratio::den == 1)
    if (count > std::numeric_limits<seconds::rep>::max() / ratio::num) return std::nullopt;
  return duration_cast<seconds>(Unit(count));
}

} // namespace

std::optional<std::chrono::seconds> parse_config_duration(std::string_view text) {
  using namespace std::chrono;
  long long count = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), count);
  if (error != std::errc() || end == text.data() || count < 0) return std::nullopt;
  const std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  if (unit.empty() || unit == "s") return seconds(count);
  if (unit == "ms") return in_seconds<milliseconds>(count);
  if (unit == "min") return in_seconds<minutes>(count);
  if (unit == "h") return in_seconds<hours>(count);
  if (unit == "d") return in_seconds<days>(count);
  if (unit == "m") return in_seconds<months>(count);
  if (unit == "y") return in_seconds<years>(count);
  return std::nullopt;
}

namespace {

using config::ConfigEntry;
using config::ConfigSection;

class Mapper {
public:
  Mapper(AuthConfig& out) : m_out(out) {}

  void map(const ConfigSection& auth, const lint::ConfigFacts& facts) {
    AuthSettings& s = m_out.settings;
    s.enabled = is_true(auth.find("enabled"));
    s.disable_qop_auth = is_true(auth.find("disable-qop-auth"));
    s.auth_domains = facts.context.auth_domains;
    map_algorithms(auth.find("available-algorithms"));
    if (const ConfigEntry* e = auth.find("nonce-expires"))
      if (const auto lifetime = parse_config_duration(e->value)) {
        s.nonce_expires = *lifetime;
        if (lifetime->count() == 0)
          refuse(*e, "a nonce-expires below one second: every nonce would be stale at once");
        // Nonce ages are steady_clock durations, counted in nanoseconds: about 292 years.
        if (*lifetime > std::chrono::years(100))
          refuse(*e, "a nonce-expires above 100 years: sipcred-sim counts nonce ages in "
                     "nanoseconds, which go no further than about 292 years");
      }
    if (const ConfigEntry* e = auth.find("realm")) {
      if (e->value.starts_with("regex:"))
        s.realm_regex = e->value.substr(6);
      else
        s.realm = e->value;
    }
    if (const ConfigEntry* e = auth.find("realm-regex"); e && !e->value.empty())
      s.realm_regex = e->value;
    map_expressions(auth);
    map_trusted_hosts(auth.find("trusted-hosts"));
    for (const char* key : {"reject-wrong-client-certificates",
                            "tls-client-certificate-required-subject", "trust-domain-certificates"})
      if (const ConfigEntry* e = auth.find(key);
          e && !e->value.empty() && e->value != "false" && e->value != "0")
        note(*e, "'" + e->key +
                     "' concerns TLS client certificates; sipcred-sim's clients speak UDP or TCP, "
                     "for which Flexisip ignores it too");
    if (const ConfigEntry* e = auth.find("new-auth-on-407"); e && is_true(e))
      note(*e, "'new-auth-on-407' acts on 407s from servers behind Flexisip; a rehearsed exchange "
               "has none");
    map_store(auth, facts);
  }

private:
  static bool is_true(const ConfigEntry* entry) {
    return entry && (entry->value == "true" || entry->value == "1");
  }

  void refuse(const ConfigEntry& entry, std::string message) {
    m_out.diagnostics.push_back(Diagnostic{"SIM", Severity::Error, entry.value_position.line,
                                           entry.value_position.column, std::move(message)});
  }
  void note(const ConfigEntry& entry, std::string message) {
    m_out.diagnostics.push_back(Diagnostic{"SIM", Severity::Note, entry.key_position.line,
                                           entry.key_position.column, std::move(message)});
  }

  // Other names are lint errors (SC315).
  void map_algorithms(const ConfigEntry* entry) {
    if (entry) m_out.settings.algorithms = config::flexisip_available_algorithms(entry->value);
  }

  // Boolean expressions over the request: only the constant ones can be rehearsed.
  void map_expressions(const ConfigSection& auth) {
    if (const ConfigEntry* e = auth.find("filter"); e && !e->value.empty() && e->value != "true")
      refuse(*e, "sipcred-sim cannot evaluate 'filter' expressions (Flexisip authenticates only "
                 "the requests it selects); expected it empty or 'true' to rehearse");
    if (const ConfigEntry* e = auth.find("no-403")) {
      if (e->value == "true")
        m_out.settings.no_403 = true;
      else if (!e->value.empty() && e->value != "false")
        refuse(*e, "sipcred-sim cannot evaluate the 'no-403' expression '" + e->value +
                       "'; expected true or false to rehearse");
    }
  }

  void map_trusted_hosts(const ConfigEntry* entry) {
    if (!entry) return;
    for (const std::string& host : config::split_list(entry->value)) {
      if (is_ip_address(host))
        m_out.settings.trusted_hosts.push_back(host);
      else
        refuse(*entry, "trusted host '" + host +
                           "': sipcred-sim compares IP addresses only; expected an IPv4 or IPv6 "
                           "address (no host name, no ${section/key} reference)");
    }
  }

  void map_store(const ConfigSection& auth, const lint::ConfigFacts& facts) {
    if (facts.file_backend) {
      m_out.settings.file_backend = true;
      if (!facts.file_path.empty())
        m_out.store = Locator{StoreKind::Userdb, facts.file_path, "", ""};
      return; // no file-path: SC330
    }
    const ConfigEntry* implementation = auth.find("db-implementation");
    if (!implementation || implementation->value != "soci") return; // SC316
    const ConfigEntry* backend = auth.find("soci-backend");
    const std::string name = backend ? backend->value : "mysql";
    const ConfigEntry* connection = auth.find("soci-connection-string");
    if (name != "sqlite3" && name != "postgresql" && name != "mysql") {
      if (backend)
        refuse(*backend, "soci-backend '" + name +
                             "': sipcred reaches databases through sqlite3, postgresql and mysql "
                             "only");
      return;
    }
    if (!connection || connection->value.empty()) return; // SC338
    m_out.store = Locator{StoreKind::Sql, "", name, connection->value};
    const ConfigEntry* request = auth.find("soci-password-request");
    if (!request)
      return refuse(*implementation,
                    "no soci-password-request: Flexisip would run its built-in request, which "
                    "differs between its versions; sipcred-sim runs only a request it is given");
    m_out.store_options.password_request = request->value;
  }

  AuthConfig& m_out;
};

} // namespace

AuthConfig read_auth_config(const config::FlexisipConfig& config,
                            std::vector<Diagnostic> diagnostics) {
  AuthConfig out;
  out.diagnostics = std::move(diagnostics);
  const lint::ConfigFacts facts = lint::lint_flexisip_config(config, out.diagnostics);
  out.settings.auth_domains = facts.context.auth_domains;
  out.store_options.schema = Schema::Flexisip;
  if (const ConfigSection* auth = config.section("module::Authentication"))
    Mapper(out).map(*auth, facts);
  else
    out.settings.enabled = false; // Flexisip's default: the module is off (SC320 says so)
  std::stable_sort(out.diagnostics.begin(), out.diagnostics.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return a.line != b.line ? a.line < b.line : a.column < b.column;
                   });
  return out;
}

AuthConfig read_auth_config(std::string_view content) {
  std::vector<Diagnostic> diagnostics;
  const config::FlexisipConfig config = config::FlexisipConfig::parse(content, diagnostics);
  return read_auth_config(config, std::move(diagnostics));
}

} // namespace sipcred
