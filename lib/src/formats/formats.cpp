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
