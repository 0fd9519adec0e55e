#pragma once
// The one place where a tool turns failures into messages and exit codes. It uses nothing of
// libsipcred but its inline error.hpp: the umbrella `sipcred`, which links no library, runs on it.

#include "sipcred/util/error.hpp"

#include <CLI/CLI.hpp>

#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace sipcred::cli {

// Runs `body` and returns its exit code, or 74 when any byte of standard output could not be
// written (checked after the body, help and --version included, and at its close). A
// sipcred::Error is printed as "TOOL: message" and
// mapped to its exit code; a command-line error prints CLI11's message and gives 2 (help and
// --version give 0); anything else is an internal error (70).
int run_tool(std::string_view tool, const std::function<int()>& body);

// What run_tool prints of an error beyond its message, before "TOOL: message": the FILE:LINE:COL
// diagnostics of store data (InvalidStoreData). add_common_options sets it for the tools that
// link libsipcred; the umbrella, which links no library, has none.
using ErrorDetails = void (*)(std::ostream& out, const Error& error);
void set_error_details(ErrorDetails details);

// The name among `names` that `word` is most likely a misspelling or a prefix of, if one is
// close enough to suggest ("did you mean 'list'?").
std::optional<std::string> most_similar(std::string_view word,
                                        const std::vector<std::string_view>& names);

// Parses the command line; throws what run_tool turns into exit codes. A tool with
// subcommands given a word that is none of them says so, and which one was meant.
void parse(CLI::App& app, int argc, char** argv);

} // namespace sipcred::cli
