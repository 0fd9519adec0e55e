#include "userdb/line_applier.hpp"

#include "sipcred/util/error.hpp"

#include <atomic>
#include <mutex>
#include <unordered_map>

namespace sipcred::userdb {
namespace {

// The auth line of an account with its new credentials.
std::string auth_line(const Identity& identity, Credentials credentials, const std::string& user_id,
                      const std::string& phone) {
  return format_auth_line(EntrySpec{identity.user, identity.domain, std::move(credentials),
                                    user_id_to_write(identity.user, user_id, phone), phone});
}

// A line the plan changes, copied out of the one-pass scan.
struct FoundLine {
  std::string_view text; // in the scanned content, which the caller keeps mapped
  std::string user_id, phone;
  CredentialPolicy policy; // the kinds of credential it has
};

FoundLine found_line(const Line& line) {
  return {line.text, std::string(line.entry.user_id), std::string(line.entry.phone),
          policy_of(line.entry)};
}

bool is_user(const Line& line, const Identity& identity) {
  return line.kind == LineKind::Auth && same_user(line.entry, identity);
}

// The policy for a line that already has credentials: its own kinds, changed only where the
// request asks. A clear text that could never match (a user-id other than the user) becomes
// the default hashes, which can.
CredentialPolicy rotation_policy(const CredentialRequest& request, const Identity& identity,
                                 const FoundLine& line) {
  CredentialPolicy policy = line.policy;
  if (request.kinds_asked) {
    policy.hashes = request.policy.hashes;
    policy.clear_text = request.policy.clear_text;
  } else if (policy.clear_text && !clear_text_can_match(identity.user, line.user_id)) {
    policy = CredentialPolicy{};
  }
  policy.realm = request.policy.realm;
  return policy;
}

// Gives the new password to `line`, keeping its user-id, and its phone unless `phone` is one.
CredentialPolicy rotate_line(LineEdits& edits, const CredentialRequest& request,
                             const AccountChange& account, const FoundLine& line,
                             const std::string& phone) {
  const CredentialPolicy policy = rotation_policy(request, account.identity, line);
  edits.replace(line.text, auth_line(account.identity,
                                     make_credentials(account.identity, account.password, policy,
                                                      line.user_id),
                                     line.user_id, phone.empty() ? line.phone : phone));
  return policy;
}

class AddApplier {
public:
  explicit AddApplier(const AddPlan& plan) : m_plan(plan) {}
  void visit(const Line& line) {
    if (is_user(line, m_plan.account.identity)) m_exists = true;
  }
  EditStatus preview() const { return m_exists ? EditStatus::Exists : EditStatus::Done; }
  EditResult apply(LineEdits& edits) const {
    EditResult result;
    result.policy = m_plan.policy;
    result.status = preview();
    if (result.status != EditStatus::Done) return result;
    const AccountChange& account = m_plan.account;
    edits.append(auth_line(
        account.identity,
        make_credentials(account.identity, account.password, m_plan.policy, account.auth_user),
        account.auth_user, account.phone));
    result.added = 1;
    return result;
  }

private:
  const AddPlan& m_plan;
  std::atomic<bool> m_exists = false;
};

class RotateApplier {
public:
  explicit RotateApplier(const RotatePlan& plan) : m_plan(plan) {}
  // auth_user picks one account of a user that has several (one per user-id).
  void visit(const Line& line) {
    const AccountChange& account = m_plan.account;
    if (!is_user(line, account.identity) ||
        (!account.auth_user.empty() && auth_user_of(line.entry) != url_unescape(account.auth_user)))
      return;
    const std::lock_guard lock(m_found);
    m_lines.push_back(found_line(line));
  }
  EditStatus preview() const {
    for (const FoundLine& line : m_lines)
      check_policy(m_plan.account.identity,
                   rotation_policy(m_plan.request, m_plan.account.identity, line), line.user_id);
    return m_lines.empty() ? EditStatus::NotFound : EditStatus::Done;
  }
  EditResult apply(LineEdits& edits) const {
    EditResult result;
    if (m_lines.empty()) {
      result.status = EditStatus::NotFound;
      result.missing.push_back(m_plan.account.identity);
      return result;
    }
    for (const FoundLine& line : m_lines)
      result.policy = rotate_line(edits, m_plan.request, m_plan.account, line, {});
    result.rotated = 1;
    return result;
  }

private:
  const RotatePlan& m_plan;
  std::mutex m_found;
  std::vector<FoundLine> m_lines;
};

class RemoveApplier {
public:
  explicit RemoveApplier(const RemovePlan& plan)
      : m_plan(plan), m_found(plan.identities.size(), false) {}
  void visit(const Line& line) {
    const std::vector<Identity>& identities = m_plan.identities;
    bool matched = false;
    for (const Identity& identity : identities) matched = matched || is_user(line, identity);
    if (!matched) return;
    const std::lock_guard lock(m_recording); // each line is visited once: recorded once
    for (std::size_t i = 0; i < identities.size(); ++i)
      if (is_user(line, identities[i])) m_found[i] = true;
    m_doomed.push_back(line.text);
  }
  EditStatus preview() const {
    for (bool found : m_found)
      if (!found) return EditStatus::NotFound;
    return EditStatus::Done;
  }
  EditResult apply(LineEdits& edits) const {
    EditResult result;
    for (std::size_t i = 0; i < m_found.size(); ++i)
      if (!m_found[i]) result.missing.push_back(m_plan.identities[i]);
    if (!result.missing.empty()) {
      result.status = EditStatus::NotFound;
      return result;
    }
    for (std::string_view line : m_doomed) edits.erase(line);
    result.removed_lines = m_doomed.size();
    return result;
  }

private:
  const RemovePlan& m_plan;
  std::mutex m_recording;
  std::vector<bool> m_found; // per identity
  std::vector<std::string_view> m_doomed;
};

// The accounts of an import by domain then URL-unescaped user, so that one pass over the
// userdb finds the lines of every listed user without a key per line.
class ImportApplier {
public:
  explicit ImportApplier(const ImportPlan& plan) : m_plan(plan) {
    const std::vector<AccountChange>& accounts = plan.accounts;
    m_users.reserve(accounts.size());
    for (const AccountChange& account : accounts)
      m_users.push_back({url_unescape(account.identity.user), account.identity.domain, {}});
    for (std::size_t i = 0; i < m_users.size(); ++i)
      m_by_domain[m_users[i].domain][m_users[i].user] = i;
  }

