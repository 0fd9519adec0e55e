#include "schema_option.hpp"

#include "sipcred/util/error.hpp"

namespace sipcred::cli {

Schema schema_option(const std::string& name) {
  if (name.empty()) return Schema::Flexisip;
  if (auto schema = parse_schema(name)) return *schema;
  throw Error(ErrorKind::Usage, "unknown schema \"" + name + "\": expected " + schema_names());
}

} // namespace sipcred::cli
