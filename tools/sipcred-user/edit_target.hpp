#pragma once
// Where an edit of sipcred-user goes: a userdb, edited under its lock and replaced atomically
// (userdb::EditSession), or another store, edited in one transaction (sipcred::apply_plan).
// The commands make the same plan for both and let the target apply it.

#include "commands.hpp"

#include "sipcred/store/store.hpp"
#include "sipcred/userdb/edit_plan.hpp"

#include <memory>
#include <string>

namespace sipcred::user_tool {

class EditTarget {
public:
  virtual ~EditTarget() = default;
  // The store for messages: the path as typed, or the locator with its password masked.
  virtual const std::string& name() const = 0;
  // Error(Usage) for a plan this store could not hold or its server not use, found before a
  // password is asked.
  virtual void check(const userdb::EditPlan& plan) const = 0;
  // The plan's status without writing or waiting for other writers: a terminal user types no
  // password for an edit that cannot be made.
  virtual userdb::EditStatus preview(const userdb::EditPlan& plan) = 0;
  // Applies the plan (the passwords set) and, when it can be made, writes it unless this is a
  // dry run; then reports what was (or would be) changed.
  virtual userdb::EditResult apply(const userdb::EditPlan& plan) = 0;
  // Whether the hashes' names are a userdb's prefixes ("md5") or the algorithms' ("MD5").
  virtual bool names_userdb_prefixes() const = 0;
};

// The target of options.file: a userdb path, or another store's locator (--schema, the
// database password). Error(Usage) for a store that cannot be edited.
std::unique_ptr<EditTarget> open_edit_target(const Options& options);

// Whether options.file names a userdb (a plain path): the commands that only a userdb has.
bool names_userdb(const Options& options);

// The store options.file names, other than a userdb, opened for sipcred-user's options.
std::unique_ptr<Store> open_other_store(const Options& options, bool create_schema = false);

} // namespace sipcred::user_tool
