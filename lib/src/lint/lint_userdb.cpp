// Rules of a userdb in the context of its config: who can never authenticate, hashes that
// disagree with the clear text beside them, and who may read the file.

#include "sipcred/lint/lint.hpp"
#include "sipcred/userdb/user_edit.hpp"
#include "sipcred/userdb/userdb.hpp"

#include "lint/findings.hpp"
#include "lint/rule_table.hpp"
#include "lint/suppression.hpp"

#include <algorithm>
#include <map>
#include <thread>
#include <unordered_map>

namespace sipcred::lint {
namespace {

using userdb::CredentialToken;
using userdb::CredentialType;
using userdb::Entry;

// Users sharing a problem, reported once per domain (a million users of one domain make one
// finding, at the first of them).
struct DomainTally {
  std::size_t first_line = 0;
  std::size_t users = 0;
};

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string users_text(std::size_t n) { return n == 1 ? "1 user" : std::to_string(n) + " users"; }

class UserdbLinter {
public:
  UserdbLinter(const AuthContext& context, std::vector<Finding>& findings)
      : m_context(context), m_findings(findings),
        m_any_domain(std::find(context.auth_domains.begin(), context.auth_domains.end(), "*") !=
                     context.auth_domains.end()) {}

  void check(const Entry& entry, std::size_t line) {
    if (m_context.from_config && !m_any_domain &&
        std::find(m_context.auth_domains.begin(), m_context.auth_domains.end(), entry.domain) ==
            m_context.auth_domains.end()) {
      tally(m_outside, entry.domain, line);
      return; // ignored by Flexisip: nothing else about it matters
    }
    // The credential Flexisip uses: the last clear text, else every stored hash.
    const CredentialToken* clear = nullptr;
    bool usable_hash = false;
    for (const CredentialToken& credential : entry.credentials) {
      if (credential.ignored) continue;
      if (credential.type == CredentialType::ClearText)
        clear = &credential;
      else if (std::find(m_context.algorithms.begin(), m_context.algorithms.end(),
                         userdb::hash_of(credential.type)) != m_context.algorithms.end())
        usable_hash = true;
    }
    if (clear && !userdb::clear_text_can_match(entry.user, entry.user_id))
      add(m_findings, entry,
          finding("SC406", line, clear->column,
                  "user '" + entry.identity() + "' has the user-id '" +
                      std::string(entry.user_id) +
                      "': Flexisip hashes its clear text with the user, so it can never "
                      "authenticate; store hashes of the user-id instead"));
    if (clear) {
      if (m_context.fixed_realm && *m_context.fixed_realm != entry.domain)
        tally(m_realm_mismatch, entry.domain, line);
      if (std::any_of(entry.credentials.begin(), entry.credentials.end(),
                      [](const CredentialToken& c) {
                        return !c.ignored && c.type != CredentialType::ClearText;
                      }))
        m_hash_checks.push_back(HashCheck{&entry, clear, line});
    } else if (!usable_hash && !m_context.algorithms.empty()) {
      add(m_findings, entry,
          finding("SC403", line, 1,
                  "user '" + entry.identity() + "' has no hash for the available algorithms (" +
                      algorithms_text() + "): it can never authenticate"));
    }
  }

  void finish() {
    check_hashes();
    const std::string domains = [&] {
      std::string out;
      for (const std::string& d : m_context.auth_domains) out += (out.empty() ? "" : " ") + d;
      return out;
    }();
    report(m_outside, "SC401", [&](std::string_view domain, std::size_t users) {
      return "domain '" + std::string(domain) + "' is not in auth-domains (" + domains +
             "): Flexisip ignores its " + users_text(users) + " (the first one here)";
    });
    report(m_realm_mismatch, "SC402", [&](std::string_view domain, std::size_t users) {
      return users_text(users) + " of domain '" + std::string(domain) + "' (the first one here) " +
             (users == 1 ? "has" : "have") +
             " a clear-text password, hashed with the domain, but Flexisip challenges with "
             "realm '" +
             *m_context.fixed_realm + "': they can never authenticate";
    });
  }

private:
  static void add(std::vector<Finding>& out, const Entry& entry, Diagnostic diagnostic) {
    out.push_back(Finding{{}, FileKind::Userdb, std::move(diagnostic), entry.identity()});
  }

  void tally(std::unordered_map<std::string_view, DomainTally>& tallies, std::string_view domain,
             std::size_t line) {
    DomainTally& t = tallies[domain];
    if (t.users++ == 0) t.first_line = line;
  }

  template <class Message>
  void report(const std::unordered_map<std::string_view, DomainTally>& tallies, RuleCode rule,
              const Message& message) {
    std::map<std::size_t, std::pair<std::string_view, std::size_t>> by_line;
    for (const auto& [domain, t] : tallies) by_line[t.first_line] = {domain, t.users};
    // About every user of the domain, whichever comes first.
    for (const auto& [line, what] : by_line)
      m_findings.push_back(Finding{{},
                                   FileKind::Userdb,
                                   finding(rule, line, 1, message(what.first, what.second)),
                                   "@" + std::string(what.first)});
  }

