// The audit of a store (sipcred-lint --audit): the store is read once, streamed; each account is
// checked as it comes (clear text at rest, MD5 alone, short passwords, passwords derived from
// the account) and kept only as what the later rules need: its name and place, its clear text
// (shared passwords, word lists) and its HA1s (word lists).

#include "sipcred/lint/audit.hpp"

#include "sipcred/util/atomic_file.hpp"
#include "sipcred/util/error.hpp"

#include "digest/salted_search.hpp"
#include "lint/audit_variants.hpp"
#include "lint/rule_table.hpp"
#include "lint/wordlist_search.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include <sys/stat.h>

namespace sipcred::lint {
namespace {

// Where an account is, for its findings.
struct AccountPlace {
  std::string identity;
  std::size_t line = 0;
};

// What the audit reads, and how its findings are placed.
struct Target {
  Locator locator;
  StoreOptions options;
  std::string file; // Finding::file: the path, or the locator without its password
  FileKind kind = FileKind::Store;
};

bool offers(const AuthContext& context, HashFunction hash) {
  return std::find(context.algorithms.begin(), context.algorithms.end(), hash) !=
         context.algorithms.end();
}

std::string in_quotes(std::string_view text) { return "'" + std::string(text) + "'"; }

class Auditor {
public:
  Auditor(const AuditRequest& request, const AuthContext& context, const Target& target,
          std::set<std::size_t> lines_with_both)
      : m_request(request), m_context(context), m_target(target),
        m_lines_with_both(std::move(lines_with_both)) {}

  void check(const Account& account) {
    const std::size_t index = m_places.size();
    m_places.push_back(AccountPlace{account.identity(), account.line});
    const Credential* clear = account.clear_text();
    if (clear)
      check_clear_text(account, *clear, index);
    else
      check_hashes(account, index);
  }

  std::vector<Finding> finish(const AuditProgress& progress) {
    report_shared();
    const std::vector<WordlistMatch> matches = search_wordlists(
        m_request.wordlists, m_targets, m_clear_texts, m_request.threads, progress);
    for (const WordlistMatch& match : matches) {
      const std::string name = in_quotes(m_places[match.account].identity);
      add(match.account, "SC604",
          (match.target ? "the " + std::string(hash_name(match.target->hash)) + " HA1 of account " +
                              name + " hashes a password of the word list "
                        : "the clear-text password of account " + name + " is in the word list ") +
              match.wordlist + shown(match.candidate));
    }
    std::stable_sort(m_findings.begin(), m_findings.end(), [](const Ordered& a, const Ordered& b) {
      return a.account != b.account ? a.account < b.account
                                    : a.finding.diagnostic.code < b.finding.diagnostic.code;
    });
    std::vector<Finding> out;
    out.reserve(m_findings.size());
    for (Ordered& o : m_findings) out.push_back(std::move(o.finding));
    return out;
  }

private:
  struct Ordered {
    std::size_t account;
    Finding finding;
  };

  std::string shown(std::string_view password) const {
    return m_request.show_passwords ? " (password " + in_quotes(password) + ")" : "";
  }

  void add(std::size_t account, RuleCode rule, std::string message) {
    const AccountPlace& place = m_places[account];
    const std::size_t column = place.line > 0 ? 1 : 0;
    m_findings.push_back(Ordered{
        account, Finding{m_target.file, m_target.kind,
                         finding(rule, place.line, column, std::move(message)), place.identity}});
  }

  void check_clear_text(const Account& account, const Credential& clear, std::size_t index) {
    const std::string& name = m_places[index].identity;
    const bool every_hash =
        !m_context.algorithms.empty() &&
        std::all_of(m_context.algorithms.begin(), m_context.algorithms.end(),
                    [&](HashFunction hash) {
                      return std::any_of(account.credentials.begin(), account.credentials.end(),
                                         [&](const Credential& c) { return c.hash == hash; });
                    });
    // A userdb line with a clear text and hashes has SC121/SC122 already.
    if (!(account.line > 0 && m_lines_with_both.count(account.line) > 0)) {
      if (every_hash)
        add(index, "SC602",
            "account " + in_quotes(name) +
                " keeps its clear-text password beside the HA1s of every offered algorithm");
      else
        add(index, "SC601", "account " + in_quotes(name) + " keeps its password in clear text");
    }
    if (m_request.min_length > 0 && clear.value.size() < m_request.min_length)
      add(index, "SC607",
          "the password of account " + in_quotes(name) + " has " +
              std::to_string(clear.value.size()) + " characters, fewer than " +
              std::to_string(m_request.min_length) + shown(clear.value));
    for (const Variant& variant : account_variants(account))
      if (variant.candidate == clear.value) {
        add(index, "SC605",
            "the password of account " + in_quotes(name) +
                " is derived from the account: " + std::string(variant.rule) + shown(clear.value));
        break;
      }
    m_clear_texts[clear.value].push_back(index);
  }

