#include "formats/freeswitch_xml.hpp"

#include "sipcred/store/store.hpp"
#include "sipcred/util/error.hpp"
#include "util/text.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>

#include <cstring>
#include <mutex>
#include <utility>

namespace sipcred::freeswitch {
namespace {

const xmlChar* x(const char* text) { return reinterpret_cast<const xmlChar*>(text); }

bool named(const xmlNode* node, const char* name) {
  return node && node->type == XML_ELEMENT_NODE &&
         std::strcmp(reinterpret_cast<const char*>(node->name),
                     name) == 0; // FreeSWITCH: strcmp
}

std::optional<std::string> attribute(const xmlNode* node, const char* name) {
  xmlChar* value = xmlGetNoNsProp(node, x(name));
  if (!value) return std::nullopt;
  std::string text(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return text;
}

xmlNode* first_child(const xmlNode* parent, const char* name) {
  for (xmlNode* child = parent ? parent->children : nullptr; child; child = child->next)
    if (named(child, name)) return child;
  return nullptr;
}

bool is_blank_text(const xmlNode* node) {
  if (!node || node->type != XML_TEXT_NODE) return false;
  for (const xmlChar* c = node->content; c && *c; ++c)
    if (*c != ' ' && *c != '\t' && *c != '\n' && *c != '\r') return false;
  return true;
}

// The indentation of `node`: the blanks after the last line end of the text before it.
std::string indent_of(const xmlNode* node) {
  if (!is_blank_text(node->prev)) return {};
  const std::string text(reinterpret_cast<const char*>(node->prev->content));
  const std::size_t line_end = text.rfind('\n');
  return line_end == std::string::npos ? std::string() : text.substr(line_end + 1);
}

// Appends `child` to `parent`, indented as the parent's other elements are (or one step, two
// spaces, deeper than the parent), so that an added element looks as if written by hand.
xmlNode* append_indented(xmlNode* parent, xmlNode* child) {
  xmlNode* last_element = nullptr;
  for (xmlNode* c = parent->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE) last_element = c;
  const std::string outer = indent_of(parent);
  const std::string inner = last_element ? indent_of(last_element) : outer + "  ";
  xmlNode* closing = parent->last && is_blank_text(parent->last) ? parent->last : nullptr;
  xmlNode* before = xmlNewDocText(parent->doc, x(("\n" + inner).c_str()));
  // The element first: libxml2 merges a text node into a text node it is put beside.
  if (closing) {
    xmlAddPrevSibling(closing, child);
    xmlAddPrevSibling(child, before);
  } else {
    xmlAddChild(parent, before);
    xmlAddChild(parent, child);
    xmlAddChild(parent, xmlNewDocText(parent->doc, x(("\n" + outer).c_str())));
  }
  return child;
}

xmlNode* new_element(xmlDoc* doc, const char* name,
                     std::initializer_list<std::pair<const char*, std::string>> attributes) {
  xmlNode* node = xmlNewDocNode(doc, nullptr, x(name), nullptr);
  for (const auto& [key, value] : attributes) xmlNewProp(node, x(key), x(value.c_str()));
  return node;
}

// Unlinks and frees `node` with the blank text before it (its indentation).
void remove_indented(xmlNode* node) {
  if (is_blank_text(node->prev)) {
    xmlNode* blank = node->prev;
    xmlUnlinkNode(blank);
    xmlFreeNode(blank);
  }
  xmlUnlinkNode(node);
  xmlFreeNode(node);
}

// A domain name written with a preprocessor variable ($${domain}) is not known here.
std::string known_domain(const std::optional<std::string>& name) {
  return name && name->find("$${") == std::string::npos ? *name : std::string();
}

bool is_param(const xmlNode* node, const char* name) {
  const auto param = named(node, "param") ? attribute(node, "name") : std::nullopt;
  return param && iequals(*param, name); // sofia: strcasecmp
}

std::size_t line_of(const xmlNode* node) { return static_cast<std::size_t>(xmlGetLineNo(node)); }

// Credentials in the params of a domain or a group, which sofia applies to its users.
void note_shared_credentials(const xmlNode* owner, const char* what,
                             std::vector<Problem>& problems) {
  for (const xmlNode* param = first_child(first_child(owner, "params"), "param"); param;
       param = param->next)
    if (is_param(param, "password") || is_param(param, "a1-hash"))
      problems.push_back({line_of(param), 0,
                          std::string("a password or a1-hash param of a <") + what +
                              ">, which sofia uses for each of its users without one: sipcred "
                              "reads the params of each user only"});
}

void collect_users(xmlNode* parent, const std::string& domain, std::vector<User>& users,
                   std::vector<Problem>* problems) {
  for (xmlNode* node = parent->children; node; node = node->next) {
    if (node->type != XML_ELEMENT_NODE) continue;
    if (named(node, "user")) {
      if (const auto type = attribute(node, "type"); type && iequals(*type, "pointer")) continue;
      User user;
      user.node = node;
      user.id = attribute(node, "id").value_or("");
      user.domain = domain;
      user.line = line_of(node);
      for (const xmlNode* param = first_child(first_child(node, "params"), "param"); param;
           param = param->next) {
        if (is_param(param, "password")) user.password = attribute(param, "value").value_or("");
        if (is_param(param, "a1-hash")) {
          user.a1_hash = attribute(param, "value").value_or("");
          user.a1_hash_line = line_of(param);
        }
      }
      users.push_back(std::move(user));
      continue; // a <user> holds no users (its <gateways> are outbound registrations)
    }
    if (named(node, "domain")) {
      if (problems) note_shared_credentials(node, "domain", *problems);
      collect_users(node, known_domain(attribute(node, "name")), users, problems);
      continue;
    }
    if (problems && named(node, "group")) note_shared_credentials(node, "group", *problems);
    collect_users(node, domain, users, problems);
  }
}

// Where `offset` of `text` is, as LINE:COL (the column in bytes).
std::string position(std::string_view text, std::size_t offset) {
  const std::string_view before = text.substr(0, offset);
  const std::size_t line_start = before.rfind('\n');
  const std::size_t column =
      line_start == std::string_view::npos ? offset + 1 : offset - line_start;
  return std::to_string(count_lines(before) + 1) + ":" + std::to_string(column);
}

// Refuses, before libxml2 sees it, what would make it slow or large (the bounds of the header)
// and any <!DOCTYPE>. Markup libxml2 will find malformed (an unclosed comment) ends the scan.
void check_bounds(std::string_view text, const std::string& name) {
  const auto refuse = [&](std::size_t at, const std::string& why) {
    return Error(ErrorKind::DataError, name + ":" + position(text, at) + ": " + why);
  };
  std::size_t tags = 0;
  for (std::size_t at = text.find('<'); at != std::string_view::npos; at = text.find('<', at)) {
    const std::string_view rest = text.substr(at);
    const auto skip_to = [&](std::size_t from, std::string_view end) {
      const std::size_t found = text.find(end, at + from);
      return found == std::string_view::npos ? text.size() : found + end.size();
    };
    if (rest.starts_with("<!--")) {
      at = skip_to(4, "-->");
    } else if (rest.starts_with("<![CDATA[")) {
      at = skip_to(9, "]]>");
    } else if (rest.starts_with("<?")) {
      at = skip_to(2, "?>");
    } else if (rest.starts_with("<!")) {
      throw refuse(at, "a DTD, which FreeSWITCH's directory files have none of");
    } else {
      if (++tags > max_tags)
        throw refuse(at, "more than " + std::to_string(max_tags) + " tags in one file");
      std::size_t attributes = 0;
      char quote = 0;
      for (++at; at < text.size(); ++at) {
        const char c = text[at];
        if (quote) {
          if (c == quote) quote = 0;
        } else if (c == '"' || c == '\'') {
          quote = c;
        } else if (c == '=' && ++attributes > max_attributes_per_tag) {
          throw refuse(at, "more than " + std::to_string(max_attributes_per_tag) +
                               " attributes in one tag");
        } else if (c == '>') {
          break;
        }
      }
    }
  }
}

// The first error of the parse on this thread: libxml2 goes on after some errors (bytes that
// are not UTF-8), and the last one it reports is then a consequence ("premature end of data").
struct FirstError {
  bool set = false;
  int line = 0, column = 0;
  std::string message;
};
thread_local FirstError* first_error = nullptr;

void keep_first_error(void*, xmlError* error) {
  if (!first_error || first_error->set || !error || error->level < XML_ERR_ERROR) return;
  const std::string message = error->message ? error->message : "";
  // The first line: libxml2 goes on with the bytes in hex on a second one.
  *first_error = {true, error->line, error->int2, message.substr(0, message.find('\n'))};
}

void initialize_libxml2() {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); }); // before threads share it
}

} // namespace

