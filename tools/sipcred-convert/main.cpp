// sipcred-convert: add MD5/SHA-256 hashes to the clear-text users of a userdb (and drop the
// clear text), streaming, on every core; or check the hashes that sit beside a clear text.

#include "algorithm_option.hpp"
#include "common_options.hpp"
#include "counted.hpp"
#include "diagnostic_output.hpp"
#include "tool_main.hpp"

#include "sipcred/userdb/convert.hpp"
#include "sipcred/util/atomic_file.hpp"
#include "sipcred/util/error.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include <fcntl.h>
#include <unistd.h>

namespace {

using namespace sipcred;
namespace fs = std::filesystem;

struct Options {
  std::string input = "-";
  std::string output;
  bool in_place = false;
  std::vector<std::string> algorithms;
  bool drop_clear_text = false;
  std::string realm;
  unsigned threads = 0;
  bool dry_run = false;
  bool json = false;
  bool verify = false;
  bool quiet = false;
};

void check_usage(const Options& o) {
  auto refuse = [](const std::string& why) { throw Error(ErrorKind::Usage, why); };
  const bool to_file = (!o.output.empty() && o.output != "-") || o.in_place;
  if (!o.output.empty() && o.in_place) refuse("-o and --in-place exclude each other");
  if (o.in_place && o.input == "-") refuse("--in-place needs a FILE, not standard input");
  if (o.verify && to_file) refuse("--verify writes nothing: leave out -o and --in-place");
  if (o.verify && (!o.algorithms.empty() || o.drop_clear_text))
    refuse("--verify checks every hash beside a clear text: leave out -a and --drop-clrtxt");
  if (o.json && !to_file && !o.dry_run && !o.verify)
    refuse("--json prints the report on stdout, where the userdb goes: add -o, --in-place or "
           "--dry-run");
  if (!o.output.empty() && o.output != "-" && o.input != "-") {
    std::error_code error;
    if (fs::equivalent(o.input, o.output, error))
      refuse("-o names the input file: use --in-place to convert it in place");
  }
}

// Where the converted userdb goes. Nothing is visible before commit(): a refused input leaves
// the destination as it was.
class Destination {
public:
  Destination(const Options& o, AtomicFile* in_place) {
    if (o.dry_run || o.verify) return;
    if (in_place)
      m_pending.emplace(in_place->begin_replace());
    else if (!o.output.empty() && o.output != "-") {
      if (fs::exists(o.output)) {
        m_output_file = std::make_unique<AtomicFile>(o.output);
        m_pending.emplace(m_output_file->begin_replace());
      } else {
        m_pending.emplace(AtomicFile::begin_create(o.output));
      }
    } else {
      // Standard output cannot be taken back: spool there, copy once the input proved good.
      const char* dir = std::getenv("TMPDIR");
      std::string path = std::string(dir && *dir ? dir : "/tmp") + "/sipcred-convert-XXXXXX";
      const int fd = ::mkostemp(path.data(), O_CLOEXEC);
      if (fd < 0)
        throw Error(ErrorKind::CannotCreate,
                    path + ": cannot create a temporary file: " + std::strerror(errno));
      ::unlink(path.c_str()); // nameless: gone with the process, whatever happens
      m_spool.reset(::fdopen(fd, "w+"));
      if (!m_spool) throw Error(ErrorKind::CannotCreate, "cannot open a temporary file");
      m_spool_path = path;
    }
  }

  void write(std::string_view bytes) {
    if (m_pending)
      m_pending->write(bytes);
    else if (m_spool && std::fwrite(bytes.data(), 1, bytes.size(), m_spool.get()) != bytes.size())
      throw Error(ErrorKind::Io,
                  m_spool_path +
                      ": cannot write the temporary copy of the output: " + std::strerror(errno));
  }

