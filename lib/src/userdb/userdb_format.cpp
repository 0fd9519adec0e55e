// Auth lines written by sipcred: what Flexisip's grammar reads back as the same fields.
#include "sipcred/userdb/userdb.hpp"

#include "sipcred/util/error.hpp"
#include "userdb/userdb_tokens.hpp"

namespace sipcred::userdb {

namespace {

void require_token(std::string_view value, std::string_view what) {
  if (!is_token(value))
    throw Error(ErrorKind::DataError, std::string(what) +
                                          (value.empty() ? " is empty" : " contains a character") +
                                          ": a userdb " + std::string(what) + " is made of " +
                                          std::string(token_alphabet));
}

} // namespace

std::string format_auth_line(const EntrySpec& spec) {
  if (!spec.user.empty()) require_token(spec.user, "user");
  require_token(spec.domain, "domain");
  if (spec.credentials.empty())
    throw Error(ErrorKind::DataError, "a userdb entry needs at least one credential");
  std::string line = spec.user.empty() ? spec.domain : spec.user + "@" + spec.domain;
  for (const auto& [type, value] : spec.credentials) {
    require_token(value, type == CredentialType::ClearText ? "password" : "hash");
    line.append(" ").append(type_name(type)).append(":").append(value);
  }
  line += " ;";
  if (!spec.user_id.empty()) {
    require_token(spec.user_id, "user-id");
    line.append(" ").append(spec.user_id);
  }
  if (!spec.phone.empty()) {
    if (spec.user_id.empty())
      throw Error(ErrorKind::DataError,
                  "a phone needs a user-id: the first token after ';' is the user-id");
    require_token(spec.phone, "phone");
    line.append(" ").append(spec.phone);
  }
  return line;
}

} // namespace sipcred::userdb