Document::Document(xmlDoc* doc, std::string declaration)
    : m_doc(doc), m_declaration(std::move(declaration)) {}

Document::Document(Document&& other) noexcept
    : m_doc(std::exchange(other.m_doc, nullptr)), m_declaration(std::move(other.m_declaration)) {}

Document& Document::operator=(Document&& other) noexcept {
  if (this != &other) {
    if (m_doc) xmlFreeDoc(m_doc);
    m_doc = std::exchange(other.m_doc, nullptr);
    m_declaration = std::move(other.m_declaration);
  }
  return *this;
}

Document::~Document() {
  if (m_doc) xmlFreeDoc(m_doc);
}

void check_size(std::uintmax_t size, const std::string& name) {
  if (size > max_file_size)
    throw Error(ErrorKind::DataError, name + ": larger than the " +
                                          std::to_string(max_file_size >> 20) +
                                          " MiB sipcred reads of a FreeSWITCH file");
}

Document Document::parse(std::string_view content, const std::string& name) {
  check_size(content.size(), name);
  check_bounds(content, name);
  initialize_libxml2();
  std::unique_ptr<xmlParserCtxt, void (*)(xmlParserCtxtPtr)> context(xmlNewParserCtxt(),
                                                                     xmlFreeParserCtxt);
  if (!context) throw Error(ErrorKind::Internal, "libxml2 cannot make a parser");
  FirstError error;
  first_error = &error;
  context->sax->serror = keep_first_error;
  // No network, no entities substituted (there is no DTD anyway), errors kept rather than
  // printed; BIG_LINES: line numbers past 65535.
  xmlDoc* doc = xmlCtxtReadMemory(
      context.get(), content.data(), static_cast<int>(content.size()), name.c_str(), nullptr,
      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES);
  first_error = nullptr;
  if (!doc || !context->wellFormed) {
    if (doc) xmlFreeDoc(doc);
    const std::string message(trim_end(error.set ? error.message : "not well-formed", "\r\n"));
    Diagnostic diagnostic{
        "SC211", Severity::Error, static_cast<std::size_t>(std::max(error.line, 0)),
        static_cast<std::size_t>(std::max(error.column, 0)), "not well-formed XML: " + message};
    throw InvalidStoreData(name, {diagnostic},
                           name + ": not well-formed XML, which FreeSWITCH would not load");
  }
  std::string declaration;
  std::string_view start = content;
  if (start.starts_with("\xef\xbb\xbf")) start.remove_prefix(3); // a UTF-8 byte order mark
  if (start.starts_with("<?xml"))
    declaration = std::string(content.substr(0, content.find("?>") + 2)) + "\n";
  return Document(doc, std::move(declaration));
}

