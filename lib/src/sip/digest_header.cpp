#include "sipcred/sip/digest_header.hpp"

#include "sipcred/util/error.hpp"
#include "util/text.hpp"

#include <map>

namespace sipcred {
namespace {

// RFC 7230 token characters.
bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

[[noreturn]] void malformed(std::string_view parameter, const std::string& what) {
  throw Error(ErrorKind::DataError, parameter.empty() ? "malformed Digest header: " + what
                                                      : "malformed Digest header: parameter '" +
                                                            std::string(parameter) + "': " + what);
}

// A scheme and its parameters, names in lowercase, values unquoted.
struct Section {
  std::string scheme;
  std::map<std::string, std::string> parameters;
};

class HeaderReader {
public:
  explicit HeaderReader(std::string_view text) : m_text(text) {}

  std::vector<Section> sections() {
    std::vector<Section> result;
    skip_separators();
    while (!at_end()) {
      Section section;
      section.scheme = token();
      if (section.scheme.empty()) malformed("", "expected an authentication scheme");
      skip_space();
      if (!at_end() && !peek_parameter()) skip_token68(); // Basic xyz==, Bearer ...
      while (!at_end()) {
        skip_space();
        if (at_end()) break;
        if (m_text[m_pos] == ',') {
          skip_separators();
          if (starts_scheme()) break;
          continue;
        }
        parameter(section);
        skip_space();
        if (!at_end() && m_text[m_pos] != ',')
          malformed(m_last_name, "expected ',' after the value");
      }
      result.push_back(std::move(section));
    }
    return result;
  }

private:
  bool at_end() const { return m_pos >= m_text.size(); }
  void skip_space() {
    while (!at_end() && (m_text[m_pos] == ' ' || m_text[m_pos] == '\t' || m_text[m_pos] == '\r' ||
                         m_text[m_pos] == '\n'))
      ++m_pos;
  }
  void skip_separators() {
    skip_space();
    while (!at_end() && m_text[m_pos] == ',') {
      ++m_pos;
      skip_space();
    }
  }
  std::string token() {
    const std::size_t start = m_pos;
    while (!at_end() && is_tchar(m_text[m_pos])) ++m_pos;
    return std::string(m_text.substr(start, m_pos - start));
  }
  // A name, spaces, then '=' (and not '==': token68 padding).
  bool peek_parameter() const {
    std::size_t pos = m_pos;
    while (pos < m_text.size() && is_tchar(m_text[pos])) ++pos;
    if (pos == m_pos) return false;
    while (pos < m_text.size() && (m_text[pos] == ' ' || m_text[pos] == '\t')) ++pos;
    return pos < m_text.size() && m_text[pos] == '=' &&
           (pos + 1 >= m_text.size() || m_text[pos + 1] != '=');
  }
  // After a comma: "Scheme param=" or "Scheme token68" starts the next challenge.
  bool starts_scheme() const {
    std::size_t pos = m_pos;
    while (pos < m_text.size() && is_tchar(m_text[pos])) ++pos;
    if (pos == m_pos || pos >= m_text.size() || (m_text[pos] != ' ' && m_text[pos] != '\t'))
      return false;
    while (pos < m_text.size() && (m_text[pos] == ' ' || m_text[pos] == '\t')) ++pos;
    return pos < m_text.size() && m_text[pos] != '=' && m_text[pos] != ',';
  }
  void skip_token68() {
    while (!at_end() && m_text[m_pos] != ',') ++m_pos;
  }

  void parameter(Section& section) {
    std::string name = token();
    if (name.empty()) malformed("", "expected a parameter name");
    for (char& c : name) c = ascii_lower(c);
    m_last_name = name;
    skip_space();
    if (at_end() || m_text[m_pos] != '=') malformed(name, "expected '=' and a value");
    ++m_pos;
    skip_space();
    std::string value;
    if (!at_end() && m_text[m_pos] == '"')
      value = quoted(name);
    else {
      value = token();
      if (value.empty()) malformed(name, "expected a token or a quoted string");
    }
    if (!section.parameters.emplace(name, std::move(value)).second) malformed(name, "given twice");
  }

