#include "sipcred/store/account_edit.hpp"

#include "sipcred/userdb/userdb.hpp"
#include "sipcred/util/error.hpp"

#include <algorithm>
#include <tuple>

namespace sipcred {
namespace {

using userdb::AccountChange;
using userdb::CredentialPolicy;
using userdb::EditStatus;

bool holds(const std::vector<HashFunction>& hashes, HashFunction hash) {
  return std::find(hashes.begin(), hashes.end(), hash) != hashes.end();
}

std::string hash_list(const std::vector<HashFunction>& hashes) {
  std::string text;
  for (HashFunction hash : hashes)
    text += (text.empty() ? "" : ", ") + std::string(hash_name(hash));
  return text.empty() ? "none" : text;
}

// The policy made concrete for the store: no hash and no clear text asks for every hash it
// holds; clear text where the store derives the hashes itself (Flexisip) is stored alone.
CredentialPolicy for_store(CredentialPolicy policy, const CredentialNeeds& needs) {
  if (policy.clear_text && needs.clear_text_replaces_hashes)
    policy.hashes.clear();
  else if (policy.hashes.empty())
    policy.hashes = needs.hashes;
  return policy;
}

// The account of `change` as the store keeps it, with `password`'s credentials under `policy`
// (for_store). A rotation passes the account `stored`: its digest username is kept, and its
// phone unless the change gives one. Error(Usage) for what the store cannot hold; with an empty
// password, only that.
Account make_account(const Store& store, const CredentialNeeds& needs, const AccountChange& change,
                     const CredentialPolicy& policy, std::string_view password,
                     const Account* stored = nullptr) {
  const auto refuse = [&](ErrorKind kind, const std::string& why) {
    return Error(kind, (change.place.empty() ? "" : change.place + ": ") + change.identity.text() +
                           ": " + why);
  };
  Account account{userdb::url_unescape(change.identity.user), change.identity.domain, {}, {}, {}};
  std::string auth_user = stored ? stored->auth_user : userdb::url_unescape(change.auth_user);
  if (auth_user == account.user) auth_user.clear();
  if (!auth_user.empty() && !needs.keeps_auth_user)
    throw refuse(ErrorKind::Usage, "this store has no place for a digest username other than "
                                   "the user, so its server would never find '" +
                                       auth_user + "'");
  account.auth_user = auth_user;
  account.phone = stored && change.phone.empty() ? stored->phone : change.phone;
  if (!account.phone.empty() && !needs.keeps_phone)
    throw refuse(ErrorKind::Usage, "this store has no place for a phone number");
  const std::string realm = needs.realm.empty() ? account.domain : needs.realm;
  if (policy.clear_text) {
    if (!needs.clear_text) throw refuse(ErrorKind::Usage, "this store cannot hold clear text");
    if (needs.clear_text_only_at_domain && realm != account.domain)
      throw refuse(ErrorKind::Usage, "its server hashes clear text with the domain, not the "
                                     "realm '" +
                                         realm + "': leave out --clrtxt");
    if (needs.clear_text_hashes_user && !account.auth_user.empty())
      throw refuse(ErrorKind::Usage, "its server hashes clear text with the user, never the "
                                     "digest username: leave out --clrtxt");
    if (needs.clear_text_max_length > 0 && password.size() > needs.clear_text_max_length)
      throw refuse(ErrorKind::DataError, "the password is longer than the " +
                                             std::to_string(needs.clear_text_max_length) +
                                             " bytes this store's password column holds");
    account.credentials.push_back({std::nullopt, std::string(password), ""});
  }
  for (HashFunction hash : policy.hashes) {
    if (!holds(needs.hashes, hash))
      throw refuse(ErrorKind::Usage, "this store holds " + hash_list(needs.hashes) +
                                         " hashes, not " + std::string(hash_name(hash)));
    account.credentials.push_back(
        {hash,
         password.empty() ? std::string() : ha1(hash, account.digest_username(), realm, password),
         realm});
  }
  if (account.credentials.empty()) throw refuse(ErrorKind::Usage, "no credential to store");
  if (!(policy.clear_text && needs.clear_text_replaces_hashes))
    for (HashFunction hash : needs.required)
      if (!holds(policy.hashes, hash))
        throw refuse(ErrorKind::Usage, "its server needs a " + std::string(hash_name(hash)) +
                                           " hash, which was not asked for");
  if (!password.empty())
    if (const std::string refused = store.refusal(account); !refused.empty())
      throw refuse(ErrorKind::DataError, refused);
  return account;
}

// The kinds an existing account has, kept by a rotation that asks for none: an administrator
// rotating a password does not mean to change what the server can challenge with.
CredentialPolicy kinds_of(const Account& stored, const CredentialPolicy& asked) {
  CredentialPolicy policy;
  policy.realm = asked.realm;
  policy.hashes.clear();
  for (const Credential& credential : stored.credentials) {
    if (credential.is_clear_text())
      policy.clear_text = true;
    else if (!holds(policy.hashes, *credential.hash))
      policy.hashes.push_back(*credential.hash);
  }
  return policy;
}

AccountChangeMade made(AccountChangeMade::Kind kind, const Account& account) {
  AccountChangeMade change{kind, account.identity(), {}, false};
  for (const Credential& credential : account.credentials) {
    if (credential.is_clear_text())
      change.clear_text = true;
    else
      change.hashes.push_back(*credential.hash);
  }
  return change;
}

// The puts of an import, written together at its end. At namespace scope: clang cannot
// default-construct a nested struct with member initializers before its class is complete.
struct PendingPuts {
  std::vector<Account> accounts;
  std::vector<std::string_view> passwords; // the plan's
  bool repeat = false;                     // the next put() is of the last account's user again
};

class Applier {
public:
  Applier(Store& store, StoreEdit& edit) : m_store(store), m_edit(edit), m_needs(store.needs()) {}