Document Document::new_directory() {
  initialize_libxml2();
  xmlDoc* doc = xmlNewDoc(x("1.0"));
  xmlNode* root = new_element(doc, "document", {{"type", "freeswitch/xml"}});
  xmlDocSetRootElement(doc, root);
  append_indented(root, new_element(doc, "section", {{"name", "directory"}}));
  return Document(doc, {});
}

Document Document::new_include() {
  initialize_libxml2();
  xmlDoc* doc = xmlNewDoc(x("1.0"));
  xmlDocSetRootElement(doc, new_element(doc, "include", {}));
  return Document(doc, {});
}

std::vector<User> Document::users(std::vector<Problem>* problems) const {
  std::vector<User> users;
  // From the document node (libxml2's xmlDoc begins as an xmlNode does): the root itself may
  // be the user, in a file holding a bare <user>.
  collect_users(reinterpret_cast<xmlNode*>(m_doc), "", users, problems);
  return users;
}

void Document::set_credentials(xmlNode* user, const std::optional<std::string>& password,
                               const std::optional<std::string>& a1_hash) {
  xmlNode* params = first_child(user, "params");
  if (!params) {
    if (!password && !a1_hash) return;
    params = new_element(m_doc, "params", {});
    // Before the user's other elements (variables, gateways), as FreeSWITCH's examples have it.
    xmlNode* first = nullptr;
    for (xmlNode* c = user->children; c && !first; c = c->next)
      if (c->type == XML_ELEMENT_NODE) first = c;
    if (first) {
      const std::string indent = indent_of(first);
      xmlAddPrevSibling(first, params);
      xmlAddPrevSibling(first, xmlNewDocText(m_doc, x(("\n" + indent).c_str())));
    } else {
      append_indented(user, params);
    }
  }
  const auto set = [&](const char* name, const std::optional<std::string>& value) {
    xmlNode* kept = nullptr;
    for (xmlNode* param = params->children; param;) {
      xmlNode* next = param->next;
      if (is_param(param, name)) {
        if (value && !kept) {
          xmlSetProp(param, x("value"), x(value->c_str()));
          kept = param;
        } else {
          remove_indented(param);
        }
      }
      param = next;
    }
    if (value && !kept)
      append_indented(params, new_element(m_doc, "param", {{"name", name}, {"value", *value}}));
  };
  set("password", password);
  set("a1-hash", a1_hash);
}

