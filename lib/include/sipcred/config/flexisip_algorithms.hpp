#pragma once
// The digest algorithms Flexisip's authentication module can offer (available-algorithms,
// shared/reference/flexisip-auth.md): what sipcred-lint checks, what a rehearsal or
// `sipcred-sim serve` challenges with.

#include "sipcred/account/account.hpp"
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

// What any Flexisip store keeps of an account: an MD5 and a SHA-256 HA1 of the digest username,
// or the clear text instead (which Flexisip hashes itself, of the user, at the account's own
// domain), and a phone. Hashes are for `realm` ("" : each account's domain). Each store adds
// what its own place holds (a user-id in a userdb line, a column's width in SQL).
SIPCRED_EXPORT CredentialNeeds flexisip_credential_needs(std::string realm);

} // namespace sipcred::config
