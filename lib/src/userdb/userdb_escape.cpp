// The %-escapes of userdb identities and user-ids, as Flexisip's file backend reads them.
#include "sipcred/userdb/userdb.hpp"

#include "userdb/userdb_tokens.hpp"
#include "util/text.hpp"

namespace sipcred::userdb {

std::string url_escape(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string escaped;
  for (char c : text) {
    if (is_token_char(c) && c != '%') {
      escaped += c;
    } else {
      auto byte = static_cast<unsigned char>(c);
      escaped += '%';
      escaped += hex[byte >> 4];
      escaped += hex[byte & 15];
    }
  }
  return escaped;
}

std::string url_unescape(std::string_view text) {
  auto hex_value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    c = ascii_lower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int high = hex_value(text[i + 1]);
      const int low = hex_value(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

std::string_view url_unescape(std::string_view text, std::string& storage) {
  if (text.find('%') == std::string_view::npos) return text;
  storage = url_unescape(text);
  return storage;
}

} // namespace sipcred::userdb
