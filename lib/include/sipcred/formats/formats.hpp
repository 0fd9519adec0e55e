#pragma once
// What each account file format can hold, stated once: the stores that write these files and
// sipcred-hash, which prints their lines, ask here. A refusal is a sentence saying why the
// bytes cannot be written (for messages; it never quotes a password), or "" when they can.

#include "sipcred/account/account.hpp"
#include "sipcred/export.hpp"

#include <string>
#include <string_view>

namespace sipcred::formats {

// Apache htdigest, `user:realm:HA1` lines: a ':' in the user or the realm would shift the
// fields, a line end or a NUL would start another line (another user, for whoever reads it).
SIPCRED_EXPORT std::string htdigest_refusal(std::string_view user, std::string_view realm);
SIPCRED_EXPORT std::string htdigest_line(std::string_view user, std::string_view realm,
                                         std::string_view ha1);

// Asterisk's config reader (pjsip.conf): a line is cut at a ';' not preceded by '\' (which it
// then removes), values and section names are stripped of surrounding whitespace, `key=>v` is
// the object syntax, and a section name is kept to 79 bytes. Values are written with each ';'
// escaped; what cannot be written so is refused.
SIPCRED_EXPORT std::string pjsip_value_refusal(std::string_view value);
SIPCRED_EXPORT std::string pjsip_section_refusal(std::string_view name);
SIPCRED_EXPORT std::string pjsip_escape(std::string_view value);
// The refusal of the first field of an account a pjsip.conf type=auth section cannot hold.
SIPCRED_EXPORT std::string pjsip_refusal(const Account& account, std::string_view realm);

// FreeSWITCH's directory XML (freeswitch:PATH): names and passwords are XML attribute values,
// so each must be UTF-8 of characters XML 1.0 can hold, without a control character (an XML
// reader turns a line end or a tab of an attribute into a space); FreeSWITCH's preprocessor
// expands "$${NAME}" in every line it loads, and FreeSWITCH addresses a user as ID@DOMAIN
// (user/ dial strings, sofia_contact), so a user id holds no '@'. An empty password lets anyone
// register: sofia skips authentication for a user with neither a password nor an a1-hash.
// With `file_per_user` (a directory of ID.xml files), the id must also make a file name.
SIPCRED_EXPORT std::string freeswitch_value_refusal(std::string_view value);
SIPCRED_EXPORT std::string freeswitch_refusal(const Account& account, bool file_per_user);

// Flexisip's userdb, and sipcred-user's import lists (CSV, JSON lines), which hold its tokens:
// user (URL-escaped), domain, clear text, user-id and phone must be userdb tokens.
SIPCRED_EXPORT std::string userdb_refusal(const Account& account);

} // namespace sipcred::formats
