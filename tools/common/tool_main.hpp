#pragma once
// The one place where a tool turns failures into messages and exit codes.

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <string_view>

namespace sipcred::cli {

// "sipcred-hash 0.1.0 (libsipcred 0.1.0)"
std::string version_text(std::string_view tool);

// Runs `body` and returns its exit code, or 74 when any byte of standard output could not be
// written (checked after the body, help and --version included, and at its close). A
// sipcred::Error is printed as "TOOL: message" and
// mapped to its exit code; a command-line error prints CLI11's message and gives 2 (help and
// --version give 0); anything else is an internal error (70).
int run_tool(std::string_view tool, const std::function<int()>& body);

// Parses the command line; throws what run_tool turns into exit codes.
void parse(CLI::App& app, int argc, char** argv);

// The options every tool has: --version and -q/--quiet.
void add_common_options(CLI::App& app, std::string_view tool, bool& quiet);

} // namespace sipcred::cli