  void check_hashes(const Account& account, std::size_t index) {
    const std::string& name = m_places[index].identity;
    const bool has_md5 =
        std::any_of(account.credentials.begin(), account.credentials.end(),
                    [](const Credential& c) { return c.hash == HashFunction::Md5; });
    const bool has_sha256 =
        std::any_of(account.credentials.begin(), account.credentials.end(),
                    [](const Credential& c) { return c.hash == HashFunction::Sha256; });
    // Without MD5 offered, an MD5-only account is SC403's.
    if (has_md5 && !has_sha256 && offers(m_context, HashFunction::Sha256) &&
        offers(m_context, HashFunction::Md5))
      add(index, "SC603",
          "account " + in_quotes(name) +
              " has only an MD5 HA1 while SHA-256 is offered: it cannot answer a SHA-256 "
              "challenge");
    std::vector<Variant> variants;
    std::vector<std::string_view> candidates;
    bool reported_variant = false;
    for (const Credential& credential : account.credentials) {
      std::vector<unsigned char> digest = digest_of_hex(*credential.hash, credential.value);
      if (digest.empty()) continue; // not an HA1 any client can match (SC125)
      const std::string& realm = credential.realm.empty() ? account.domain : credential.realm;
      std::string prefix = account.digest_username() + ':' + realm + ':';
      if (!reported_variant) {
        if (variants.empty()) {
          variants = account_variants(account);
          for (const Variant& v : variants) candidates.push_back(v.candidate);
        }
        std::vector<std::size_t> matches;
        salted_search(*credential.hash, prefix, candidates, digest, matches);
        if (!matches.empty()) {
          const Variant& variant = variants[matches.front()];
          add(index, "SC605",
              "the " + std::string(hash_name(*credential.hash)) + " HA1 of account " +
                  in_quotes(name) + " hashes a password derived from the account: " +
                  std::string(variant.rule) + shown(variant.candidate));
          reported_variant = true;
          continue; // weak already: the word lists need not find it again
        }
      }
      if (!m_request.wordlists.empty())
        m_targets.push_back(
            HashTarget{index, *credential.hash, std::move(prefix), std::move(digest)});
    }
  }

  // Each account of a clear text that others have too, naming the first of them.
  void report_shared() {
    std::vector<const std::vector<std::size_t>*> groups;
    for (const auto& [password, accounts] : m_clear_texts)
      if (accounts.size() > 1) groups.push_back(&accounts);
    for (const std::vector<std::size_t>* accounts : groups)
      for (std::size_t i = 0; i < accounts->size(); ++i) {
        const std::size_t account = (*accounts)[i];
        const std::size_t other = (*accounts)[i == 0 ? 1 : 0];
        const std::size_t others = accounts->size() - 1;
        add(account, "SC606",
            "account " + in_quotes(m_places[account].identity) +
                " has the same clear-text password as " + in_quotes(m_places[other].identity) +
                (others > 1 ? " and " + std::to_string(others - 1) + " other account" +
                                  (others > 2 ? "s" : "")
                            : ""));
      }
  }

  const AuditRequest& m_request;
  const AuthContext& m_context;
  const Target& m_target;
  std::set<std::size_t> m_lines_with_both;
  std::vector<AccountPlace> m_places;
  ClearTexts m_clear_texts;
  std::vector<HashTarget> m_targets;
  std::vector<Ordered> m_findings;
};

std::vector<Finding> findings_of(const std::string& file, FileKind kind,
                                 std::vector<Diagnostic>& diagnostics) {
  std::stable_sort(diagnostics.begin(), diagnostics.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return a.line != b.line ? a.line < b.line : a.column < b.column;
                   });
  std::vector<Finding> out;
  for (Diagnostic& d : diagnostics) out.push_back(Finding{file, kind, std::move(d), {}});
  return out;
}

FileKind kind_of(StoreKind kind) {
  switch (kind) {
  case StoreKind::Userdb: return FileKind::Userdb;
  case StoreKind::Pjsip: return FileKind::Pjsip;
  default: return FileKind::Store;
  }
}

// The store a flexisip.conf names: its userdb, or its SOCI database in Flexisip's schema read
// by its own password request.
Target config_store(const ConfigFacts& facts, const std::string& config) {
  Target target;
  if (facts.soci_backend_used) {
    if (facts.soci_connection.empty())
      throw Error(ErrorKind::DataError,
                  config + ": no soci-connection-string: there is no store to audit");
    target.locator = parse_locator(facts.soci_backend + "://" + facts.soci_connection);
    target.options.schema = Schema::Flexisip;
    target.options.password_request = facts.soci_password_request;
    return target;
  }
  if (facts.file_path.empty())
    throw Error(ErrorKind::DataError, config + ": no file-path: there is no store to audit");
  target.locator.kind = StoreKind::Userdb;
  target.locator.path = facts.file_path;
  return target;
}

} // namespace

