#include "sipcred/migration.hpp"

#include <algorithm>
#include <unordered_set>

namespace sipcred {

namespace {

std::string describe(const Credential& credential) {
  return credential.is_clear_text() ? "clear-text password"
                                    : std::string(hash_name(*credential.hash)) + " hash";
}

} // namespace

void AccountNotes::add(std::string identity, std::string reason) {
  if (count++ < listed_at_most) {
    listed.push_back({std::move(identity), std::move(reason)});
  }
}

bool MigrationReport::refused(const MigrationOptions& options) const {
  return (!conflicts.empty() && options.on_conflict == OnConflict::Fail) ||
         (!unconvertible.empty() && !options.skip_unconvertible);
}

MigrationReport migrate(Store& source, Store& destination, const MigrationOptions& options,
                        const std::function<void(std::size_t)>& progress) {
  MigrationReport report;
  const CredentialNeeds needs = destination.needs();
  auto writer = destination.begin_write(options.on_conflict);
  source.read([&](Account&& account) {
    ++report.read;
    Conversion conversion = convert_account(account, needs);
    for (auto& what : conversion.dropped) {
      report.dropped.add(account.identity(), what + " not kept");
    }
    if (!conversion.unconvertible.empty()) {
      report.unconvertible.add(account.identity(), conversion.unconvertible);
    } else {
      // Written even when the run will fail, so that every conflict is listed at once.
      switch (writer->write(conversion.account)) {
      case WriteResult::Inserted:
        ++report.inserted;
        report.credentials += conversion.account.credentials.size();
        break;
      case WriteResult::Replaced:
        ++report.replaced;
        report.credentials += conversion.account.credentials.size();
        break;
      case WriteResult::Skipped:
        report.skipped.add(account.identity(), "already in the destination, left as it was");
        report.skipped_identities.push_back(account.identity());
        break;
      case WriteResult::Conflict:
        report.conflicts.add(account.identity(), "already in the destination");
        break;
      }
    }
    if (progress) {
      progress(report.read);
    }
  });
  if (!report.refused(options) && !options.dry_run) {
    writer->commit();
    report.committed = true;
  }
  return report; // an uncommitted writer rolls back as it goes
}

VerifyReport verify_migration(Store& source, Store& destination,
                              const std::vector<std::string>& unchanged,
                              const std::function<void(std::size_t)>& progress) {
  VerifyReport report;
  const std::unordered_set<std::string> left_alone(unchanged.begin(), unchanged.end());
  const CredentialNeeds needs = destination.needs();
  std::size_t seen = 0;
  source.read([&](Account&& account) {
    if (progress) {
      progress(++seen);
    }
    Conversion expected = convert_account(account, needs);
    if (!expected.unconvertible.empty() || left_alone.count(account.identity())) {
      return;
    }
    ++report.checked;
    auto stored = destination.lookup(expected.account);
    if (!stored) {
      report.differences.add(account.identity(), "not found by the server's lookup");
      return;
    }
    for (const auto& credential : expected.account.credentials) {
      auto& found = stored->credentials;
      if (std::find(found.begin(), found.end(), credential) == found.end()) {
        report.differences.add(account.identity(), describe(credential) + " missing or different");
      }
    }
  });
  return report;
}

} // namespace sipcred
