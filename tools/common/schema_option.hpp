#pragma once
// The --schema values of the tools that open SQL stores.

#include "sipcred/store/store.hpp"

#include <string>

namespace sipcred::cli {

// The schema a --schema value names; Flexisip's when empty. Error(Usage) for an unknown name.
Schema schema_option(const std::string& name);

} // namespace sipcred::cli