  void commit() {
    if (m_pending) m_pending->commit();
    if (!m_spool) return;
    std::rewind(m_spool.get());
    char buffer[1 << 16];
    std::size_t got;
    while ((got = std::fread(buffer, 1, sizeof buffer, m_spool.get())) > 0)
      if (std::fwrite(buffer, 1, got, stdout) != got || std::ferror(stdout))
        throw Error(ErrorKind::Io,
                    std::string("cannot write to standard output: ") + std::strerror(errno));
    if (std::ferror(m_spool.get()))
      throw Error(ErrorKind::Io, m_spool_path +
                                     ": cannot read the temporary copy of the "
                                     "output: " +
                                     std::strerror(errno));
    if (std::fflush(stdout) != 0)
      throw Error(ErrorKind::Io,
                  std::string("cannot write to standard output: ") + std::strerror(errno));
  }

private:
  struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::unique_ptr<AtomicFile> m_output_file; // locked while it is replaced
  std::optional<PendingFile> m_pending;
  std::unique_ptr<std::FILE, FileCloser> m_spool;
  std::string m_spool_path;
};

nlohmann::json users_json(const std::vector<userdb::ConvertReport::User>& users) {
  nlohmann::json array = nlohmann::json::array();
  for (const auto& u : users)
    array.push_back({{"identity", u.identity}, {"line", u.line}, {"reason", u.reason}});
  return array;
}

void print_report(const Options& o, const std::string& name, const userdb::ConvertReport& r) {
  if (o.json) {
    nlohmann::json out{{"users", r.users},
                       {"converted", r.converted},
                       {"already_hashed", r.already_hashed},
                       {"skipped", r.skipped},
                       {"clear_text_dropped", r.clear_text_dropped},
                       {"not_converted", users_json(r.not_converted)}};
    if (o.verify)
      out = {{"users", r.users},
             {"mismatch_count", r.mismatch_count},
             {"mismatches", users_json(r.mismatches)}};
    std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    return;
  }
  for (const auto& u : r.mismatches)
    std::cout << name << ':' << u.line << ": " << u.identity << ": " << u.reason << '\n';
  if (r.mismatch_count > r.mismatches.size())
    std::cout << name << ": ... and " << r.mismatch_count - r.mismatches.size() << " more\n";
  if (o.quiet) return;
  for (const auto& u : r.not_converted)
    std::cerr << name << ':' << u.line << ": note: " << u.identity << ": " << u.reason << '\n';
  if (r.skipped > r.not_converted.size())
    std::cerr << name << ": note: ... and " << r.skipped - r.not_converted.size()
              << " more skipped users\n";
  if (r.clear_text_dropped > 0 && !o.drop_clear_text)
    std::cerr << name << ": note: the clear text of " << r.clear_text_dropped
              << (r.clear_text_dropped == 1 ? " user was" : " users were")
              << " not kept: Flexisip hashes it with the user and the domain, which a client "
                 "answering as its user-id or for the realm never matches; only the hashes are\n";
  if (o.verify)
    std::cerr << "sipcred-convert: " << cli::counted(r.users, "user") << " checked, "
              << r.mismatch_count << (r.mismatch_count == 1 ? " hash does" : " hashes do")
              << " not match the clear text\n";
  else
    std::cerr << "sipcred-convert: " << (o.dry_run ? "would convert " : "converted ") << r.converted
              << " of " << cli::counted(r.users, "user") << " (" << r.already_hashed
              << " already hashed, " << r.skipped << " skipped)\n";
}

int run(int argc, char** argv) {
  CLI::App app{"Add MD5/SHA-256 hashes to the clear-text users of a Flexisip userdb, streaming "
               "on every core,\nor check (--verify) that stored hashes match their clear text.",
               "sipcred-convert"};
  Options o;
  app.add_option("FILE", o.input, "The userdb, or - for standard input (default)");
  auto* output = app.add_option("-o,--output", o.output,
                                "Write the result to OUT (default: "
                                "standard output)")
                     ->type_name("OUT");
  app.add_flag("--in-place", o.in_place, "Replace FILE atomically")->excludes(output);
  cli::add_algorithm_list_option(
      app, o.algorithms, "Hash to add: md5, sha256 (default both); repeat or separate with commas");
  app.add_flag("--drop-clrtxt", o.drop_clear_text, "Remove the clear text once hashed");
  app.add_option("--realm", o.realm,
                 "Realm of the hashes (default: each user's domain, as "
                 "Flexisip hashes clear text)")
      ->type_name("REALM");
  app.add_option("--threads", o.threads, "Hashing threads (default: one a core)")
      ->check(CLI::Range(1u, 32u))
      ->type_name("N");
  app.add_flag("--dry-run", o.dry_run, "Write nothing, report what would change");
  app.add_flag("--json", o.json, "Print the report as JSON on standard output");
  app.add_flag("--verify", o.verify,
               "Report hashes that do not match the clear text beside "
               "them (exit 1 if any); writes nothing");
  cli::add_common_options(app, "sipcred-convert", o.quiet);
  cli::parse(app, argc, argv);
  check_usage(o);

  userdb::ConvertOptions options;
  options.hashes = cli::userdb_algorithms(o.algorithms);
  options.drop_clear_text = o.drop_clear_text;
  options.realm = o.realm;
  options.threads = o.threads;
  options.verify = o.verify;

  std::unique_ptr<AtomicFile> locked; // --in-place: locked from reading to replacing
  std::optional<InputStream> input;
  if (o.in_place) {
    locked = std::make_unique<AtomicFile>(o.input);
    input.emplace(locked->stream());
  } else {
    input.emplace(o.input == "-" ? InputStream::standard_input() : InputStream::open(o.input));
  }
  const std::string name = input->name();
  Destination destination(o, locked.get());

  // Diagnostics are printed as they come (the output is held back until the end anyway).
  std::size_t errors = 0;
  const auto diagnose = [&](const Diagnostic& d) {
    errors += d.severity == Severity::Error;
    cli::print_diagnostics(std::cerr, name, {d}, o.quiet);
  };
  const userdb::ConvertReport report = userdb::convert(
      *input, [&](std::string_view bytes) { destination.write(bytes); }, options, diagnose);
  if (errors > 0)
    throw Error(ErrorKind::DataError, name + ": " + cli::counted(errors, "error") +
                                          ": Flexisip would refuse this file (nothing was "
                                          "written)");
  destination.commit();
  print_report(o, name, report);
  return o.verify && report.mismatch_count > 0 ? exit_negative : exit_success;
}

} // namespace

int main(int argc, char** argv) {
  return sipcred::cli::run_tool("sipcred-convert", [&] { return run(argc, argv); });
}