  std::string quoted(std::string_view name) {
    ++m_pos; // the opening quote
    std::string value;
    while (!at_end()) {
      const char c = m_text[m_pos++];
      if (c == '"') return value;
      if (c == '\\') {
        if (at_end()) break;
        value += m_text[m_pos++];
        continue;
      }
      value += c;
    }
    malformed(name, "the quoted string is not closed");
  }

  std::string_view m_text;
  std::size_t m_pos = 0;
  std::string m_last_name;
};

bool is_true(const std::string& value) { return iequals(value, "true"); }

std::string take(std::map<std::string, std::string>& parameters, const std::string& name) {
  const auto found = parameters.find(name);
  if (found == parameters.end()) return {};
  std::string value = std::move(found->second);
  parameters.erase(found);
  return value;
}

std::string require(std::map<std::string, std::string>& parameters, const std::string& name) {
  if (!parameters.count(name)) malformed(name, "missing");
  return take(parameters, name);
}

// RFC 5987 ext-value: charset "'" [language] "'" pct-encoded UTF-8.
std::string decode_ext_value(const std::string& value) {
  const std::size_t first = value.find('\'');
  const std::size_t second = first == std::string::npos ? first : value.find('\'', first + 1);
  if (second == std::string::npos)
    malformed("username*", "expected UTF-8''followed by the percent-encoded name");
  if (!iequals(std::string_view(value).substr(0, first), "UTF-8"))
    malformed("username*", "only the UTF-8 charset is supported");
  std::string decoded;
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    c = ascii_lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
  };
  for (std::size_t i = second + 1; i < value.size(); ++i) {
    if (value[i] != '%') {
      decoded += value[i];
      continue;
    }
    if (i + 2 >= value.size() || hex(value[i + 1]) < 0 || hex(value[i + 2]) < 0)
      malformed("username*", "a '%' must be followed by two hex digits");
    decoded += static_cast<char>(hex(value[i + 1]) * 16 + hex(value[i + 2]));
    i += 2;
  }
  return decoded;
}

std::string encode_ext_value(std::string_view value) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string encoded = "UTF-8''";
  for (char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
        std::string_view("!#$&+-.^_`|~").find(c) != std::string_view::npos)
      encoded += c;
    else
      encoded.append({'%', digits[byte >> 4], digits[byte & 0x0f]});
  }
  return encoded;
}

std::optional<Algorithm> algorithm_of(const std::string& token) {
  if (token.empty()) return Algorithm{HashFunction::Md5, false};
  return parse_algorithm(token);
}

// A control character (HTAB aside) has no place in a header, quoted or not (RFC 7230 qdtext):
// a CR or LF would end it and start another.
bool is_control(char c) { return (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f; }

std::string quote(std::string_view value, std::string_view parameter) {
  std::string quoted = "\"";
  for (char c : value) {
    if (is_control(c))
      throw Error(ErrorKind::DataError, "cannot write Digest parameter '" + std::string(parameter) +
                                            "': it holds a control character");
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"";
}

bool is_token(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text)
    if (!is_tchar(c)) return false;
  return true;
}

// algorithm, qop and nc are tokens in the RFCs: bare when they are, as peers expect; any other
// value (parsed from a hostile header) quoted, so that it parses back the same and can never
// bring a parameter of its own.
std::string token_or_quoted(std::string_view value, std::string_view parameter) {
  return is_token(value) ? std::string(value) : quote(value, parameter);
}

// Whether a name can go in a quoted string: ASCII without control characters.
bool is_quotable_ascii(std::string_view text) {
  for (char c : text)
    if (static_cast<unsigned char>(c) >= 0x80 || is_control(c)) return false;
  return true;
}

} // namespace

std::optional<Algorithm> DigestChallenge::parsed_algorithm() const {
  return algorithm_of(algorithm);
}

std::optional<Algorithm> DigestCredentials::parsed_algorithm() const {
  return algorithm_of(algorithm);
}

