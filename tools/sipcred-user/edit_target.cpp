#include "edit_target.hpp"

#include "algorithm_option.hpp"
#include "counted.hpp"
#include "findings.hpp"
#include "schema_option.hpp"

#include "sipcred/store/account_edit.hpp"
#include "sipcred/userdb/edit_session.hpp"
#include "sipcred/userdb/userdb.hpp"
#include "sipcred/util/error.hpp"

#include <iostream>

namespace sipcred::user_tool {
namespace {

using userdb::EditPlan;
using userdb::EditResult;
using userdb::EditStatus;

// What the library finds in a file Flexisip would refuse is printed as every command prints it.
template <class Read> auto reporting_refusal(const std::string& path, bool quiet, Read read) {
  try {
    return read();
  } catch (const InvalidStoreData& refused) {
    Findings(path, quiet).take(refused.diagnostics());
    throw;
  }
}

std::string numbers(const std::set<std::size_t>& lines) {
  std::string text;
  for (std::size_t line : lines) text += (text.empty() ? "" : ", ") + std::to_string(line);
  return text;
}

class UserdbTarget : public EditTarget {
public:
  explicit UserdbTarget(const Options& options) : m_options(options) {}

  const std::string& name() const override { return m_options.file; }
  void check(const EditPlan& plan) const override { userdb::check_plan(plan); }
  bool names_userdb_prefixes() const override { return true; }

  EditStatus preview(const EditPlan& plan) override {
    return reporting_refusal(m_options.file, true,
                             [&] { return userdb::preview(m_options.file, plan); });
  }

  EditResult apply(const EditPlan& plan) override {
    const auto session = reporting_refusal(m_options.file, m_options.quiet, [&] {
      return std::make_unique<userdb::EditSession>(m_options.file, plan);
    });
    const EditResult result = session->result();
    if (result.status != EditStatus::Done) return result;
    if (m_options.dry_run) {
      report_dry_run(*session);
      return result;
    }
    session->commit();
    if (m_options.quiet) return result;
    // The findings of the lines written, and a count of the others.
    Findings findings(m_options.file, m_options.quiet);
    findings.take(session->findings());
    const userdb::EditSession::Written written = session->written();
    findings.forget(written.replaced);
    findings.report({}, written.findings);
    return result;
  }

private:
  // Which lines would change, never their content (hashes are as good as passwords to some).
  void report_dry_run(const userdb::EditSession& session) const {
    const userdb::EditSession::Changed changed = session.changed();
    std::cout << "dry run: " << m_options.file << ": would ";
    if (!changed.replaced.empty())
      std::cout << "change or remove line" << (changed.replaced.size() == 1 ? " " : "s ")
                << numbers(changed.replaced) << (changed.appended > 0 ? " and " : "");
    if (changed.appended > 0) std::cout << "append " << cli::counted(changed.appended, "line");
    std::cout << "; nothing was written\n";
  }

  const Options& m_options;
};

std::string hash_names(const std::vector<HashFunction>& hashes, bool clear_text) {
  std::string text = clear_text ? "clear text" : "";
  for (HashFunction hash : hashes)
    text += (text.empty() ? "" : ", ") + std::string(hash_name(hash));
  return text;
}

class StoreTarget : public EditTarget {
public:
  StoreTarget(const Options& options, std::unique_ptr<Store> store, std::string name)
      : m_options(options), m_store(std::move(store)), m_name(std::move(name)) {}

  const std::string& name() const override { return m_name; }
  void check(const EditPlan& plan) const override { check_plan_for(*m_store, plan); }
  bool names_userdb_prefixes() const override { return false; }

  EditStatus preview(const EditPlan& plan) override {
    const auto exists = [&](const userdb::Identity& identity) {
      return m_store->stored(userdb::url_unescape(identity.user), identity.domain).has_value();
    };
    if (const auto* add = std::get_if<userdb::AddPlan>(&plan))
      return exists(add->account.identity) ? EditStatus::Exists : EditStatus::Done;
    if (const auto* rotate = std::get_if<userdb::RotatePlan>(&plan))
      return exists(rotate->account.identity) ? EditStatus::Done : EditStatus::NotFound;
    return EditStatus::Done;
  }

  EditResult apply(const EditPlan& plan) override {
    const AccountEditOutcome outcome = apply_plan(*m_store, plan, m_options.dry_run);
    if (m_options.dry_run && outcome.result.status == EditStatus::Done) {
      for (const AccountChangeMade& change : outcome.changes) {
        const char* verb = change.kind == AccountChangeMade::Kind::Added     ? "add"
                           : change.kind == AccountChangeMade::Kind::Rotated ? "rotate"
                                                                             : "remove";
        std::cout << "dry run: would " << verb << ' ' << change.identity;
        if (change.kind != AccountChangeMade::Kind::Removed)
          std::cout << " (" << hash_names(change.hashes, change.clear_text) << ')';
        std::cout << '\n';
      }
      std::cout << "dry run: " << m_name << ": nothing was written\n";
    }
    return outcome.result;
  }

private:
  const Options& m_options;
  std::unique_ptr<Store> m_store;
  std::string m_name;
};

} // namespace

bool names_userdb(const Options& options) {
  return parse_locator(options.file).kind == StoreKind::Userdb;
}

std::unique_ptr<Store> open_other_store(const Options& options, bool create_schema) {
  Locator locator = parse_locator(options.file);
  StoreOptions store_options;
  store_options.schema = cli::schema_option(options.schema);
  store_options.realm = options.realm;
  store_options.create_schema = create_schema;
  if (store_options.schema == Schema::Kamailio && !options.algorithms.empty()) {
    // Kamailio's auth module hashes with one algorithm (modparam "algorithm"), for every user.
    const std::vector<HashFunction> hashes = cli::hash_algorithms(options.algorithms);
    if (hashes.size() > 1)
      throw Error(ErrorKind::Usage, "the kamailio schema keeps one algorithm, the one of "
                                    "modparam(\"auth\", \"algorithm\"): give -a once");
    if (const std::string refused = schema_algorithm_refusal(Schema::Kamailio, hashes.front());
        !refused.empty())
      throw Error(ErrorKind::Usage, refused);
    store_options.algorithm = hashes.front();
  }
  if (options.db_password_stdin) {
    if (locator.kind != StoreKind::Sql || locator.backend == "sqlite3")
      throw Error(ErrorKind::Usage, "--db-password-stdin is for PostgreSQL and MySQL databases");
    if (options.password.from_stdin)
      throw Error(ErrorKind::Usage, "--db-password-stdin and --password-stdin cannot both read "
                                    "standard input: give the user's password with "
                                    "--password-file");
    cli::PasswordOptions from_stdin;
    from_stdin.from_stdin = true;
    std::string password = cli::read_password(from_stdin, "Database password: ");
    const cli::WipedOnExit wiped(password);
    locator.connection = with_connection_password(locator, password);
  }
  return open_store(locator, store_options);
}

std::unique_ptr<EditTarget> open_edit_target(const Options& options) {
  if (names_userdb(options)) return std::make_unique<UserdbTarget>(options);
  std::unique_ptr<Store> store = open_other_store(options);
  return std::make_unique<StoreTarget>(options, std::move(store),
                                       parse_locator(options.file).display());
}

} // namespace sipcred::user_tool
