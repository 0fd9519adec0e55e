#include "common_options.hpp"

#include "diagnostic_output.hpp"
#include "tool_main.hpp"

#include "sipcred/store/store.hpp"
#include "sipcred/version.hpp"

namespace sipcred::cli {
namespace {

bool quiet_given = false; // -q, for run_tool, which runs after the tool's options are gone

// Every problem of store data that its server would refuse, where it is; with -q, errors only.
void print_store_diagnostics(std::ostream& out, const Error& error) {
  if (const auto* invalid = dynamic_cast<const InvalidStoreData*>(&error))
    print_diagnostics(out, invalid->file(), invalid->diagnostics(), quiet_given);
}

} // namespace

std::string version_text(std::string_view tool) {
  return std::string(tool) + " " SIPCRED_VERSION " (libsipcred " + std::string(library_version()) +
         ")";
}

void add_common_options(CLI::App& app, std::string_view tool, bool& quiet) {
  app.set_version_flag("--version", version_text(tool), "Print the version and exit");
  app.add_flag_callback(
      "-q,--quiet",
      [&quiet] {
        quiet = true;
        quiet_given = true;
      },
      "Print nothing on stderr but errors");
  set_error_details(print_store_diagnostics);
}

} // namespace sipcred::cli
