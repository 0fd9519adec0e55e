#include "sipcred/config/flexisip_algorithms.hpp"

#include <utility>

#include "sipcred/config/flexisip_config.hpp"

namespace sipcred::config {

namespace {

constexpr Algorithm md5{HashFunction::Md5, false};
constexpr Algorithm sha256{HashFunction::Sha256, false};

} // namespace

bool flexisip_offers(Algorithm algorithm) { return algorithm == md5 || algorithm == sha256; }

std::optional<Algorithm> parse_flexisip_algorithm(std::string_view item) {
  if (item == "MD5") return md5;
  if (item == "SHA-256") return sha256;
  return std::nullopt;
}

std::vector<Algorithm> flexisip_available_algorithms(std::string_view value) {
  const std::vector<std::string> items = split_list(value);
  if (items.empty()) return {md5, sha256};
  std::vector<Algorithm> algorithms;
  for (const std::string& item : items)
    if (const auto algorithm = parse_flexisip_algorithm(item))
      if (algorithms.empty() || algorithms.back() != *algorithm) algorithms.push_back(*algorithm);
  return algorithms;
}

CredentialNeeds flexisip_credential_needs(std::string realm) {
  CredentialNeeds needs;
  needs.clear_text_only_at_domain = true;
  needs.clear_text_hashes_user = true;
  needs.clear_text_replaces_hashes = true;
  needs.hashes = {HashFunction::Md5, HashFunction::Sha256};
  needs.realm = std::move(realm);
  needs.keeps_phone = true;
  return needs;
}

} // namespace sipcred::config
