// sipcred: the umbrella command. `sipcred TOOL ARGS...` runs `sipcred-TOOL ARGS...`, found
// beside this executable first, then on PATH (as git runs its subcommands).

#include "tool_main.hpp"

#include "sipcred/util/error.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string_view>
#include <vector>

#include <unistd.h>

namespace {

namespace fs = std::filesystem;

struct Tool {
  std::string_view name;
  std::string_view description;
};

// The whole suite; `sipcred --help` lists those that are installed.
constexpr Tool tools[] = {
    {"user", "add, rotate, remove, list and check the users of a Flexisip userdb file"},
    {"hash", "print the A1 hashes (HA1) of a user, realm and password"},
    {"convert", "turn clear-text passwords into MD5 / SHA-256 hashes"},
    {"migrate", "move users between userdb files and SQL databases"},
    {"lint", "check an authentication configuration and its users"},
    {"sim", "rehearse a digest challenge/response, offline or with a live server"},
};

fs::path own_directory() {
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  return error ? fs::path() : self.parent_path();
}

bool is_executable(const fs::path& path) {
  return ::access(path.c_str(), X_OK) == 0 && !fs::is_directory(path);
}

// sipcred-NAME beside this executable, else the first one on PATH.
std::optional<fs::path> find_tool(std::string_view name) {
  const std::string file = "sipcred-" + std::string(name);
  if (const fs::path dir = own_directory(); !dir.empty() && is_executable(dir / file))
    return dir / file;
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "";
  while (!dirs.empty()) {
    const std::size_t colon = dirs.find(':');
    const std::string_view dir = dirs.substr(0, colon);
    if (!dir.empty() && is_executable(fs::path(dir) / file)) return fs::path(dir) / file;
    dirs = colon == std::string_view::npos ? std::string_view() : dirs.substr(colon + 1);
  }
  return std::nullopt;
}

int print_help() {
  std::cout << "usage: sipcred [-q] TOOL [ARGS...]  (runs sipcred-TOOL [-q] ARGS...)\n"
               "       sipcred help TOOL            (sipcred-TOOL --help)\n"
               "       sipcred --version\n\n"
               "Installed tools:\n";
  bool any = false;
  for (const Tool& tool : tools) {
    if (!find_tool(tool.name)) continue;
    any = true;
    std::cout << "  " << tool.name << std::string(10 - tool.name.size(), ' ') << tool.description
              << '\n';
  }
  if (!any) std::cout << "  (none found beside sipcred or on PATH)\n";
  std::cout << "\nSee sipcred(1) and sipcred-TOOL(1).\n";
  return sipcred::exit_success;
}

std::string not_a_tool(std::string_view name) {
  std::vector<std::string_view> names;
  for (const Tool& tool : tools) names.push_back(tool.name);
  std::string message = "'" + std::string(name) + "' is not a sipcred tool";
  if (const auto meant = sipcred::cli::most_similar(name, names))
    message += "; did you mean '" + *meant + "'?";
  return message + " (see 'sipcred --help')";
}

// Replaces this process with the tool, so its exit status and signals are the caller's.
int run(std::string_view name, std::vector<std::string> args) {
  // A name with a '/' could reach outside the sipcred-* programs: never look it up.
  const std::optional<fs::path> tool =
      name.empty() || name.find('/') != std::string_view::npos ? std::nullopt : find_tool(name);
  if (!tool) throw sipcred::Error(sipcred::ErrorKind::Usage, not_a_tool(name));
  std::vector<char*> argv;
  std::string argv0 = "sipcred-" + std::string(name);
  argv.push_back(argv0.data());
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  ::execv(tool->c_str(), argv.data());
  throw sipcred::Error(sipcred::ErrorKind::Internal,
                       tool->string() + ": cannot run: " + std::strerror(errno));
}

int dispatch(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  // -q is the one option of every tool besides --help and --version: `sipcred -q TOOL ARGS`
  // runs `sipcred-TOOL -q ARGS`.
  std::vector<std::string> passed;
  while (!args.empty() && (args[0] == "-q" || args[0] == "--quiet")) {
    passed.push_back(args[0]);
    args.erase(args.begin());
  }
  if (!passed.empty() && (args.empty() || args[0].starts_with("-")))
    throw sipcred::Error(sipcred::ErrorKind::Usage,
                         passed[0] + " is passed to a tool: give one after it, as in 'sipcred " +
                             passed[0] + " TOOL ARGS...'; see 'sipcred --help'");
  if (args.empty() || args[0] == "--help" || args[0] == "-h" ||
      (args[0] == "help" && args.size() == 1))
    return print_help();
  if (args[0] == "--version") {
    std::cout << "sipcred " SIPCRED_VERSION "\n"; // it links no library to name
    return sipcred::exit_success;
  }
  if (args[0] == "help") return run(args[1], {"--help"});
  if (args[0].starts_with("-"))
    throw sipcred::Error(sipcred::ErrorKind::Usage,
                         "'" + args[0] +
                             "' is not an option of sipcred: options go after the "
                             "tool name: sipcred TOOL " +
                             args[0] +
                             " ... (sipcred itself takes -q, --help and --version); see "
                             "'sipcred --help'");
  passed.insert(passed.end(), args.begin() + 1, args.end());
  return run(args[0], std::move(passed));
}

} // namespace

int main(int argc, char** argv) {
  return sipcred::cli::run_tool("sipcred", [&] { return dispatch(argc, argv); });
}
