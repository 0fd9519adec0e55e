#include "server_setup.hpp"

#include "counted.hpp"
#include "diagnostic_output.hpp"
#include "schema_option.hpp"

#include "sipcred/config/auth_config.hpp"
#include "sipcred/util/atomic_file.hpp"
#include "sipcred/util/error.hpp"

#include <iostream>

namespace sipcred::sim {

ServerSetup load_server_setup(const std::string& config_path, const std::string& store,
                              const std::string& schema, bool quiet) {
  ServerSetup setup;
  StoreOptions options;
  if (!config_path.empty()) {
    const AuthConfig config = read_auth_config(read_file(config_path));
    cli::print_diagnostics(std::cerr, config_path, config.diagnostics, quiet);
    if (const std::size_t errors = cli::count_errors(config.diagnostics))
      throw Error(ErrorKind::DataError,
                  config_path + ": " + cli::counted(errors, "error") +
                      " (Flexisip would refuse this config, or sipcred-sim cannot rehearse it)");
    setup.settings = config.settings;
    setup.from_config = true;
    options = config.store_options;
    // A fixed realm is the realm of the stored hashes: what Kamailio's and OpenSIPS' hash
    // columns are read as.
    if (config.settings.realm_regex.empty()) options.realm = config.settings.realm;
    if (store.empty()) {
      if (!config.store)
        throw Error(ErrorKind::DataError, config_path + ": names no store to read; give --store");
      setup.locator = *config.store;
    }
  }
  if (!store.empty()) setup.locator = parse_locator(store);
  if (!schema.empty()) {
    if (store.empty() || setup.locator.kind != StoreKind::Sql)
      throw Error(ErrorKind::Usage, "--schema names the tables of an SQL --store");
    options.schema = cli::schema_option(schema);
  }
  // The file backend's rule (lines outside auth-domains never loaded) follows the store used.
  setup.settings.file_backend = setup.locator.kind == StoreKind::Userdb;
  setup.store = open_store(setup.locator, options);
  if (setup.locator.kind != StoreKind::Sql) {
    std::size_t count = 0;
    try {
      setup.store->read([&](Account&&) { ++count; });
    } catch (const InvalidStoreData& invalid) { // run_tool prints its diagnostics
      throw InvalidStoreData(invalid.file(), invalid.diagnostics(),
                             invalid.file() + ": Flexisip would refuse this userdb; fix it first");
    }
    setup.accounts = count;
  }
  return setup;
}

std::string describe(const ServerSetup& setup) {
  const AuthSettings& s = setup.settings;
  if (!s.enabled) return "authentication disabled (enabled is not true): nobody is challenged";
  std::string text = s.realm_regex.empty() ? s.realm.empty() ? "realm from the From domain"
                                                             : "realm '" + s.realm + "'"
                                           : "realm from realm-regex '" + s.realm_regex + "'";
  text += ", algorithms ";
  for (std::size_t i = 0; i < s.algorithms.size(); ++i)
    text += (i ? "," : "") + algorithm_name(s.algorithms[i]);
  text += s.disable_qop_auth ? ", no qop" : ", qop auth";
  if (s.no_403) text += ", no-403";
  if (s.auth_domains) {
    text += ", auth-domains";
    for (const std::string& domain : *s.auth_domains) text += " " + domain;
    if (s.auth_domains->empty()) text += " (none)";
  }
  text += ", store " + setup.locator.display();
  if (setup.accounts) text += " (" + std::to_string(*setup.accounts) + " accounts)";
  return text;
}

} // namespace sipcred::sim
