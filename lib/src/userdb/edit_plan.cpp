#include "sipcred/userdb/edit_plan.hpp"

#include "sipcred/util/error.hpp"

namespace sipcred::userdb {
namespace {

void check(const AddPlan& plan) {
  const AccountChange& account = plan.account;
  check_phone(account.identity, account.auth_user, account.phone);
  check_policy(account.identity, plan.policy, account.auth_user);
}

void check(const RotatePlan& plan) {
  check_policy(plan.account.identity, plan.request.policy, plan.account.auth_user);
}

void check(const RemovePlan&) {}

// A new account gets the requested policy: one it cannot serve is refused before any change.
void check(const ImportPlan& plan) {
  for (const AccountChange& account : plan.accounts) {
    try {
      check_policy(account.identity, plan.request.policy, account.auth_user);
    } catch (const Error& error) {
      if (account.place.empty()) throw;
      throw Error(error.kind(), account.place + ": " + error.what());
    }
  }
}

} // namespace

void check_plan(const EditPlan& plan) {
  std::visit([](const auto& one) { check(one); }, plan);
}

} // namespace sipcred::userdb
