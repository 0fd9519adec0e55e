#pragma once
// One FreeSWITCH directory XML file as a libxml2 tree that is edited in place and written back
// whole: what sipcred does not change (other params, variables, gateways, comments, attributes,
// X-PRE-PROCESS lines, the XML declaration) comes back as it was, the only differences being
// libxml2's spelling of what it parsed: attributes in double quotes with single spaces between
// them, <x></x> as <x/>, character references as the characters.
//
// What FreeSWITCH reads of it (signalwire/freeswitch src/switch_xml.c, switch_xml_locate_user;
// src/mod/endpoints/mod_sofia/sofia_reg.c, sofia_reg_parse_auth; conf/vanilla/directory/):
// - a user is a <user id="ID"> in a <domain name="DOMAIN">: in its <users>, in a <users> of
//   one of its <groups><group>, or a child of the domain itself. Users with type="pointer" are
//   references to a user defined elsewhere (a group listing), not users. A file of
//   conf/directory/default/ is an <include> of one such <user>, pulled into the <users> of
//   `<domain name="$${domain}">` by an X-PRE-PROCESS include: its domain is not in the file.
// - sofia looks a user up by id or by number-alias (attributes of <user>), in the domain named
//   by the digest realm (or the profile's force-register-domain); cidr= is for IP
//   authentication. sipcred leaves these attributes as they are.
// - credentials are params of the user's first <params>: password (the clear password) and
//   a1-hash (MD5 of ID:REALM:PASSWORD in hex), param names compared without case, the last of a
//   name winning. With an a1-hash sofia puts it as it is into the digest, so only a lowercase
//   one matches a client's response; without one it hashes the password; with neither it lets
//   the user register without authentication. vm-password and vm-a1-hash are voicemail's.
// - params of the <domain> or <group> apply to each user lacking its own.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct _xmlDoc;
struct _xmlNode;

namespace sipcred::freeswitch {

// Bounds on a file sipcred parses, so that hostile input takes bounded memory and time: a
// libxml2 tree takes several times the size of its file, and libxml2 2.9 compares each
// attribute of an element with every other one (40000 attributes took 14 s). libxml2 itself
// bounds the nesting (256) and the length of a text or a name.
inline constexpr std::size_t max_file_size = 32u << 20;
inline constexpr std::size_t max_tags = 2'000'000;
inline constexpr std::size_t max_attributes_per_tag = 256;

// Error(DataError) for a file of `size` bytes, larger than max_file_size: refused unread.
void check_size(std::uintmax_t size, const std::string& name);

// A problem of the file's data, where it is (1-based line and column; column 0: unknown).
struct Problem {
  std::size_t line = 0;
  std::size_t column = 0;
  std::string message;
};

// A user as the file defines it. The domain is "" when the file does not name it: a user
// outside any <domain>, or in a domain named by a preprocessor variable ("$${domain}").
struct User {
  _xmlNode* node = nullptr;
  std::string id;
  std::string domain;
  std::size_t line = 0;
  std::optional<std::string> password; // the last password param of its first <params>
  std::optional<std::string> a1_hash;  // the last a1-hash param, as written
  std::size_t a1_hash_line = 0;
};

class Document {
public:
  // Error(DataError) "NAME:LINE:COL: ..." for content that is not well-formed XML, that has a
  // DTD (FreeSWITCH files have none, and entities are a way to blow up a parser), or that
  // exceeds the bounds above.
  static Document parse(std::string_view content, const std::string& name);
  // A new file of several domains: <document type="freeswitch/xml"><section name="directory">.
  static Document new_directory();
  // A new user file as conf/directory/default/ holds them: <include>.
  static Document new_include();

  Document(Document&&) noexcept;
  Document& operator=(Document&&) noexcept;
  ~Document();

  // Every user, in document order. `problems` gets what FreeSWITCH reads differently than
  // sipcred would: credentials in the params of a <domain> or <group>.
  std::vector<User> users(std::vector<Problem>* problems = nullptr) const;
  // Sets the user's credentials in its first <params> (made when it has none): the first param
  // of each name gets the new value in place, later ones of that name are removed, a missing one
  // is added; nullopt removes them all.
  void set_credentials(_xmlNode* user, const std::optional<std::string>& password,
                       const std::optional<std::string>& a1_hash);
  // Adds <user id="ID"/> to the domain of `domain` (its <users>, else the <users> of its first
  // group), made in the directory section when there is none. `unnamed_domain` is the domain of
  // users whose domain the file does not name: a user of it goes beside them (or, in an
  // <include>, at its top). Error(Usage) when the file has no place for a user of `domain`.
  _xmlNode* add_user(const std::string& domain, const std::string& unnamed_domain,
                     const std::string& id);
  // Removes the element with the indentation before it.
  void remove_user(_xmlNode* user);
  // The file's content.
  std::string text() const;

private:
  Document(_xmlDoc* doc, std::string declaration);
  _xmlDoc* m_doc = nullptr;
  std::string m_declaration; // the original <?xml ...?>, written back as it was
};

} // namespace sipcred::freeswitch
