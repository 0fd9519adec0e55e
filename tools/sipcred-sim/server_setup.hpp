#pragma once
// What exchange, serve and verify authenticate with: the settings and the store of a
// flexisip.conf (read_auth_config, the one mapping), or a store named on the command line, or
// both (the store given overrides the config's).

#include "sipcred/sip/registrar.hpp"
#include "sipcred/store/store.hpp"

#include <memory>
#include <string>

namespace sipcred::sim {

struct ServerSetup {
  AuthSettings settings;
  bool from_config = false;
  Locator locator;
  std::unique_ptr<Store> store;
  std::optional<std::size_t> accounts; // how many a file store holds (it was read through)
};

// Prints the config's diagnostics as FILE:LINE:COL (errors only with `quiet`) and throws
// Error(DataError) when Flexisip would refuse the config or sipcred-sim cannot rehearse it.
// A file store is read through once, so that a userdb Flexisip would refuse is reported here
// (its FILE:LINE:COL diagnostics printed, Error(DataError)), before any exchange.
// `schema` is the SQL schema of `store` (--schema; empty: Flexisip's).
ServerSetup load_server_setup(const std::string& config_path, const std::string& store,
                              const std::string& schema, bool quiet);

// One line on what the setup does: "realm from the From domain, MD5,SHA-256, qop auth, ...".
std::string describe(const ServerSetup& setup);

} // namespace sipcred::sim