  void operator()(const userdb::AddPlan& plan) {
    if (!add(plan.account, plan.policy)) m_outcome.result.status = EditStatus::Exists;
  }

  void operator()(const userdb::RotatePlan& plan) {
    if (!rotate(plan.account, plan.request)) {
      m_outcome.result.status = EditStatus::NotFound;
      m_outcome.result.missing.push_back(plan.account.identity);
    }
  }

  void operator()(const userdb::RemovePlan& plan) {
    for (const userdb::Identity& identity : plan.identities)
      if (!m_edit.find(userdb::url_unescape(identity.user), identity.domain))
        m_outcome.result.missing.push_back(identity);
    if (!m_outcome.result.missing.empty()) {
      m_outcome.result.status = EditStatus::NotFound;
      return;
    }
    for (const userdb::Identity& identity : plan.identities) {
      const std::string user = userdb::url_unescape(identity.user);
      if (m_edit.remove(user, identity.domain)) {
        ++m_outcome.result.removed_lines;
        m_outcome.changes.push_back(
            made(AccountChangeMade::Kind::Removed, Account{user, identity.domain, {}, {}, {}}));
      }
    }
  }

  void operator()(const userdb::ImportPlan& plan) {
    // Every account is looked up at once and written at once (StoreEdit::find_all, put_all),
    // by its name as stored (URL-unescaped), in the order of the (username, domain) index:
    // each lookup and insert then lands near the one before, instead of on a page anywhere in
    // a large table. Stable: a user listed twice is one name, whose later entry finds what the
    // earlier one made, and wins.
    struct Entry {
      StoreEdit::Name name;
      std::size_t position; // in the plan
    };
    std::vector<Entry> order;
    order.reserve(plan.accounts.size());
    for (std::size_t i = 0; i < plan.accounts.size(); ++i)
      order.push_back(
          {{userdb::url_unescape(plan.accounts[i].identity.user), plan.accounts[i].identity.domain},
           i});
    std::stable_sort(order.begin(), order.end(), [](const Entry& a, const Entry& b) {
      return std::tie(a.name.user, a.name.domain) < std::tie(b.name.user, b.name.domain);
    });
    const auto same = [](const StoreEdit::Name& a, const StoreEdit::Name& b) {
      return a.user == b.user && a.domain == b.domain;
    };
    std::vector<StoreEdit::Name> names;
    for (const Entry& entry : order)
      if (names.empty() || !same(names.back(), entry.name)) names.push_back(entry.name);
    std::vector<std::optional<Account>> found = m_edit.find_all(names);
    m_pending.emplace();
    std::vector<std::size_t> positions; // of each change made, in the plan
    std::size_t name = 0;
    for (std::size_t k = 0; k < order.size(); ++k) {
      const AccountChange& account = plan.accounts[order[k].position];
      if (k > 0 && same(order[k - 1].name, order[k].name)) {
        found[name] = m_pending->accounts.back();
        m_pending->repeat = true;
      } else if (k > 0) {
        ++name;
      }
      positions.push_back(order[k].position);
      const std::optional<Account>& stored = found[name];
      if (!stored) {
        add_new(account, plan.request.policy);
        continue;
      }
      if (!rotate(account, plan.request, *stored))
        throw Error(ErrorKind::Usage, (account.place.empty() ? "" : account.place + ": ") +
                                          account.identity.text() +
                                          " is there with another digest username than '" +
                                          account.auth_user + "' (nothing was changed)");
    }
    m_edit.put_all(m_pending->accounts, m_pending->passwords);
    m_pending.reset();
    // The changes are reported in the plan's order, as the list gave them.
    std::vector<std::size_t> by_position(positions.size());
    for (std::size_t k = 0; k < by_position.size(); ++k) by_position[k] = k;
    std::sort(by_position.begin(), by_position.end(),
              [&](std::size_t a, std::size_t b) { return positions[a] < positions[b]; });
    std::vector<AccountChangeMade> changes;
    changes.reserve(by_position.size());
    for (std::size_t k : by_position) changes.push_back(std::move(m_outcome.changes[k]));
    m_outcome.changes = std::move(changes);
  }

