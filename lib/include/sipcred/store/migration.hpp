#pragma once
// Copying every account of one store into another, exactly and all at once (sipcred-migrate).

#include "sipcred/export.hpp"
#include "sipcred/store/store.hpp"

#include <cstddef>
#include <functional>
#include <set>
#include <string>
#include <vector>

namespace sipcred {

struct SIPCRED_EXPORT MigrationOptions {
  OnConflict on_conflict = OnConflict::Fail;
  bool skip_unconvertible = false; // write the others; by default any unconvertible fails the run
  bool dry_run = false;            // do everything but commit
};

struct SIPCRED_EXPORT MigrationReport {
  std::size_t read = 0;
  std::size_t inserted = 0;
  std::size_t replaced = 0;
  std::size_t credentials = 0; // credentials written
  AccountNotes skipped;        // conflicts left as they were (--on-conflict skip)
  AccountNotes conflicts;      // accounts DEST already has (--on-conflict fail)
  AccountNotes unconvertible;  // accounts DEST cannot hold without a wrong credential
  AccountNotes dropped;        // credentials DEST has no place for
  Duplicates duplicates;       // entries SOURCE repeats: the last one of each was kept
  std::vector<std::string> skipped_identities; // all of them, for verify_migration
  // The domains of the accounts DEST holds after the run, unconvertible ones left out (for
  // the server's auth-domains): the first `listed_domains_at_most` distinct ones met, so that
  // a store with a domain for every user does not fill memory; `more_domains` when there were
  // others.
  static constexpr std::size_t listed_domains_at_most = 100;
  std::set<std::string> domains;
  bool more_domains = false;
  bool committed = false;

  // Whether the run failed: conflicts to fail on, or unconvertible accounts not skipped.
  bool refused(const MigrationOptions& options) const;
};

// Reads SOURCE once and writes DEST in one transaction, committed only when nothing is refused
// and not a dry run. `progress` is called with the number of accounts read so far.
SIPCRED_EXPORT MigrationReport migrate(Store& source, Store& destination,
                                       const MigrationOptions& options,
                                       const std::function<void(std::size_t)>& progress = {});

struct SIPCRED_EXPORT VerifyReport {
  std::size_t checked = 0;
  AccountNotes differences;
};

// Reads every migrated account back from DEST as its server does (Store::lookup) and checks
// that each credential the migration wrote is there; where the server also accepts the account
// under another digest username (Store::other_digest_usernames: Kamailio's user@domain, from
// ha1b), that the hashes kept for that name match the clear text written. Accounts the
// migration left alone (unconvertible, or skipped conflicts) are not checked, nor entries a
// later entry of the same account replaced.
SIPCRED_EXPORT VerifyReport verify_migration(Store& source, Store& destination,
                                             const MigrationReport& migrated,
                                             const std::function<void(std::size_t)>& progress = {});

} // namespace sipcred
