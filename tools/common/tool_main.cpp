#include "tool_main.hpp"

#include "sipcred/error.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

namespace sipcred::cli {
namespace {

// Carries CLI11's own exit (help, --version, or a parse error) up to run_tool.
struct CommandLineExit {
  int code;
};

// Everything the tool printed on standard output, through std::cout or stdio, reached the
// file: flushed, no write error on the way, and closed without one (a full disk, or a file
// system that reports write errors at close, says so only there). The close happens once, at
// the end of the tool, so nothing is printed on stdout after it.
void finish_standard_output() {
  errno = 0;
  std::cout.flush(); // the stdio buffer underneath, too (std::cout is synchronised with stdio)
  bool failed = !std::cout || std::ferror(stdout);
  int reason = failed ? errno : 0;
  errno = 0;
  if (std::fflush(stdout) != 0) {
    failed = true;
    reason = reason != 0 ? reason : errno;
  }
  errno = 0;
  // EBADF: stdout was closed (`>&-`) and nothing was printed, or the write already failed.
  if (std::fclose(stdout) != 0 && errno != EBADF) {
    failed = true;
    reason = reason != 0 ? reason : errno;
  }
  if (failed)
    throw Error(ErrorKind::Io, std::string("cannot write to standard output") +
                                   (reason != 0 ? std::string(": ") + std::strerror(reason) : ""));
}

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
  try {
    int code = 0;
    try {
      code = body();
    } catch (const CommandLineExit& exit) {
      if (exit.code != 0) return exit.code;
      // --help and --version print on stdout: checked as any other output.
    }
    // Data that did not reach its reader is a failure, whatever the answer was.
    finish_standard_output();
    return code;
  } catch (const Error& error) {
    std::cerr << tool << ": " << error.what() << '\n';
    return exit_code(error.kind());
  } catch (const std::exception& error) {
    std::cerr << tool << ": internal error: " << error.what() << '\n';
    return exit_code(ErrorKind::Internal);
  }
}

} // namespace sipcred::cli
