#include "schema_access.hpp"

#include "table_columns.hpp"

namespace sipcred {

const Credential* hash_of(const Account& account, HashFunction hash) {
  for (const auto& credential : account.credentials) {
    if (credential.hash == hash) {
      return &credential;
    }
  }
  return nullptr;
}

std::string hash_value(const Account& account, HashFunction hash) {
  const Credential* credential = hash_of(account, hash);
  return credential ? credential->value : std::string();
}

std::string clear_value(const Account& account) {
  const Credential* clear = account.clear_text();
  return clear ? clear->value : std::string();
}

HashFunction hash_by_length(const std::string& hex, HashFunction configured) {
  if (hex.size() == 32) {
    return HashFunction::Md5;
  }
  return configured == HashFunction::Md5 ? HashFunction::Sha256 : configured;
}

namespace {

// The length of the UTF-8 sequence at text[i], or 0 when it is not one (overlong forms,
// surrogates and code points above U+10FFFF included), as PostgreSQL and MySQL check text.
std::size_t utf8_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t at) { return static_cast<unsigned char>(text[at]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  const std::size_t length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc2 ? 2 : 0;
  if (length == 0 || lead > 0xf4 || i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k)
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
  const unsigned char second = byte(i + 1);
  if ((lead == 0xe0 && second < 0xa0) || (lead == 0xed && second > 0x9f) ||
      (lead == 0xf0 && second < 0x90) || (lead == 0xf4 && second > 0x8f))
    return 0;
  return length;
}

// "" when `value` fits a VARCHAR(width) column of PostgreSQL or MySQL (width 0: any length).
std::string text_refusal(std::string_view what, std::string_view value, std::size_t width) {
  std::size_t characters = 0;
  for (std::size_t i = 0; i < value.size(); ++characters) {
    if (value[i] == '\0')
      return std::string(what) + " holds a NUL byte, which the database cannot store";
    const std::size_t length = utf8_length(value, i);
    if (length == 0)
      return std::string(what) + " is not UTF-8, the encoding of the database's text";
    i += length;
  }
  if (width > 0 && characters > width)
    return std::string(what) + " is longer than the " + std::to_string(width) +
           " characters its column holds";
  return {};
}

} // namespace

std::string SchemaAccess::refusal(const Account& account) const {
  if (m_dialect != Dialect::Sqlite) {
    constexpr std::size_t name_width = 64; // username, domain, phone: VARCHAR(64) everywhere
    std::string refused = text_refusal("the user", account.user, name_width);
    if (refused.empty()) refused = text_refusal("the domain", account.domain, name_width);
    if (refused.empty()) refused = text_refusal("the phone", account.phone, name_width);
    // The clear text's width is the schema's (CredentialNeeds::clear_text_max_length).
    const Credential* clear = account.clear_text();
    if (refused.empty() && clear)
      refused = text_refusal("the clear-text password", clear->value, 0);
    if (!refused.empty()) return refused;
  }
  return schema_refusal(account);
}

bool SchemaAccess::has_column(std::string_view table, std::string_view column) const {
  for (const TableColumn& found : table_columns(m_session, m_dialect, table))
    if (found.name == column) return true;
  return false;
}

std::unique_ptr<SchemaAccess> make_access(soci::session& session, Dialect dialect,
                                          const StoreOptions& options) {
  switch (options.schema) {
  case Schema::Flexisip: return make_flexisip_access(session, dialect, options);
  case Schema::Flexiapi: return make_flexiapi_access(session, dialect, options);
  case Schema::Kamailio: return make_subscriber_access(session, dialect, options, false);
  case Schema::Opensips: return make_subscriber_access(session, dialect, options, true);
  case Schema::Asterisk: return make_asterisk_access(session, dialect, options);
  }
  return nullptr;
}

} // namespace sipcred
