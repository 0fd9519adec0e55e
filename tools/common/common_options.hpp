#pragma once
// The options every tool that links libsipcred has.

#include <CLI/CLI.hpp>

#include <string>
#include <string_view>

namespace sipcred::cli {

// "sipcred-hash 0.1.0 (libsipcred 0.1.0)": the tool's version, and the library's it runs with.
std::string version_text(std::string_view tool);

// --version and -q/--quiet.
void add_common_options(CLI::App& app, std::string_view tool, bool& quiet);

} // namespace sipcred::cli
