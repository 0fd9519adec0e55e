#pragma once
// What an edit of a store's users does, said before any store is touched: add one account,
// give a user a new password, remove users, import many. A plan says what, not how: a userdb
// applies it as line edits (EditSession); a database can apply the same plan in one
// transaction, which is why it names accounts and passwords, never lines.

#include "sipcred/export.hpp"
#include "sipcred/userdb/user_edit.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sipcred::userdb {

// The credentials an edit asks for. A new account gets the policy; a rotated one keeps the
// kinds it has (clear text, or its hashes) unless kinds were asked for, as an administrator
// rotating a password does not mean to change what the server can challenge with.
struct SIPCRED_EXPORT CredentialRequest {
  CredentialPolicy policy;
  bool kinds_asked =
      false; // policy.hashes / policy.clear_text were asked for (its realm always is)
};

// One account an edit names.
struct SIPCRED_EXPORT AccountChange {
  Identity identity;
  // Add: the new account's user-id (as written, empty for the user). Rotate, import: only the
  // account of the user with that digest username changes (empty: every account of the user).
  std::string auth_user;
  // Add, import: the phone. Import: empty keeps the phone of a rotated line.
  std::string phone;
  // The new password. A view: the caller owns the secret and wipes it. May be left empty in a
  // plan that is only checked (check_plan, preview).
  std::string_view password;
  // Where the change was asked for ("list.csv:3"), put before its errors; may be empty.
  std::string place;
};

struct SIPCRED_EXPORT AddPlan {
  AccountChange account;
  CredentialPolicy policy;
};
// Every account of the user (or the one auth_user names) gets the new password: an old one
// must not stay usable anywhere.
struct SIPCRED_EXPORT RotatePlan {
  AccountChange account;
  CredentialRequest request;
};
// All of the users' accounts, or nothing when one of the users is missing.
struct SIPCRED_EXPORT RemovePlan {
  std::vector<Identity> identities;
};
// Each account is rotated when the user has it, added otherwise; all in one write.
struct SIPCRED_EXPORT ImportPlan {
  std::vector<AccountChange> accounts;
  CredentialRequest request;
};
using EditPlan = std::variant<AddPlan, RotatePlan, RemovePlan, ImportPlan>;

enum class EditStatus {
  Done,     // the edit can be (or was) made
  Exists,   // add: the user is there already
  NotFound, // rotate, remove: a user named is not there (see EditResult::missing)
};

struct SIPCRED_EXPORT EditResult {
  EditStatus status = EditStatus::Done;
  std::vector<Identity> missing; // NotFound: the users not found, in the plan's order
  CredentialPolicy policy;       // add, rotate: what the (last) account written stores
  std::size_t added = 0;         // accounts added (import: users)
  std::size_t rotated = 0;       // users rotated
  std::size_t removed_lines = 0; // remove: lines removed
};

// Error(Usage) for a plan the server could not use, found before a password is asked or a
// store opened: credentials it could never match (check_policy), a phone a new account could
// not carry (check_phone). Errors of an import name the account's place.
SIPCRED_EXPORT void check_plan(const EditPlan& plan);

} // namespace sipcred::userdb