std::vector<DigestChallenge> parse_challenges(std::string_view value) {
  std::vector<DigestChallenge> challenges;
  for (Section& section : HeaderReader(value).sections()) {
    if (!iequals(section.scheme, "Digest")) continue;
    auto& p = section.parameters;
    DigestChallenge c;
    c.realm = require(p, "realm");
    c.nonce = require(p, "nonce");
    c.domain = take(p, "domain");
    c.opaque = take(p, "opaque");
    c.stale = is_true(take(p, "stale"));
    c.algorithm = take(p, "algorithm");
    c.userhash = is_true(take(p, "userhash"));
    const std::string qop = take(p, "qop");
    for (std::size_t start = 0; start < qop.size();) {
      std::size_t end = qop.find(',', start);
      if (end == std::string::npos) end = qop.size();
      std::string option = qop.substr(start, end - start);
      const auto first = option.find_first_not_of(" \t");
      const auto last = option.find_last_not_of(" \t");
      if (first != std::string::npos) c.qop.push_back(option.substr(first, last - first + 1));
      start = end + 1;
    }
    challenges.push_back(std::move(c));
  }
  return challenges;
}

DigestCredentials parse_credentials(std::string_view value) {
  std::vector<Section> sections = HeaderReader(value).sections();
  if (sections.size() != 1 || !iequals(sections[0].scheme, "Digest"))
    malformed("", "expected one set of Digest credentials");
  auto& p = sections[0].parameters;
  DigestCredentials c;
  const bool plain = p.count("username") > 0, extended = p.count("username*") > 0;
  if (plain && extended) malformed("username*", "not allowed together with username");
  if (extended) {
    c.username = decode_ext_value(take(p, "username*"));
    c.username_extended = true;
  } else {
    c.username = require(p, "username");
  }
  c.realm = require(p, "realm");
  c.nonce = require(p, "nonce");
  c.uri = require(p, "uri");
  c.response = require(p, "response");
  c.algorithm = take(p, "algorithm");
  c.opaque = take(p, "opaque");
  c.qop = take(p, "qop");
  c.userhash = is_true(take(p, "userhash"));
  if (c.qop.empty()) {
    c.cnonce = take(p, "cnonce");
    c.nc = take(p, "nc");
  } else {
    c.cnonce = require(p, "cnonce");
    c.nc = require(p, "nc");
  }
  return c;
}

std::string format_challenge(const DigestChallenge& c) {
  std::string out = "Digest realm=" + quote(c.realm, "realm");
  if (!c.domain.empty()) out += ", domain=" + quote(c.domain, "domain");
  out += ", nonce=" + quote(c.nonce, "nonce");
  if (!c.opaque.empty()) out += ", opaque=" + quote(c.opaque, "opaque");
  if (c.stale) out += ", stale=true";
  if (!c.algorithm.empty()) out += ", algorithm=" + token_or_quoted(c.algorithm, "algorithm");
  if (!c.qop.empty()) {
    // The options are split on ',' and trimmed when read back: only tokens survive that.
    std::string qop;
    for (const std::string& option : c.qop) {
      if (!is_token(option))
        throw Error(ErrorKind::DataError,
                    "cannot write Digest parameter 'qop': option '" + option + "' is not a token");
      qop += (qop.empty() ? "" : ",") + option;
    }
    out += ", qop=" + quote(qop, "qop");
  }
  if (c.userhash) out += ", userhash=true";
  return out;
}

std::string format_credentials(const DigestCredentials& c) {
  std::string out = "Digest ";
  // A name that is not ASCII cannot go in a quoted string: username* (RFC 7616 §3.4.4).
  if (c.username_extended || !is_quotable_ascii(c.username))
    out += "username*=" + encode_ext_value(c.username);
  else
    out += "username=" + quote(c.username, "username");
  out += ", realm=" + quote(c.realm, "realm") + ", nonce=" + quote(c.nonce, "nonce") +
         ", uri=" + quote(c.uri, "uri") + ", response=" + quote(c.response, "response");
  if (!c.algorithm.empty()) out += ", algorithm=" + token_or_quoted(c.algorithm, "algorithm");
  if (!c.cnonce.empty()) out += ", cnonce=" + quote(c.cnonce, "cnonce");
  if (!c.opaque.empty()) out += ", opaque=" + quote(c.opaque, "opaque");
  if (!c.qop.empty()) out += ", qop=" + token_or_quoted(c.qop, "qop");
  if (!c.nc.empty()) out += ", nc=" + token_or_quoted(c.nc, "nc");
  if (c.userhash) out += ", userhash=true";
  return out;
}

} // namespace sipcred