  // Keeps the lines of listed users.
  void visit(const Line& line) {
    if (line.kind != LineKind::Auth) return;
    const auto domain = m_by_domain.find(line.entry.domain);
    if (domain == m_by_domain.end()) return;
    std::string storage;
    const std::string_view user = url_unescape(line.entry.user, storage);
    if (const auto found = domain->second.find(user); found != domain->second.end()) {
      const std::lock_guard lock(m_recording);
      m_users[found->second].lines.push_back(found_line(line));
    }
  }

  EditStatus preview() const { return EditStatus::Done; }

  EditResult apply(LineEdits& edits) const {
    EditResult result;
    result.policy = m_plan.request.policy;
    for (std::size_t i = 0; i < m_plan.accounts.size(); ++i) {
      const AccountChange& account = m_plan.accounts[i];
      // An account with an auth_user is one account of the user (Flexisip keeps one per
      // user-id): only its lines change, and a user without it gets it as a new account.
      std::vector<const FoundLine*> lines;
      for (const FoundLine& line : m_users[i].lines)
        if (account.auth_user.empty() ||
            url_unescape(line.user_id.empty() ? account.identity.user : line.user_id) ==
                url_unescape(account.auth_user))
          lines.push_back(&line);
      if (lines.empty()) {
        edits.append(auth_line(account.identity,
                               make_credentials(account.identity, account.password,
                                                m_plan.request.policy, account.auth_user),
                               account.auth_user, account.phone));
        ++result.added;
        continue;
      }
      for (const FoundLine* line : lines)
        rotate_line(edits, m_plan.request, account, *line, account.phone);
      ++result.rotated;
    }
    return result;
  }

private:
  struct User {
    std::string user, domain;
    std::vector<FoundLine> lines;
  };
  const ImportPlan& m_plan;
  std::mutex m_recording;
  std::vector<User> m_users; // views in the maps point here: reserved, never reallocated
  std::unordered_map<std::string_view, std::unordered_map<std::string_view, std::size_t>>
      m_by_domain;
};

} // namespace

struct LineApplier::State {
  explicit State(const AddPlan& plan) : applier(std::in_place_type<AddApplier>, plan) {}
  explicit State(const RotatePlan& plan) : applier(std::in_place_type<RotateApplier>, plan) {}
  explicit State(const RemovePlan& plan) : applier(std::in_place_type<RemoveApplier>, plan) {}
  explicit State(const ImportPlan& plan) : applier(std::in_place_type<ImportApplier>, plan) {}
  std::variant<AddApplier, RotateApplier, RemoveApplier, ImportApplier> applier;
};

LineApplier::LineApplier(const EditPlan& plan)
    : m_state(std::visit([](const auto& one) { return std::make_unique<State>(one); }, plan)) {}

LineApplier::~LineApplier() = default;

void LineApplier::visit(const Line& line) {
  std::visit([&](auto& applier) { applier.visit(line); }, m_state->applier);
}

EditStatus LineApplier::preview() const {
  return std::visit([](const auto& applier) { return applier.preview(); }, m_state->applier);
}

EditResult LineApplier::apply(LineEdits& edits) const {
  return std::visit([&](const auto& applier) { return applier.apply(edits); }, m_state->applier);
}

} // namespace sipcred::userdb
