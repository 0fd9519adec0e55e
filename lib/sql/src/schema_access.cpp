#include "schema_access.hpp"

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

std::unique_ptr<SchemaAccess> make_access(soci::session& session, Dialect dialect,
                                          const StoreOptions& options) {
  switch (options.schema) {
  case Schema::Flexisip: return make_flexisip_access(session, dialect, options);
  case Schema::Kamailio: return make_subscriber_access(session, dialect, options, false);
  case Schema::Opensips: return make_subscriber_access(session, dialect, options, true);
  }
  return nullptr;
}

} // namespace sipcred
