#include "sipcred/sip/sip_message.hpp"

#include "sipcred/util/error.hpp"
#include "util/text.hpp"

#include <charconv>
#include <limits>

namespace sipcred {

namespace {

// RFC 3261 §7.3.3 compact forms of the headers these messages use.
std::string_view long_name(std::string_view name) {
  if (name.size() != 1) return name;
  switch (ascii_lower(name[0])) {
  case 'i': return "Call-ID";
  case 'm': return "Contact";
  case 'l': return "Content-Length";
  case 'c': return "Content-Type";
  case 'f': return "From";
  case 't': return "To";
  case 'v': return "Via";
  case 'k': return "Supported";
  default: return name;
  }
}

bool same_header(std::string_view a, std::string_view b) {
  return iequals(long_name(a), long_name(b));
}

[[noreturn]] void malformed(const std::string& what) {
  throw Error(ErrorKind::DataError, "malformed SIP message: " + what);
}

// A printable form of bytes for an error message: control and non-ASCII bytes as \xNN, cut.
std::string shown(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 60)) {
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0x20 && b < 0x7f) {
      out += c;
    } else {
      static constexpr char digits[] = "0123456789abcdef";
      out += "\\x";
      out += digits[b >> 4];
      out += digits[b & 15];
    }
  }
  if (text.size() > 60) out += "...";
  return out;
}

std::optional<std::size_t> parse_size(std::string_view text) {
  text = trim(text);
  std::size_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The next line of `data` from `pos`, without its line end (CRLF or LF); pos moves past it.
std::optional<std::string_view> next_line(std::string_view data, std::size_t& pos) {
  if (pos >= data.size()) return std::nullopt;
  const std::size_t lf = data.find('\n', pos);
  std::string_view line =
      data.substr(pos, lf == std::string_view::npos ? std::string_view::npos : lf - pos);
  pos = lf == std::string_view::npos ? data.size() : lf + 1;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

bool is_token(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (b <= 0x20 || b >= 0x7f ||
        std::string_view("()<>@,;:\\\"/[]?={}").find(c) != std::string_view::npos)
      return false;
  }
  return true;
}

void parse_start_line(std::string_view line, SipMessage& message) {
  if (line.starts_with("SIP/2.0 ")) {
    std::string_view rest = line.substr(8);
    const std::string_view code = rest.substr(0, 3);
    int status = 0;
    const auto [end, ec] = std::from_chars(code.data(), code.data() + code.size(), status);
    if (code.size() != 3 || ec != std::errc() || end != code.data() + 3 || status < 100 ||
        (rest.size() > 3 && rest[3] != ' '))
      malformed("bad status line '" + shown(line) + "'");
    message.status = status;
    message.reason = std::string(rest.size() > 4 ? rest.substr(4) : std::string_view());
    return;
  }
  const std::size_t first = line.find(' ');
  const std::size_t last = line.rfind(' ');
  if (first == std::string_view::npos || first == last || line.substr(last + 1) != "SIP/2.0" ||
      !is_token(line.substr(0, first)) || first + 1 == last)
    malformed("bad request line '" + shown(line) + "'");
  message.method = std::string(line.substr(0, first));
  message.uri = std::string(line.substr(first + 1, last - first - 1));
  if (message.uri.find(' ') != std::string::npos)
    malformed("bad request line '" + shown(line) + "'");
}

} // namespace

std::optional<std::string_view> SipMessage::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (same_header(key, name)) return std::string_view(value);
  return std::nullopt;
}

std::vector<std::string_view> SipMessage::headers_named(std::string_view name) const {
  std::vector<std::string_view> values;
  for (const auto& [key, value] : headers)
    if (same_header(key, name)) values.emplace_back(value);
  return values;
}

void SipMessage::add_header(std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
}

void SipMessage::remove_header(std::string_view name) {
  std::erase_if(headers, [&](const auto& header) { return same_header(header.first, name); });
}

std::string SipMessage::start_line() const {
  if (is_request()) return method + " " + uri + " SIP/2.0";
  return "SIP/2.0 " + std::to_string(status) + " " + reason;
}

