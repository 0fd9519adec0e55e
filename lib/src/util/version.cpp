#include "sipcred/version.hpp"

namespace sipcred {

std::string_view library_version() noexcept { return SIPCRED_VERSION_STRING; }

} // namespace sipcred
