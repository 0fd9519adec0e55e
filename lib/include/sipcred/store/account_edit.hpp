#pragma once
// sipcred-user's edits on a store that is not a userdb (a database, a FreeSWITCH directory):
// the same EditPlan that a userdb applies as line edits (userdb::EditSession), applied account
// by account in one StoreEdit, so one command is one transaction.

#include "sipcred/export.hpp"
#include "sipcred/store/store.hpp"
#include "sipcred/userdb/edit_plan.hpp"

#include <string>
#include <vector>

namespace sipcred {

// One account an edit changed (or, in a dry run, would change).
struct SIPCRED_EXPORT AccountChangeMade {
  enum class Kind { Added, Rotated, Removed };
  Kind kind = Kind::Added;
  std::string identity;             // user@domain
  std::vector<HashFunction> hashes; // the hashes it now stores
  bool clear_text = false;          // it now stores the clear password
};

struct SIPCRED_EXPORT AccountEditOutcome {
  userdb::EditResult result;              // removed_lines counts the accounts removed
  std::vector<AccountChangeMade> changes; // in the plan's order
};

// Error(Usage) for what the plan asks and the store could not hold or its server not use: a
// digest username other than the user, a phone, a hash, clear text. Before any password is
// asked: call it on a plan whose passwords are still empty. A policy with no hashes and no
// clear text asks for the store's default: every hash it holds.
SIPCRED_EXPORT void check_plan_for(const Store& store, const userdb::EditPlan& plan);

// Applies `plan` in one store.begin_edit() and commits it, unless `dry_run` or the plan cannot
// be made (outcome.result.status says why). Throws what check_plan_for() throws, and
// Error(DataError) for a password the store cannot hold.
SIPCRED_EXPORT AccountEditOutcome apply_plan(Store& store, const userdb::EditPlan& plan,
                                             bool dry_run);

} // namespace sipcred