bool looks_like_flexisip_config(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const std::string_view text = trim(line);
    if (text.empty() || text.starts_with('#')) continue;
    return text.starts_with('[');
  }
  return false;
}

std::vector<Finding> audit(const AuditRequest& request, const AuditProgress& progress) {
  std::vector<Finding> findings;
  const bool store_is_config =
      request.store.find(':') == std::string::npos && looks_like_flexisip_config(request.store);
  const std::string config = store_is_config ? request.store : request.config;
  AuthContext context;
  Target target;
  if (!config.empty()) {
    std::vector<Diagnostic> diagnostics;
    const ConfigFacts facts = lint_flexisip_config(read_file(config), diagnostics);
    context = facts.context;
    if (store_is_config) {
      target = config_store(facts, config);
      std::vector<Finding> own = findings_of(config, FileKind::FlexisipConfig, diagnostics);
      std::move(own.begin(), own.end(), std::back_inserter(findings));
    }
    if (context.fixed_realm) target.options.realm = *context.fixed_realm;
    if (!request.store_options.realm.empty()) target.options.realm = request.store_options.realm;
  }
  if (!store_is_config) {
    target.locator = parse_locator(request.store);
    // --realm, else the config's.
    const std::string realm = config.empty() ? request.store_options.realm : target.options.realm;
    target.options = request.store_options;
    target.options.realm = realm;
  }
  if (!request.db_password.empty()) {
    if (target.locator.kind != StoreKind::Sql || target.locator.backend == "sqlite3")
      throw Error(ErrorKind::Usage, "a database password is for PostgreSQL and MySQL stores");
    target.locator.connection = with_connection_password(target.locator, request.db_password);
  }
  target.kind = kind_of(target.locator.kind);
  target.file =
      target.locator.kind == StoreKind::Sql ? target.locator.display() : target.locator.path;

  // A userdb gets its own rules too; what they say of a line is not said again.
  std::set<std::size_t> lines_with_both;
  bool refused = false;
  std::size_t userdb_findings = 0;
  if (target.locator.kind == StoreKind::Userdb) {
    std::vector<Diagnostic> diagnostics;
    struct stat info {};
    const std::optional<unsigned> mode =
        ::stat(target.locator.path.c_str(), &info) == 0
            ? std::optional<unsigned>(static_cast<unsigned>(info.st_mode & 0777))
            : std::nullopt;
    lint_userdb(read_file(target.locator.path), context, mode, diagnostics);
    for (const Diagnostic& d : diagnostics) {
      if (d.code == "SC121" || d.code == "SC122") lines_with_both.insert(d.line);
      refused |= d.severity == Severity::Error && d.code.starts_with("SC1");
    }
    std::vector<Finding> own = findings_of(target.locator.path, FileKind::Userdb, diagnostics);
    userdb_findings = own.size();
    std::move(own.begin(), own.end(), std::back_inserter(findings));
  }
  // Flexisip refuses that userdb, and its findings say why: nothing more to audit.
  if (refused) return findings;

  Auditor auditor(request, context, target, std::move(lines_with_both));
  const std::unique_ptr<Store> store = open_store(target.locator, target.options);
  store->read([&](Account&& account) { auditor.check(account); });
  std::vector<Finding> audited = auditor.finish(progress);
  const auto store_findings = static_cast<std::ptrdiff_t>(findings.size() - userdb_findings);
  std::move(audited.begin(), audited.end(), std::back_inserter(findings));
  // The userdb's own findings and the audit's, in line order (a database's have none).
  std::stable_sort(
      findings.begin() + store_findings, findings.end(), [](const Finding& a, const Finding& b) {
        return a.diagnostic.line != b.diagnostic.line ? a.diagnostic.line < b.diagnostic.line
                                                      : a.diagnostic.column < b.diagnostic.column;
      });
  return findings;
}

} // namespace sipcred::lint
