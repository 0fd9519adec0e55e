#pragma once
// Where libsipcred was loaded from: libsipcred-sql is looked for beside it, and the SQL
// modules in its sipcred/ subfolder, as installed and as built.

#include "sipcred/export.hpp"

#include <filesystem>

namespace sipcred {

// The folder of libsipcred as the dynamic loader found it; empty if it cannot tell.
SIPCRED_EXPORT std::filesystem::path library_folder();

} // namespace sipcred
