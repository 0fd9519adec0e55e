#include "sipcred/util/diagnostic.hpp"

namespace sipcred {

std::string_view severity_name(Severity severity) {
  switch (severity) {
  case Severity::Error: return "error";
  case Severity::Warning: return "warning";
  case Severity::Note: return "note";
  }
  return "error";
}

} // namespace sipcred