xmlNode* Document::add_user(const std::string& domain, const std::string& unnamed_domain,
                            const std::string& id) {
  xmlNode* root = xmlDocGetRootElement(m_doc);
  if (!root) throw Error(ErrorKind::Usage, "the file has no element to add a user to");
  std::vector<xmlNode*> domains, sections;
  const auto find = [&](auto&& self, xmlNode* parent) -> void {
    for (xmlNode* node = parent->children; node; node = node->next) {
      if (named(node, "domain")) {
        domains.push_back(node);
      } else if (named(node, "section")) {
        sections.push_back(node);
        self(self, node);
      } else if (named(node, "include") || named(node, "document")) {
        self(self, node);
      }
    }
  };
  find(find, reinterpret_cast<xmlNode*>(m_doc));
  const auto user = [&] { return new_element(m_doc, "user", {{"id", id}}); };
  for (xmlNode* node : domains) {
    std::string name = known_domain(attribute(node, "name"));
    if ((name.empty() ? unnamed_domain : name) != domain) continue;
    xmlNode* users = first_child(node, "users");
    if (!users) users = first_child(first_child(first_child(node, "groups"), "group"), "users");
    if (!users) users = append_indented(node, new_element(m_doc, "users", {}));
    return append_indented(users, user());
  }
  for (xmlNode* section : sections) {
    if (attribute(section, "name") != std::optional<std::string>("directory")) continue;
    xmlNode* made = append_indented(section, new_element(m_doc, "domain", {{"name", domain}}));
    return append_indented(append_indented(made, new_element(m_doc, "users", {})), user());
  }
  if (domains.empty() && !unnamed_domain.empty() && domain == unnamed_domain) {
    const std::vector<User> existing = users();
    return append_indented(existing.empty() ? root : existing.back().node->parent, user());
  }
  throw Error(ErrorKind::Usage, "the file has no <domain name=\"" + domain +
                                    "\"> nor a directory <section> to add " + id + "@" + domain +
                                    " to");
}

void Document::remove_user(xmlNode* user) { remove_indented(user); }

std::string Document::text() const {
  std::unique_ptr<xmlBuffer, void (*)(xmlBufferPtr)> buffer(xmlBufferCreate(), xmlBufferFree);
  // In the file's own encoding, else UTF-8 (without one, libxml2 writes character references
  // for every non-ASCII character); the declaration is the original's.
  const char* encoding = m_doc->encoding ? reinterpret_cast<const char*>(m_doc->encoding) : "UTF-8";
  xmlSaveCtxt* save = xmlSaveToBuffer(buffer.get(), encoding, XML_SAVE_NO_DECL);
  if (!save) throw Error(ErrorKind::Internal, std::string("libxml2 cannot write ") + encoding);
  const long written = xmlSaveDoc(save, m_doc);
  xmlSaveClose(save);
  if (written < 0) throw Error(ErrorKind::Internal, "libxml2 could not write the document");
  return m_declaration + std::string(reinterpret_cast<const char*>(xmlBufferContent(buffer.get())),
                                     static_cast<std::size_t>(xmlBufferLength(buffer.get())));
}

} // namespace sipcred::freeswitch
