#pragma once
// flexisip.conf's [module::Authentication] as the settings of a Registrar and the store it
// reads: the one mapping that `sipcred-sim exchange`, `serve --config` and `verify --config`
// share. Reading never throws for bad data: what Flexisip would refuse at startup (the rules of
// lint_flexisip_config), and what sipcred-sim cannot rehearse faithfully (code SIM), are
// Diagnostics of severity Error with the line and column of the setting.

#include "sipcred/config/flexisip_config.hpp"
#include "sipcred/export.hpp"
#include "sipcred/sip/registrar.hpp"
#include "sipcred/store/store.hpp"
#include "sipcred/util/diagnostic.hpp"

#include <optional>
#include <string_view>
#include <vector>

namespace sipcred {

struct SIPCRED_EXPORT AuthConfig {
  AuthSettings settings;
  // The store the config names: file-path (or its old name datasource) with
  // db-implementation=file, the soci-backend and soci-connection-string with soci. nullopt
  // when it names none (an error diagnostic says why).
  std::optional<Locator> store;
  StoreOptions store_options; // schema flexisip, soci-password-request
  std::vector<Diagnostic> diagnostics;
};

SIPCRED_EXPORT AuthConfig read_auth_config(const config::FlexisipConfig& config,
                                           std::vector<Diagnostic> diagnostics = {});
// Reads and maps the text of a flexisip.conf.
SIPCRED_EXPORT AuthConfig read_auth_config(std::string_view content);

// A flexisip.conf duration (`[0-9]+(ms|s|min|h|d|m|y)?`, seconds when no unit) in seconds;
// nullopt when it is not one, or when it does not fit in 64-bit seconds.
SIPCRED_EXPORT std::optional<std::chrono::seconds> parse_config_duration(std::string_view text);

} // namespace sipcred
