#include "common_options.hpp"

#include "sipcred/version.hpp"

namespace sipcred::cli {

std::string version_text(std::string_view tool) {
  return std::string(tool) + " " SIPCRED_VERSION " (libsipcred " +
         std::string(library_version()) + ")";
}

void add_common_options(CLI::App& app, std::string_view tool, bool& quiet) {
  app.set_version_flag("--version", version_text(tool), "Print the version and exit");
  app.add_flag("-q,--quiet", quiet, "Print nothing on stderr but errors");
}

} // namespace sipcred::cli