  std::string algorithms_text() const {
    std::string out;
    for (HashFunction hash : m_context.algorithms)
      out += (out.empty() ? "" : ", ") + std::string(hash_name(hash));
    return out;
  }

  // Recomputing hashes is the one costly check: beyond a few thousand, it is shared between two
  // threads, each with its own findings, merged in line order afterwards.
  void check_hashes() {
    const std::size_t count = m_hash_checks.size();
    const auto check_range = [&](std::size_t from, std::size_t to, std::vector<Finding>& out) {
      for (std::size_t i = from; i < to; ++i)
        check_hashes_against(*m_hash_checks[i].entry, *m_hash_checks[i].clear,
                             m_hash_checks[i].line, out);
    };
    if (count < 4096 || std::thread::hardware_concurrency() < 2) {
      check_range(0, count, m_findings);
      return;
    }
    std::vector<Finding> second;
    std::thread worker([&] { check_range(count / 2, count, second); });
    try {
      check_range(0, count / 2, m_findings);
    } catch (...) {
      worker.join();
      throw;
    }
    worker.join();
    std::move(second.begin(), second.end(), std::back_inserter(m_findings));
  }

  // Hashes on the line of a clear text must be H(user:domain:password), or H(...) with the
  // configured realm: otherwise one of the two is stale.
  void check_hashes_against(const Entry& entry, const CredentialToken& clear, std::size_t line,
                            std::vector<Finding>& out) const {
    std::string user_storage;
    for (const CredentialToken& credential : entry.credentials) {
      if (credential.ignored || credential.type == CredentialType::ClearText) continue;
      const HashFunction hash = userdb::hash_of(credential.type);
      if (credential.value.size() != hex_length(hash)) continue; // SC125 says it already
      if (user_storage.empty()) user_storage = entry.hash_user();
      const std::string stored = lower(credential.value);
      if (ha1(hash, user_storage, entry.domain, clear.value) == stored) continue;
      if (m_context.fixed_realm &&
          ha1(hash, user_storage, *m_context.fixed_realm, clear.value) == stored)
        continue;
      add(out, entry,
          finding("SC404", line, credential.column,
                  "the " + std::string(credential.prefix) + " hash of user '" + entry.identity() +
                      "' does not match the clear-text password on the same line (realm '" +
                      std::string(entry.domain) + "'" +
                      (m_context.fixed_realm ? " or '" + *m_context.fixed_realm + "'" : "") + ")"));
    }
  }

  const AuthContext& m_context;
  std::vector<Finding>& m_findings;
  bool m_any_domain;
  std::unordered_map<std::string_view, DomainTally> m_outside, m_realm_mismatch;
  struct HashCheck {
    const Entry* entry;
    const CredentialToken* clear;
    std::size_t line;
  };
  std::vector<HashCheck> m_hash_checks;
};

} // namespace

std::vector<Finding> userdb_findings(std::string content, const AuthContext& context,
                                     std::optional<unsigned> mode) {
  std::vector<Diagnostic> diagnostics;
  const userdb::Document document = userdb::Document::parse(std::move(content), diagnostics);
  const auto& lines = document.lines();
  Suppressions suppressions;
  for (std::size_t index = 0; index < lines.size(); ++index)
    if (lines[index].kind == userdb::LineKind::Comment)
      suppressions.read_comment(lines[index].text.substr(1), index + 1, 2, diagnostics);
  std::vector<Finding> findings;
  findings.reserve(diagnostics.size());
  for (Diagnostic& d : diagnostics) {
    // A line that does not parse has no user it is known to be about.
    std::string subject = d.line >= 1 && d.line <= lines.size() &&
                                  lines[d.line - 1].kind == userdb::LineKind::Auth
                              ? lines[d.line - 1].entry.identity()
                              : std::string();
    findings.push_back(Finding{{}, FileKind::Userdb, std::move(d), std::move(subject)});
  }
  UserdbLinter linter(context, findings);
  bool holds_credentials = false;
  for (std::size_t index = 0; index < lines.size(); ++index) {
    // An auth line has at least one credential; a line that failed to parse probably too.
    holds_credentials |= lines[index].kind == userdb::LineKind::Auth ||
                         (index > 0 && lines[index].kind == userdb::LineKind::Invalid);
    if (lines[index].kind == userdb::LineKind::Auth) linter.check(lines[index].entry, index + 1);
  }
  linter.finish();
  // About the file: no subject.
  if (mode && (*mode & 044) != 0 && holds_credentials)
    findings.push_back(Finding{
        {},
        FileKind::Userdb,
        finding("SC405", 1, 1,
                std::string("the userdb holds passwords or hashes and is readable by ") +
                    ((*mode & 040) && (*mode & 004) ? "group and others"
                     : (*mode & 040)                ? "its group"
                                                    : "others") +
                    ": chmod 600"),
        {}});
  suppressions.apply(findings, FileKind::Userdb);
  return findings;
}

void lint_userdb(std::string content, const AuthContext& context, std::optional<unsigned> mode,
                 std::vector<Diagnostic>& diagnostics) {
  for (Finding& f : userdb_findings(std::move(content), context, mode))
    diagnostics.push_back(std::move(f.diagnostic));
}

} // namespace sipcred::lint
