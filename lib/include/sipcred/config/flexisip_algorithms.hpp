#pragma once
// The digest algorithms Flexisip's authentication module can offer (available-algorithms,
// shared/reference/flexisip-auth.md): what sipcred-lint checks, what a rehearsal or
// `sipcred-sim serve` challenges with.

#include "sipcred/digest/digest.hpp"
#include "sipcred/export.hpp"

#include <optional>
#include <string_view>
#include <vector>

namespace sipcred::config {

// MD5 and SHA-256, in their plain forms: no -sess, no SHA-512-256.
SIPCRED_EXPORT bool flexisip_offers(Algorithm algorithm);

// The algorithm of an available-algorithms item, exactly "MD5" or "SHA-256" (case matters);
// nullopt for any other item, which Flexisip refuses to start with.
SIPCRED_EXPORT std::optional<Algorithm> parse_flexisip_algorithm(std::string_view item);

// What Flexisip challenges with for an available-algorithms value, in order: the items it
// knows, a repeat of the item before dropped (list::unique), both MD5 and SHA-256 for an empty
// list. (Left unset, it offers MD5 only: AuthSettings' default.)
SIPCRED_EXPORT std::vector<Algorithm> flexisip_available_algorithms(std::string_view value);

} // namespace sipcred::config
