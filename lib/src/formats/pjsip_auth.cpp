#include "sipcred/formats/pjsip_auth.hpp"

#include "sipcred/digest/digest.hpp"

#include "util/text.hpp"

#include <array>

namespace sipcred::formats {
namespace {

// What ast_strip removes: the whitespace of isspace() at both ends.
std::string_view strip(std::string_view text) {
  constexpr std::string_view space = " \t\r\n\v\f";
  const auto first = text.find_first_not_of(space);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(space) - first + 1);
}

// The items of a comma-separated value, each stripped, empty ones left out (ast_strsep).
std::vector<std::string_view> items(std::string_view value) {
  std::vector<std::string_view> out;
  while (true) {
    const auto comma = value.find(',');
    if (std::string_view item = strip(value.substr(0, comma)); !item.empty()) out.push_back(item);
    if (comma == std::string_view::npos) return out;
    value.remove_prefix(comma + 1);
  }
}

// An IANA name of the algorithms res_pjsip supports (any case), or nullopt.
std::optional<HashFunction> iana_hash(std::string_view name) {
  const auto algorithm = parse_algorithm(name);
  if (!algorithm || algorithm->session) return std::nullopt;
  return algorithm->hash;
}

std::size_t slot(HashFunction hash) { return static_cast<std::size_t>(hash); }

} // namespace

PjsipAuthLoad load_pjsip_auth(const PjsipAuth& auth) {
  PjsipAuthLoad load;
  const std::string type = ascii_lowercase(strip(auth.auth_type));
  if (!type.empty() && type != "userpass" && type != "md5" && type != "digest" &&
      type != "google_oauth") {
    load.problem = "unknown auth_type '" + type + "'";
    return load;
  }
  if (auth.username.empty()) {
    load.problem = "no username";
    return load;
  }
  if (type == "google_oauth") return load; // its credentials are OAuth tokens, not digests

  // One digest per algorithm: md5_cred is an MD5 password_digest without its prefix.
  std::array<std::optional<std::string>, std::size(all_hash_functions)> digests;
  std::vector<std::string> values;
  if (!auth.md5_cred.empty()) values.push_back(auth.md5_cred);
  values.insert(values.end(), auth.password_digests.begin(), auth.password_digests.end());
  for (const std::string& value : values) {
    for (std::string_view item : items(value)) {
      std::string_view name = "MD5";
      if (const auto colon = item.find(':'); colon != std::string_view::npos) {
        name = strip(item.substr(0, colon));
        item.remove_prefix(colon + 1);
      }
      const auto hash = iana_hash(name);
      if (!hash) {
        load.problem = "unknown password_digest algorithm '" + std::string(name) + "'";
        return load;
      }
      if (item.size() != hex_length(*hash)) {
        load.problem = "a password_digest of " + std::string(hash_name(*hash)) + " has " +
                       std::to_string(item.size()) + " digits instead of " +
                       std::to_string(hex_length(*hash));
        return load;
      }
      digests[slot(*hash)] = ascii_lowercase(item);
    }
  }

  for (const auto& [list, which] : {std::pair{&auth.supported_algorithms_uas, "uas"},
                                    std::pair{&auth.supported_algorithms_uac, "uac"}}) {
    std::vector<std::string_view> names = items(*list);
    if (names.empty()) names = {"MD5"}; // default_auth_algorithms_uas/uac
    for (std::string_view name : names) {
      const auto hash = iana_hash(name);
      if (!hash) {
        load.problem =
            "unknown algorithm '" + std::string(name) + "' in supported_algorithms_" + which;
        return load;
      }
      if (auth.password.empty() && !digests[slot(*hash)]) {
        load.problem = "supported_algorithms_" + std::string(which) + " lists " +
                       std::string(hash_name(*hash)) +
                       ", for which it has neither a password nor a password_digest";
        return load;
      }
    }
  }

  Account account;
  account.user = auth.username;
  account.domain = auth.realm.empty() ? std::string(pjsip_default_realm) : auth.realm;
  if (!auth.password.empty()) account.credentials.push_back({std::nullopt, auth.password, ""});
  for (HashFunction hash : all_hash_functions)
    if (const auto& digest = digests[slot(hash)])
      account.credentials.push_back({hash, *digest, account.domain});
  load.account = std::move(account);
  return load;
}

PjsipAuth pjsip_auth_of(const Account& account, std::string_view realm) {
  PjsipAuth auth;
  auth.username = account.digest_username();
  auth.realm = realm;
  std::string algorithms;
  for (const Credential& credential : account.credentials) {
    if (credential.is_clear_text()) {
      auth.password = credential.value;
    } else {
      const std::string name(hash_name(*credential.hash));
      auth.password_digests.push_back(name + ":" + credential.value);
      algorithms += (algorithms.empty() ? "" : ",") + name;
    }
  }
  if (!account.clear_text() && !account.hash_for(HashFunction::Md5, realm)) {
    auth.supported_algorithms_uas = algorithms;
    auth.supported_algorithms_uac = algorithms;
  }
  return auth;
}

CredentialNeeds pjsip_credential_needs(std::string realm) {
  CredentialNeeds needs;
  needs.clear_text_replaces_hashes = true; // Asterisk derives every digest from password=
  needs.hashes = {HashFunction::Md5, HashFunction::Sha256, HashFunction::Sha512_256};
  needs.realm = std::move(realm);
  return needs;
}

} // namespace sipcred::formats
