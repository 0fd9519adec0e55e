#include "tool_main.hpp"

#include "sipcred/util/error.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include <sys/prctl.h>

namespace sipcred::cli {
namespace {

ErrorDetails error_details = nullptr;

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

// Levenshtein distance, a swap of two neighbours counting as one edit ("lsit" is one from
// "list"), as git weighs its suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min(
          {d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

// A subcommand was required and the first word is none: name it, with the one meant.
bool report_unknown_subcommand(const CLI::App& app, int argc, char** argv) {
  const auto subcommands = app.get_subcommands([](const CLI::App*) { return true; });
  if (subcommands.empty() || !app.get_subcommands().empty()) return false;
  std::string_view word;
  for (int i = 1; i < argc && word.empty(); ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") break;
    if (!arg.starts_with('-')) word = arg;
  }
  if (word.empty()) return false;
  std::vector<std::string_view> names;
  for (const CLI::App* sub : subcommands) {
    if (sub->get_name() == word) return false; // its own options were wrong: CLI11 says how
    names.push_back(sub->get_name());
  }
  const std::string tool = app.get_name();
  std::cerr << tool << ": '" << word << "' is not a " << tool << " command";
  if (const auto meant = most_similar(word, names))
    std::cerr << "; did you mean '" << *meant << "'?";
  std::cerr << " (see '" << tool << " --help')\n";
  return true;
}

} // namespace

std::optional<std::string> most_similar(std::string_view word,
                                        const std::vector<std::string_view>& names) {
  // Farther than this, a suggestion is a guess (git's threshold is of the same order).
  const std::size_t most = std::max<std::size_t>(1, std::min<std::size_t>(2, word.size() / 2));
  std::optional<std::string> best;
  std::size_t best_distance = most + 1;
  for (std::string_view name : names) {
    const std::size_t distance = edit_distance(word, name);
    if (distance < best_distance) {
      best_distance = distance;
      best = std::string(name);
    }
  }
  return best;
}

void set_error_details(ErrorDetails details) { error_details = details; }

void parse(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() != 0 && report_unknown_subcommand(app, argc, argv))
      throw CommandLineExit{2};
    const int shown = app.exit(error); // prints help, version, or the error and a hint
    throw CommandLineExit{shown == 0 ? 0 : 2};
  }
}

int run_tool(std::string_view tool, const std::function<int()>& body) {
  // A core dump would carry the passwords and hashes in memory to whoever reads core files; no
  // tool needs one. (It also keeps other users' debuggers out, as for ssh-agent.)
  ::prctl(PR_SET_DUMPABLE, 0);
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
    if (error_details) error_details(std::cerr, error);
    std::cerr << tool << ": " << error.what() << '\n';
    return exit_code(error.kind());
  } catch (const std::exception& error) {
    std::cerr << tool << ": internal error: " << error.what() << '\n';
    return exit_code(ErrorKind::Internal);
  }
}

} // namespace sipcred::cli