  AccountEditOutcome outcome() && { return std::move(m_outcome); }

private:
  std::optional<Account> find(const AccountChange& change) {
    return m_edit.find(userdb::url_unescape(change.identity.user), change.identity.domain);
  }

  bool add(const AccountChange& change, const CredentialPolicy& policy) {
    if (find(change)) return false;
    add_new(change, policy);
    return true;
  }

  void add_new(const AccountChange& change, const CredentialPolicy& policy) {
    const CredentialPolicy concrete = for_store(policy, m_needs);
    Account account = make_account(m_store, m_needs, change, concrete, change.password);
    m_outcome.result.policy = concrete;
    ++m_outcome.result.added;
    m_outcome.changes.push_back(made(AccountChangeMade::Kind::Added, account));
    put(std::move(account), change.password);
  }

  // Whether the account was there (and now has the new password).
  bool rotate(const AccountChange& change, const userdb::CredentialRequest& request) {
    const std::optional<Account> stored = find(change);
    return stored && rotate(change, request, *stored);
  }

  // Whether `stored` is the account the change names (and now has the new password).
  bool rotate(const AccountChange& change, const userdb::CredentialRequest& request,
              const Account& stored) {
    // One account per user in these stores: --auth-user names it, or names none.
    if (!change.auth_user.empty() &&
        userdb::url_unescape(change.auth_user) != stored.digest_username())
      return false;
    CredentialPolicy policy =
        request.kinds_asked ? request.policy : kinds_of(stored, request.policy);
    if (!policy.clear_text && policy.hashes.empty()) policy = request.policy; // nothing usable kept
    policy = for_store(policy, m_needs);
    Account account = make_account(m_store, m_needs, change, policy, change.password, &stored);
    m_outcome.result.policy = policy;
    ++m_outcome.result.rotated;
    m_outcome.changes.push_back(made(AccountChangeMade::Kind::Rotated, account));
    put(std::move(account), change.password);
    return true;
  }

  // Written now, or gathered for one put_all() during an import (the later entry of a user
  // listed twice replaces the earlier).
  void put(Account&& account, std::string_view password) {
    if (!m_pending) {
      m_edit.put(account, password);
      return;
    }
    if (m_pending->repeat) {
      m_pending->accounts.back() = std::move(account);
      m_pending->passwords.back() = password;
      m_pending->repeat = false;
      return;
    }
    m_pending->accounts.push_back(std::move(account));
    m_pending->passwords.push_back(password);
  }

  Store& m_store;
  StoreEdit& m_edit;
  CredentialNeeds m_needs;
  AccountEditOutcome m_outcome;
  std::optional<PendingPuts> m_pending; // during an import
};

void check_change(const Store& store, const CredentialNeeds& needs, const AccountChange& change,
                  const CredentialPolicy& policy) {
  make_account(store, needs, change, for_store(policy, needs), {}); // no password: no hashing
}

} // namespace

void check_plan_for(const Store& store, const userdb::EditPlan& plan) {
  if (!store.can_edit())
    throw Error(ErrorKind::Usage, "this kind of store cannot be edited account by account; "
                                  "sipcred-migrate writes it whole");
  const CredentialNeeds needs = store.needs();
  std::visit(
      [&](const auto& one) {
        using Plan = std::decay_t<decltype(one)>;
        if constexpr (std::is_same_v<Plan, userdb::AddPlan>) {
          check_change(store, needs, one.account, one.policy);
        } else if constexpr (std::is_same_v<Plan, userdb::RotatePlan>) {
          if (one.request.kinds_asked) check_change(store, needs, one.account, one.request.policy);
        } else if constexpr (std::is_same_v<Plan, userdb::ImportPlan>) {
          for (const AccountChange& account : one.accounts)
            check_change(store, needs, account, one.request.policy);
        }
      },
      plan);
}

AccountEditOutcome apply_plan(Store& store, const userdb::EditPlan& plan, bool dry_run) {
  check_plan_for(store, plan);
  const std::unique_ptr<StoreEdit> edit = store.begin_edit();
  Applier applier(store, *edit);
  std::visit(applier, plan);
  AccountEditOutcome outcome = std::move(applier).outcome();
  if (outcome.result.status == EditStatus::Done && !dry_run) edit->commit();
  return outcome;
}

} // namespace sipcred
