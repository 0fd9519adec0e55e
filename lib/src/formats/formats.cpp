#include "sipcred/formats/formats.hpp"

#include "sipcred/userdb/userdb.hpp"
#include "sipcred/util/error.hpp"

#include "util/text.hpp"

namespace sipcred::formats {
namespace {

constexpr std::string_view line_breaks{"\r\n\0", 3};

} // namespace

std::string htdigest_refusal(std::string_view user, std::string_view realm) {
  constexpr std::string_view separators{":\r\n\0", 4};
  if (user.find_first_of(separators) != std::string_view::npos)
    return "htdigest cannot hold a ':', a line end or a NUL in the user";
  if (realm.find_first_of(separators) != std::string_view::npos)
    return "htdigest cannot hold a ':', a line end or a NUL in the realm";
  return {};
}

std::string htdigest_line(std::string_view user, std::string_view realm, std::string_view ha1) {
  if (std::string refusal = htdigest_refusal(user, realm); !refusal.empty())
    throw Error(ErrorKind::DataError, refusal);
  std::string line;
  line.append(user).append(":").append(realm).append(":").append(ha1).append("\n");
  return line;
}

std::string pjsip_value_refusal(std::string_view value) {
  if (value.empty()) return "an empty value";
  if (value.find_first_of(line_breaks) != std::string_view::npos)
    return "a line end or a NUL, which Asterisk's config reader cannot hold";
  if (is_blank(value.front()) || is_blank(value.back()))
    return "whitespace at an end, which Asterisk's config reader strips";
  if (value.front() == '>') return "a leading '>', which Asterisk reads as the '=>' syntax";
  // Asterisk removes the '\' of "\;" once: a "\;" of the value itself could not come back.
  if (value.find("\\;") != std::string_view::npos) return "a '\\' before a ';'";
  return {};
}

std::string pjsip_section_refusal(std::string_view name) {
  if (std::string refusal = pjsip_value_refusal(name); !refusal.empty()) return refusal;
  if (name.find_first_of("];") != std::string_view::npos) return "a ']' or ';' in the section name";
  if (name.size() > 79) return "a section name longer than the 79 bytes Asterisk keeps";
  return {};
}

std::string pjsip_escape(std::string_view value) {
  std::string escaped;
  for (char c : value) {
    if (c == ';') escaped += '\\';
    escaped += c;
  }
  return escaped;
}

std::string pjsip_refusal(const Account& account, std::string_view realm) {
  const auto refused = [](std::string_view what, const std::string& why) {
    return why.empty() ? why : "pjsip.conf cannot hold the " + std::string(what) + ": " + why;
  };
  if (auto r = refused("section name", pjsip_section_refusal(account.identity())); !r.empty())
    return r;
  if (auto r = refused("username", pjsip_value_refusal(account.digest_username())); !r.empty())
    return r;
  if (auto r = refused("realm", pjsip_value_refusal(realm)); !r.empty()) return r;
  if (const Credential* clear = account.clear_text())
    return refused("password", pjsip_value_refusal(clear->value));
  return {};
}

std::string userdb_refusal(const Account& account) {
  const auto refused = [](std::string_view what, std::string_view text) {
    return text.empty() || userdb::is_token(text)
               ? std::string()
               : "the " + std::string(what) +
                     " holds a character a userdb cannot hold (only letters, digits and "
                     "- . ! % * _ + ` ' ~ :)";
  };
  for (const auto& [what, text] :
       {std::pair<std::string_view, std::string>{"user", userdb::url_escape(account.user)},
        {"domain", account.domain},
        {"user-id", userdb::url_escape(account.auth_user)},
        {"phone", account.phone}})
    if (auto r = refused(what, text); !r.empty()) return r;
  if (account.domain.empty()) return "the domain is empty";
  if (const Credential* clear = account.clear_text()) {
    if (clear->value.empty()) return "the password is empty";
    return refused("password", clear->value);
  }
  return {};
}

} // namespace sipcred::formats

namespace sipcred::formats {
namespace {

// The length of the UTF-8 sequence at the start of `text` when it is one character XML 1.0
// holds (its Char production: tab, line ends, U+0020-U+D7FF, U+E000-U+FFFD, U+10000-U+10FFFF),
// else 0.
std::size_t xml_char_length(std::string_view text) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return lead >= 0x20 || lead == '\t' || lead == '\n' || lead == '\r' ? 1 : 0;
  const std::size_t length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 0;
  if (length == 0 || length > text.size() || lead > 0xf4) return 0;
  char32_t code = lead & (0x7f >> length);
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xc0) != 0x80) return 0;
    code = (code << 6) | (byte(i) & 0x3f);
  }
  constexpr char32_t least[] = {0, 0, 0x80, 0x800, 0x10000}; // shorter forms are overlong
  if (code < least[length] || code > 0x10ffff) return 0;
  if ((code >= 0xd800 && code < 0xe000) || code == 0xfffe || code == 0xffff) return 0;
  return length;
}

} // namespace

std::string freeswitch_value_refusal(std::string_view value) {
  for (std::size_t at = 0; at < value.size();) {
    const std::size_t length = xml_char_length(value.substr(at));
    if (length == 0) return "bytes that are not UTF-8 of characters XML can hold";
    if (static_cast<unsigned char>(value[at]) < 0x20)
      return "a control character (a line end or a tab would come back as a space)";
    at += length;
  }
  if (value.find("$${") != std::string_view::npos)
    return "\"$${\", which FreeSWITCH's preprocessor expands";
  return {};
}

std::string freeswitch_refusal(const Account& account, bool file_per_user) {
  const auto refused = [](std::string_view what, const std::string& why) {
    return why.empty()
               ? why
               : "FreeSWITCH's directory XML cannot hold the " + std::string(what) + ": " + why;
  };
  if (account.user.empty()) return "FreeSWITCH names every user by an id: a bare domain has none";
  if (auto r = refused("user id", freeswitch_value_refusal(account.user)); !r.empty()) return r;
  if (account.user.find('@') != std::string::npos)
    return refused("user id", "an '@', as FreeSWITCH addresses a user as ID@DOMAIN");
  if (file_per_user) {
    if (account.user.front() == '.' || account.user.find('/') != std::string::npos)
      return refused("user id", "a '/' or a leading '.', as it names the user's file ID.xml");
    if (account.user.size() > 200)
      return refused("user id", "more than 200 bytes, as it names the user's file ID.xml");
  }
  if (account.domain.empty()) return "the domain is empty";
  if (auto r = refused("domain", freeswitch_value_refusal(account.domain)); !r.empty()) return r;
  if (const Credential* clear = account.clear_text()) {
    if (clear->value.empty())
      return "an empty password would let anyone register: sofia skips authentication without "
             "a password or an a1-hash";
    return refused("password", freeswitch_value_refusal(clear->value));
  }
  return {};
}

} // namespace sipcred::formats
