// sipcred-lint: check a Flexisip authentication config with the userdb it names, a userdb
// alone, or Asterisk pjsip auth objects, and say what the server would reject or ignore.

#include "audit_options.hpp"
#include "common_options.hpp"
#include "counted.hpp"
#include "project_file.hpp"
#include "report.hpp"
#include "tool_main.hpp"

#include "sipcred/lint/baseline.hpp"
#include "sipcred/lint/lint.hpp"
#include "sipcred/lint/rule_selection.hpp"
#include "sipcred/store/store.hpp"
#include "sipcred/util/atomic_file.hpp"
#include "sipcred/util/error.hpp"

#include <filesystem>
#include <iostream>

#include <optional>

#include <unistd.h>

namespace {

using namespace sipcred;

struct Options {
  lint::Request request;
  std::string format = "text";
  bool werror = false;
  bool quiet = false;
  std::string explain;
  cli::AuditOptions audit;
  std::vector<std::string> disable, enable;
  std::string config_file;
  std::string baseline, write_baseline;
};

// The project file named, or .sipcred-lint when the working directory has one.
constexpr const char* default_project_file = ".sipcred-lint";

lint::RuleSelection selection_of(const Options& o) {
  lint::RuleSelection selection;
  if (!o.config_file.empty())
    cli::apply_project_file(selection, o.config_file);
  else if (std::error_code error; std::filesystem::exists(default_project_file, error))
    cli::apply_project_file(selection, default_project_file);
  // The command line has the last word, --disable over --enable.
  for (const std::string& list : o.enable)
    cli::apply_codes(selection, true, list, "--enable", 0, 1);
  for (const std::string& list : o.disable)
    cli::apply_codes(selection, false, list, "--disable", 0, 1);
  return selection;
}

// Written whole or not at all; replaced when it exists (the usual way to refresh it).
void write_baseline(const std::string& path, const std::string& text) {
  std::error_code error;
  if (std::filesystem::exists(path, error))
    AtomicFile(path).replace(text);
  else
    AtomicFile::create(path, text);
}

int explain(const std::string& code) {
  const lint::Rule* rule = lint::find_rule(code);
  if (!rule)
    throw Error(ErrorKind::Usage,
                "unknown code '" + code + "': codes are listed in sipcred-lint(1)");
  cli::print_explanation(std::cout, *rule);
  return exit_success;
}

int run(int argc, char** argv) {
  CLI::App app{"Check a Flexisip authentication config and its userdb, a userdb alone, or "
               "Asterisk pjsip\nauth objects: every problem with file, line, column and code. "
               "Or audit any store for\nweak, shared and exposed passwords (--audit).",
               "sipcred-lint"};
  Options o;
  app.add_option("CONFIG", o.request.config, "A flexisip.conf (its userdb is checked too)")
      ->type_name("FILE");
  app.add_option("--userdb", o.request.userdb,
                 "A userdb to check (in CONFIG's context when given, instead of its file-path)")
      ->type_name("FILE");
  app.add_option("--pjsip", o.request.pjsip,
                 "An Asterisk pjsip.conf whose type=auth objects to check")
      ->type_name("FILE");
  auto* format =
      app.add_option("--format", o.format,
                     "Output: text (default), json, sarif, gitlab (Code Quality), github "
                     "(workflow commands) or junit")
          ->check(CLI::IsMember({"text", "json", "sarif", "gitlab", "github", "junit"}))
          ->type_name("FORMAT");
  app.add_flag_callback(
         "--json", [&] { o.format = "json"; }, "The same as --format json")
      ->excludes(format);
  cli::add_audit_options(app, o.audit);
  app.add_option("--disable", o.disable, "Do not report these rules (repeatable)")
      ->type_name("CODE[,CODE...]")
      ->allow_extra_args(false);
  app.add_option("--enable", o.enable, "Report these rules, off by default (repeatable)")
      ->type_name("CODE[,CODE...]")
      ->allow_extra_args(false);
  app.add_option("--config-file", o.config_file,
                 "Project file of disable/enable lines (default: ./.sipcred-lint if present)")
      ->type_name("FILE");
  auto* baseline = app.add_option("--baseline", o.baseline,
                                  "Report only findings that this baseline does not hold")
                       ->type_name("FILE");
  app.add_option("--write-baseline", o.write_baseline,
                 "Record today's findings in FILE (no secrets, no line numbers) and exit 0")
      ->type_name("FILE")
      ->excludes(baseline);
  app.add_flag("--werror", o.werror, "Exit 1 on warnings too");
  app.add_option("--explain", o.explain, "Print the explanation of a rule code and exit")
      ->type_name("CODE");
  cli::add_common_options(app, "sipcred-lint", o.quiet);
  // Findings go to standard output: -q thins those, not stderr.
  app.get_option("--quiet")->description("Text output: errors only, no summary line");
  cli::parse(app, argc, argv);

  if (!o.explain.empty()) return explain(o.explain);
  const bool audit = cli::audit_requested(o.audit);
  if (audit && (!o.request.userdb.empty() || !o.request.pjsip.empty()))
    throw Error(ErrorKind::Usage, "--audit STORE cannot be combined with --userdb or --pjsip");
  if (!audit && o.request.config.empty() && o.request.userdb.empty() && o.request.pjsip.empty())
    throw Error(ErrorKind::Usage, "nothing to check: give a CONFIG, --userdb FILE, --pjsip FILE "
                                  "or --audit STORE");

  // Every mistake in the options is reported before any file is read.
  const lint::RuleSelection selection = selection_of(o);
  std::optional<lint::Baseline> baseline_in;
  if (!o.baseline.empty()) baseline_in = lint::Baseline::parse(read_file(o.baseline), o.baseline);

  std::vector<lint::Finding> findings =
      audit ? cli::run_audit(o.audit, o.request.config, o.quiet) : lint::lint(o.request);
  selection.apply(findings);
  if (!o.write_baseline.empty()) {
    write_baseline(o.write_baseline, lint::Baseline::of(findings).text());
    if (!o.quiet)
      std::cerr << "sipcred-lint: " << cli::counted(findings.size(), "finding") << " recorded in "
                << o.write_baseline << '\n';
    return exit_success;
  }
  const std::size_t baselined = baseline_in ? baseline_in->filter(findings) : 0;

  if (o.format == "json")
    cli::print_json(std::cout, findings);
  else if (o.format == "sarif")
    cli::print_sarif(std::cout, findings, SIPCRED_VERSION);
  else if (o.format == "gitlab")
    cli::print_gitlab(std::cout, findings);
  else if (o.format == "github")
    cli::print_github(std::cout, findings);
  else if (o.format == "junit")
    cli::print_junit(std::cout, findings);
  else
    cli::print_text(std::cout, findings, ::isatty(STDOUT_FILENO) == 1, o.quiet, baselined);

  const cli::Summary s = cli::summarize(findings);
  return s.errors > 0 || (o.werror && s.warnings > 0) ? exit_negative : exit_success;
}

} // namespace

int main(int argc, char** argv) {
  sipcred::add_database_stores(); // libsipcred-sql, loaded when a database is opened
  return sipcred::cli::run_tool("sipcred-lint", [&] { return run(argc, argv); });
}
