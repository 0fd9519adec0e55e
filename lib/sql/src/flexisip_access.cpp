#include "flexisip_access.hpp"

namespace sipcred {

std::unique_ptr<SchemaAccess> make_flexisip_access(soci::session& session, Dialect dialect,
                                                   const StoreOptions& options) {
  return std::make_unique<FlexisipAccess>(session, dialect, options);
}

} // namespace sipcred