std::string SipMessage::format() const {
  std::string out = start_line() + "\r\n";
  for (const auto& [name, value] : headers) {
    if (same_header(name, "Content-Length")) continue;
    out += name + ": " + value + "\r\n";
  }
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  out += body;
  return out;
}

SipMessage parse_sip_message(std::string_view data) {
  // Keep-alive CRLFs may precede a message on a stream (RFC 5626 §3.5.1).
  const std::size_t start = data.find_first_not_of("\r\n");
  if (start == std::string_view::npos) malformed("empty");
  std::size_t pos = start;
  SipMessage message;
  parse_start_line(*next_line(data, pos), message);

  bool ended = false;
  while (const auto line = next_line(data, pos)) {
    if (line->empty()) {
      ended = true;
      break;
    }
    if (line->front() == ' ' || line->front() == '\t') { // folded: continues the last value
      if (message.headers.empty()) malformed("a continuation line before any header");
      // RFC 3261 7.3.1: the fold is whitespace; the value stays trimmed at both ends.
      std::string& value = message.headers.back().second;
      const std::string_view more = trim(*line);
      if (!value.empty() && !more.empty()) value += ' ';
      value += more;
      continue;
    }
    const std::size_t colon = line->find(':');
    if (colon == std::string_view::npos) malformed("header without ':': '" + shown(*line) + "'");
    const std::string_view name = trim(line->substr(0, colon));
    if (!is_token(name)) malformed("bad header name '" + shown(*line) + "'");
    message.add_header(std::string(name), std::string(trim(line->substr(colon + 1))));
  }
  if (!ended) malformed("the headers do not end with an empty line");

  const std::string_view rest = data.substr(pos);
  if (const auto length = message.header("Content-Length")) {
    const auto size = parse_size(*length);
    if (!size) malformed("bad Content-Length '" + shown(*length) + "'");
    if (*size > rest.size())
      malformed("Content-Length " + std::to_string(*size) + " but " + std::to_string(rest.size()) +
                " bytes of body");
    message.body = std::string(rest.substr(0, *size));
  } else {
    message.body = std::string(rest);
  }
  for (const char* required : {"Via", "From", "To", "Call-ID", "CSeq"})
    if (!message.header(required)) malformed(std::string("no ") + required + " header");
  return message;
}

std::optional<std::size_t> sip_message_expected_size(std::string_view data,
                                                     std::size_t max_header_bytes) {
  const std::size_t start = data.find_first_not_of("\r\n");
  if (start == std::string_view::npos) return std::nullopt;
  // The end of the headers: the first empty line (CRLF CRLF, or bare LFs).
  std::size_t pos = start;
  std::optional<std::size_t> length;
  while (true) {
    const std::size_t lf = data.find('\n', pos);
    if (lf == std::string_view::npos) {
      if (data.size() - start > max_header_bytes) malformed("headers too long");
      return std::nullopt;
    }
    std::string_view line = data.substr(pos, lf - pos);
    pos = lf + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (pos - start > max_header_bytes) malformed("headers too long");
    if (line.empty()) break;
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos &&
        same_header(trim(line.substr(0, colon)), "Content-Length")) {
      length = parse_size(line.substr(colon + 1));
      if (!length) malformed("bad Content-Length '" + shown(line) + "'");
    }
  }
  if (!length) malformed("no Content-Length on a stream");
  if (*length > std::numeric_limits<std::size_t>::max() - pos)
    malformed("Content-Length " + std::to_string(*length) + " too large");
  return pos + *length;
}

std::optional<std::size_t> sip_message_size(std::string_view data, std::size_t max_header_bytes) {
  const auto size = sip_message_expected_size(data, max_header_bytes);
  if (!size || *size > data.size()) return std::nullopt;
  return size;
}

std::string header_parameter(std::string_view value, std::string_view name) {
  // Parameters follow the URI's closing '>' when there is one (URI parameters are not header
  // parameters).
  const std::size_t close = value.find('>');
  std::size_t pos = close == std::string_view::npos ? 0 : close + 1;
  while ((pos = value.find(';', pos)) != std::string_view::npos) {
    ++pos;
    const std::size_t end = value.find_first_of(";,", pos);
    const std::string_view param =
        value.substr(pos, end == std::string_view::npos ? end : end - pos);
    const std::size_t equals = param.find('=');
    if (iequals(trim(param.substr(0, equals)), name))
      return equals == std::string_view::npos ? std::string()
                                              : std::string(trim(param.substr(equals + 1)));
    if (end == std::string_view::npos || value[end] == ',') break;
  }
  return {};
}

