#include "tool_main.hpp"

#include "sipcred/error.hpp"

#include <iostream>

#include <sys/prctl.h>

namespace sipcred::cli {
namespace {

// Carries CLI11's own exit (help, --version, or a parse error) up to run_tool.
struct CommandLineExit {
  int code;
};

} // namespace

std::string version_text(std::string_view tool) { return std::string(tool) + " " SIPCRED_VERSION; }

void parse(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int shown = app.exit(error); // prints help, version, or the error and a hint
    throw CommandLineExit{shown == 0 ? 0 : 2};
  }
}

void add_common_options(CLI::App& app, std::string_view tool, bool& quiet) {
  app.set_version_flag("--version", version_text(tool), "Print the version and exit");
  app.add_flag("-q,--quiet", quiet, "Print nothing on stderr but errors");
}

int run_tool(std::string_view tool, const std::function<int()>& body) {
  // A core dump would carry the passwords and hashes in memory to whoever reads core files; no
  // tool needs one. (It also keeps other users' debuggers out, as for ssh-agent.)
  ::prctl(PR_SET_DUMPABLE, 0);
  try {
    const int code = body();
    // Data that did not reach its reader is a failure, whatever the tool printed.
    std::cout.flush();
    if (!std::cout) throw Error(ErrorKind::Io, "cannot write to standard output");
    return code;
  } catch (const CommandLineExit& exit) {
    return exit.code;
  } catch (const Error& error) {
    std::cerr << tool << ": " << error.what() << '\n';
    return exit_code(error.kind());
  } catch (const std::exception& error) {
    std::cerr << tool << ": internal error: " << error.what() << '\n';
    return exit_code(ErrorKind::Internal);
  }
}

} // namespace sipcred::cli
