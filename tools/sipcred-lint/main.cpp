// sipcred-lint: check a Flexisip authentication config with the userdb it names, a userdb
// alone, or Asterisk pjsip auth objects, and say what the server would reject or ignore.

#include "audit_options.hpp"
#include "common_options.hpp"
#include "report.hpp"
#include "tool_main.hpp"

#include "sipcred/lint/lint.hpp"
#include "sipcred/sql/sql_stores.hpp"
#include "sipcred/util/error.hpp"

#include <iostream>

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
};

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
  auto* format = app.add_option("--format", o.format, "Output: text (default), json or sarif")
                     ->check(CLI::IsMember({"text", "json", "sarif"}))
                     ->type_name("FORMAT");
  app.add_flag_callback(
         "--json", [&] { o.format = "json"; }, "The same as --format json")
      ->excludes(format);
  cli::add_audit_options(app, o.audit);
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

  const std::vector<lint::Finding> findings =
      audit ? cli::run_audit(o.audit, o.request.config, o.quiet) : lint::lint(o.request);
  if (o.format == "json")
    cli::print_json(std::cout, findings);
  else if (o.format == "sarif")
    cli::print_sarif(std::cout, findings, SIPCRED_VERSION);
  else
    cli::print_text(std::cout, findings, ::isatty(STDOUT_FILENO) == 1, o.quiet);

  const cli::Summary s = cli::summarize(findings);
  return s.errors > 0 || (o.werror && s.warnings > 0) ? exit_negative : exit_success;
}

} // namespace

int main(int argc, char** argv) {
  sipcred::sql::add_sql_stores();
  return sipcred::cli::run_tool("sipcred-lint", [&] { return run(argc, argv); });
}