std::string_view name_addr_uri(std::string_view value) {
  const std::size_t open = value.find('<');
  if (open != std::string_view::npos) {
    const std::size_t close = value.find('>', open);
    if (close != std::string_view::npos) return value.substr(open + 1, close - open - 1);
  }
  value = trim(value);
  return value.substr(0, value.find(';'));
}

SipUri parse_sip_uri(std::string_view text) {
  SipUri uri;
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos)
    throw Error(ErrorKind::DataError, "not a SIP URI: '" + shown(text) + "'");
  const std::string_view scheme = text.substr(0, colon);
  if (!iequals(scheme, "sip") && !iequals(scheme, "sips"))
    throw Error(ErrorKind::DataError, "not a sip: or sips: URI: '" + shown(text) + "'");
  uri.scheme = iequals(scheme, "sip") ? "sip" : "sips";
  std::string_view rest = text.substr(colon + 1);
  const std::size_t params = rest.find_first_of(";?");
  std::string_view hostport = rest.substr(0, params);
  if (params != std::string_view::npos) {
    std::string_view p = rest.substr(params);
    std::size_t pos = 0;
    while ((pos = p.find(';', pos)) != std::string_view::npos) {
      ++pos;
      const std::size_t end = p.find_first_of(";?", pos);
      const std::string_view param = p.substr(pos, end == std::string_view::npos ? end : end - pos);
      if (param.size() > 10 && iequals(param.substr(0, 10), "transport="))
        for (char c : param.substr(10)) uri.transport += ascii_lower(c);
      if (end == std::string_view::npos || p[end] == '?') break;
    }
  }
  const std::size_t at = hostport.rfind('@');
  if (at != std::string_view::npos) {
    uri.user = std::string(hostport.substr(0, at));
    const std::size_t password = uri.user.find(':');
    if (password != std::string::npos) uri.user.resize(password);
    hostport.remove_prefix(at + 1);
  }
  std::string_view port;
  if (hostport.starts_with('[')) {
    const std::size_t close = hostport.find(']');
    if (close == std::string_view::npos)
      throw Error(ErrorKind::DataError, "unclosed '[' in '" + shown(text) + "'");
    uri.host = std::string(hostport.substr(1, close - 1));
    hostport.remove_prefix(close + 1);
    if (!hostport.empty() && hostport.front() != ':')
      throw Error(ErrorKind::DataError, "bad host in '" + shown(text) + "'");
    if (!hostport.empty()) port = hostport.substr(1);
  } else {
    const std::size_t port_colon = hostport.find(':');
    uri.host = std::string(hostport.substr(0, port_colon));
    if (port_colon != std::string_view::npos) port = hostport.substr(port_colon + 1);
    if (port_colon != std::string_view::npos && port.empty())
      throw Error(ErrorKind::DataError, "empty port in '" + shown(text) + "'");
  }
  if (uri.host.empty()) throw Error(ErrorKind::DataError, "no host in '" + shown(text) + "'");
  if (!port.empty()) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
      throw Error(ErrorKind::DataError, "bad port in '" + shown(text) + "'");
    uri.port = static_cast<unsigned short>(value);
  }
  return uri;
}

SipMessage make_response(const SipMessage& request, int status, std::string reason,
                         std::string_view to_tag) {
  SipMessage response;
  response.status = status;
  response.reason = std::move(reason);
  for (const auto& [name, value] : request.headers) {
    if (same_header(name, "Via") || same_header(name, "From") || same_header(name, "Call-ID") ||
        same_header(name, "CSeq"))
      response.add_header(std::string(long_name(name)), value);
    else if (same_header(name, "To"))
      response.add_header("To", header_parameter(value, "tag").empty() && !to_tag.empty()
                                    ? value + ";tag=" + std::string(to_tag)
                                    : value);
  }
  return response;
}

} // namespace sipcred
