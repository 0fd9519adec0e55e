// sipcred-migrate: copy every account of one store (userdb, htdigest, pjsip, CSV, SQL in the
// Flexisip, Kamailio or OpenSIPS schema) into another, in one transaction, exactly.

#include "algorithm_option.hpp"
#include "common_options.hpp"
#include "counted.hpp"
#include "progress_bar.hpp"
#include "schema_option.hpp"
#include "store_list.hpp"
#include "tool_main.hpp"

#include "sipcred/store/migration.hpp"
#include "sipcred/store/store.hpp"
#include "sipcred/util/error.hpp"

#include <nlohmann/json.hpp>

#include <iostream>

namespace {

using namespace sipcred;

struct Options {
  std::string source;
  std::string destination;
  std::string schema;
  std::string source_schema;
  std::string destination_schema;
  bool create_schema = false;
  std::string on_conflict = "fail";
  bool dry_run = false;
  std::string realm;
  std::string algorithm = "MD5";
  bool skip_unconvertible = false;
  bool verify = false;
  bool json = false;
  bool no_config = false;
  bool quiet = false;
};

Schema schema_option(const std::string& specific, const std::string& common) {
  return cli::schema_option(specific.empty() ? common : specific);
}

nlohmann::json notes_json(const AccountNotes& notes) {
  nlohmann::json listed = nlohmann::json::array();
  for (const auto& note : notes.listed) {
    listed.push_back({{"identity", note.identity}, {"reason", note.reason}});
  }
  return {{"count", notes.count}, {"listed", listed}};
}

void print_notes(const char* kind, const AccountNotes& notes) {
  for (const auto& note : notes.listed) {
    std::cerr << "sipcred-migrate: " << kind << ": " << note.identity << ": " << note.reason
              << '\n';
  }
  if (notes.count > notes.listed.size()) {
    std::cerr << "sipcred-migrate: " << kind << ": ... and " << notes.count - notes.listed.size()
              << " more\n";
  }
}

std::string outcome(const MigrationReport& report, const MigrationOptions& options) {
  if (report.committed) {
    return "migrated";
  }
  return options.dry_run && !report.refused(options) ? "would migrate (dry run)"
                                                     : "refused, nothing written";
}

int run(int argc, char** argv) {
  CLI::App app{"Copy every account of SOURCE into DEST, exactly and in one transaction.\n"
               "A store is " +
                   cli::store_forms() + " (--list-stores).",
               "sipcred-migrate"};
  Options o;
  app.add_option("SOURCE", o.source, "The store to read")->required();
  app.add_option("DEST", o.destination, "The store to write")->required();
  app.add_option("--schema", o.schema,
                 "SQL schema of both sides: " + schema_names() + " (default: flexisip)")
      ->type_name("SCHEMA");
  app.add_option("--source-schema", o.source_schema, "SQL schema of SOURCE")->type_name("SCHEMA");
  app.add_option("--dest-schema", o.destination_schema, "SQL schema of DEST")->type_name("SCHEMA");
  app.add_flag("--create-schema", o.create_schema,
               "Create DEST's missing tables (and an SQLite file), with the server's indexes");
  app.add_option("--on-conflict", o.on_conflict,
                 "An account DEST has already: fail (default: nothing written), skip, replace")
      ->check(CLI::IsMember({"fail", "skip", "replace"}))
      ->type_name("POLICY");
  app.add_flag("--dry-run", o.dry_run, "Do everything in a transaction, then roll it back");
  app.add_option("--realm", o.realm,
                 "Realm of the stored hashes on both sides (default: each account's domain)")
      ->type_name("REALM");
  cli::add_algorithm_option(app, o.algorithm,
                            "Hash of Kamailio's ha1/ha1b columns: MD5 (default) or SHA-256, as "
                            "modparam(\"auth\", \"algorithm\")");
  app.add_flag("--skip-unconvertible", o.skip_unconvertible,
               "Write the other accounts when some cannot be converted (default: fail)");
  app.add_flag("--verify", o.verify,
               "Read every written account back as the server does and check it (exit 1 on a "
               "difference)");
  app.add_flag("--json", o.json, "Print the report as JSON on standard output");
  app.add_flag("--no-config", o.no_config,
               "Print no server configuration for DEST (on standard output, or in the JSON)");
  cli::add_common_options(app, "sipcred-migrate", o.quiet);
  cli::add_list_stores_option(app);
  cli::parse(app, argc, argv);

  if (o.verify && o.dry_run) {
    throw Error(ErrorKind::Usage, "--verify reads back what was written: leave out --dry-run");
  }
  const HashFunction algorithm = cli::hash_algorithm(o.algorithm);

  StoreOptions source_options;
  source_options.schema = schema_option(o.source_schema, o.schema);
  source_options.realm = o.realm;
  source_options.algorithm = algorithm;
  StoreOptions destination_options = source_options;
  destination_options.schema = schema_option(o.destination_schema, o.schema);
  destination_options.create_schema = o.create_schema;

  const Locator source_locator = parse_locator(o.source);
  const Locator destination_locator = parse_locator(o.destination);
  if (source_locator.same_store(destination_locator)) {
    throw Error(ErrorKind::Usage, "SOURCE and DEST are the same store");
  }
  for (Schema schema : {source_options.schema, destination_options.schema}) {
    if (std::string refusal = schema_algorithm_refusal(schema, algorithm); !refusal.empty()) {
      throw Error(ErrorKind::Usage, refusal);
    }
  }
  auto source = open_store(source_locator, source_options);
  auto destination = open_store(destination_locator, destination_options);

  const OnConflict on_conflict = o.on_conflict == "skip"      ? OnConflict::Skip
                                 : o.on_conflict == "replace" ? OnConflict::Replace
                                                              : OnConflict::Fail;
  MigrationOptions options{on_conflict, o.skip_unconvertible, o.dry_run};
  MigrationReport report;
  {
    // Counting a userdb's accounts reads it once more: only for a bar that is drawn.
    cli::ProgressBar bar("accounts",
                         cli::ProgressBar::wanted(o.quiet) ? source->size_hint() : std::nullopt,
                         o.quiet);
    report = migrate(*source, *destination, options, [&](std::size_t done) { bar.update(done); });
  }
  std::optional<VerifyReport> verified;
  if (o.verify && report.committed) {
    cli::ProgressBar bar("accounts verified", report.read, o.quiet);
    verified = verify_migration(*source, *destination, report,
                                [&](std::size_t done) { bar.update(done); });
  }
  const std::string configuration = report.committed && !o.dry_run && !o.no_config
                                        ? destination->server_configuration(report.domains)
                                        : "";

  if (o.json) {
    nlohmann::json out{{"source", source_locator.display()},
                       {"destination", destination_locator.display()},
                       {"committed", report.committed},
                       {"dry_run", o.dry_run},
                       {"read", report.read},
                       {"inserted", report.inserted},
                       {"replaced", report.replaced},
                       {"credentials", report.credentials},
                       {"skipped", notes_json(report.skipped)},
                       {"conflicts", notes_json(report.conflicts)},
                       {"unconvertible", notes_json(report.unconvertible)},
                       {"dropped", notes_json(report.dropped)},
                       {"duplicates", notes_json(report.duplicates.notes)}};
    if (verified) {
      out["verify"] = {{"checked", verified->checked},
                       {"differences", notes_json(verified->differences)}};
    }
    if (!configuration.empty()) {
      out["server_configuration"] = configuration;
    }
    std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  } else {
    const bool refused = report.refused(options);
    print_notes("conflict", report.conflicts);
    if (!o.quiet || refused) {
      print_notes("unconvertible", report.unconvertible);
    }
    if (!o.quiet) {
      print_notes("note", report.dropped);
      print_notes("skipped", report.skipped);
      print_notes("duplicate", report.duplicates.notes);
    }
    if (verified) {
      print_notes("verify", verified->differences);
    }
    if (!o.quiet || !report.committed) {
      // Counts of a run that was rolled back say what it would have written.
      const char* added = report.committed ? " added and " : " would be added and ";
      std::cerr << "sipcred-migrate: " << outcome(report, options) << ": "
                << cli::counted(report.read, "account") << " read from " << source_locator.display()
                << "; " << report.inserted << added << report.replaced << " replaced in "
                << destination_locator.display() << " ("
                << cli::counted(report.credentials, "credential") << "), " << report.skipped.count
                << " skipped, " << cli::counted(report.conflicts.count, "conflict") << ", "
                << report.unconvertible.count << " unconvertible\n";
      if (verified) {
        std::cerr << "sipcred-migrate: verified " << cli::counted(verified->checked, "account")
                  << ", " << cli::counted(verified->differences.count, "difference") << "\n";
      }
    }
    if (!configuration.empty()) {
      std::cout << configuration; // -q is about stderr: --no-config leaves this out
      if (!o.quiet && report.more_domains &&
          configuration.find("auth-domains=") != std::string::npos) {
        std::cerr << "sipcred-migrate: note: auth-domains lists "
                  << MigrationReport::listed_domains_at_most
                  << " of the source's domains; add the others\n";
      }
    }
  }
  const bool failed = report.refused(options) || (verified && !verified->differences.empty());
  return failed ? exit_negative : exit_success;
}

} // namespace

int main(int argc, char** argv) {
  sipcred::add_database_stores(); // libsipcred-sql, loaded when a database is opened
  return sipcred::cli::run_tool("sipcred-migrate", [&] { return run(argc, argv); });
}
