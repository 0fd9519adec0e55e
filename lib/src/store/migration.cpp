#include "sipcred/store/migration.hpp"

#include "sipcred/digest/digest.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_set>

namespace sipcred {

namespace {

std::string describe(const Credential& credential) {
  return credential.is_clear_text() ? "clear-text password"
                                    : std::string(hash_name(*credential.hash)) + " hash";
}

// The HA1s kept for the other digest usernames the server accepts for the account (Kamailio's
// ha1b for user@domain): each hash written must be there, computed with that name. Only from
// clear text: without it, nothing could be derived and nothing was written for those names.
void verify_other_digest_usernames(Store& destination, const Account& expected,
                                   const std::string& identity, AccountNotes& differences) {
  const Credential* clear = expected.clear_text();
  if (!clear) {
    return;
  }
  for (const auto& other : destination.other_digest_usernames(expected)) {
    Account as_sent = expected;
    as_sent.auth_user = other.username;
    const std::string name = other.where + ": ";
    const std::string as_what = " for the digest username \"" + other.username + "\"";
    auto stored = destination.lookup(as_sent);
    if (!stored) {
      differences.add(identity, name + "not found by the server's lookup" + as_what);
      continue;
    }
    for (const auto& credential : expected.credentials) {
      if (credential.is_clear_text()) {
        continue;
      }
      const Credential wanted{credential.hash,
                              ha1(*credential.hash, other.username, credential.realm, clear->value),
                              credential.realm};
      auto& found = stored->credentials;
      if (std::find(found.begin(), found.end(), wanted) == found.end()) {
        differences.add(identity, name + describe(wanted) + as_what + " missing or different");
      }
    }
  }
}

// The account as DEST would keep it, unconvertible also when DEST's format cannot write it.
Conversion convert_for(const Store& destination, const Account& account,
                       const CredentialNeeds& needs) {
  Conversion conversion = convert_account(account, needs);
  if (conversion.unconvertible.empty()) {
    conversion.unconvertible = destination.refusal(conversion.account);
    if (!conversion.unconvertible.empty()) {
      conversion.account.credentials.clear();
      conversion.dropped.clear();
    }
  }
  return conversion;
}

} // namespace

bool MigrationReport::refused(const MigrationOptions& options) const {
  return (!conflicts.empty() && options.on_conflict == OnConflict::Fail) ||
         (!unconvertible.empty() && !options.skip_unconvertible);
}

namespace {

using Batch = std::vector<Conversion>;

// Batches of converted accounts, from the thread that reads SOURCE to the one that writes DEST:
// reading, parsing and hashing overlap the database's work. Bounded, so memory stays small.
class BatchQueue {
public:
  static constexpr std::size_t batch_size = 512;
  static constexpr std::size_t depth = 8;

  // False when the writer has given up: the reader should stop.
  bool push(Batch&& batch) {
    std::unique_lock lock(m_mutex);
    m_space.wait(lock, [&] { return m_batches.size() < depth || m_abandoned; });
    if (m_abandoned) {
      return false;
    }
    m_batches.push_back(std::move(batch));
    m_ready.notify_one();
    return true;
  }

  // The next batch; nullopt once the reader is done (then rethrow_reader_error()).
  std::optional<Batch> pop() {
    std::unique_lock lock(m_mutex);
    m_ready.wait(lock, [&] { return !m_batches.empty() || m_finished; });
    if (m_batches.empty()) {
      return std::nullopt;
    }
    Batch batch = std::move(m_batches.front());
    m_batches.pop_front();
    m_space.notify_one();
    return batch;
  }

  // A batch the writer is done with. The reader thread frees it: glibc frees memory that
  // another thread allocated slowly, under its arena's lock, and the writer is the busier one.
  void recycle(Batch&& batch) {
    std::lock_guard lock(m_mutex);
    m_spent.push_back(std::move(batch));
  }

  // An empty batch for the reader, a recycled one (its elements freed here) when there is one.
  Batch take_spent() {
    Batch spent;
    {
      std::lock_guard lock(m_mutex);
      if (!m_spent.empty()) {
        spent = std::move(m_spent.back());
        m_spent.pop_back();
      }
    }
    spent.clear();
    return spent;
  }

  void finish(std::exception_ptr error) {
    std::lock_guard lock(m_mutex);
    m_finished = true;
    m_error = std::move(error);
    m_ready.notify_one();
  }

  void abandon() {
    std::lock_guard lock(m_mutex);
    m_abandoned = true;
    m_space.notify_one();
  }

  void rethrow_reader_error() {
    std::lock_guard lock(m_mutex);
    if (m_error) {
      std::rethrow_exception(m_error);
    }
  }

private:
  std::mutex m_mutex;
  std::condition_variable m_ready, m_space;
  std::deque<Batch> m_batches;
  std::vector<Batch> m_spent;
  bool m_finished = false;
  bool m_abandoned = false;
  std::exception_ptr m_error;
};

struct ReaderStopped {}; // thrown through Store::read when the writer has given up

void read_and_convert(Store& source, const Store& destination, const CredentialNeeds& needs,
                      BatchQueue& queue) {
  try {
    Batch batch;
    source.read([&](Account&& account) {
      batch.push_back(convert_for(destination, account, needs));
      if (batch.size() == BatchQueue::batch_size) {
        if (!queue.push(std::move(batch))) {
          throw ReaderStopped{};
        }
        batch = queue.take_spent();
      }
    });
    if (!batch.empty()) {
      queue.push(std::move(batch));
    }
    queue.finish(nullptr);
  } catch (const ReaderStopped&) {
    queue.finish(nullptr);
  } catch (...) {
    queue.finish(std::current_exception());
  }
}

void note_domain(MigrationReport& report, const std::string& domain) {
  if (report.domains.size() < MigrationReport::listed_domains_at_most)
    report.domains.insert(domain);
  else if (!report.domains.contains(domain))
    report.more_domains = true;
}

void record(MigrationReport& report, StoreWriter& writer, Conversion& conversion) {
  // Built only for a note: the account's user and domain are SOURCE's.
  const auto identity = [&] { return conversion.account.identity(); };
  ++report.read;
  for (auto& what : conversion.dropped) {
    report.dropped.add(identity(), what + " not kept");
  }
  if (!conversion.unconvertible.empty()) {
    report.unconvertible.add(identity(), conversion.unconvertible);
    return;
  }
  note_domain(report, conversion.account.domain); // an account DEST holds after the run
  // An account written may be taken by the writer: its count is kept first.
  const std::size_t credentials = conversion.account.credentials.size();
  // Written even when the run will fail, so that every conflict is listed at once.
  switch (writer.write(std::move(conversion.account))) {
  case WriteResult::Inserted:
    ++report.inserted;
    report.credentials += credentials;
    break;
  case WriteResult::Replaced:
    ++report.replaced;
    report.credentials += credentials;
    break;
  case WriteResult::Skipped:
    report.skipped.add(identity(), "already in the destination, left as it was");
    report.skipped_identities.push_back(identity());
    break;
  case WriteResult::Conflict: report.conflicts.add(identity(), "already in the destination"); break;
  }
}

} // namespace

MigrationReport migrate(Store& source, Store& destination, const MigrationOptions& options,
                        const std::function<void(std::size_t)>& progress) {
  MigrationReport report;
  const CredentialNeeds needs = destination.needs();
  auto writer = destination.begin_write(options.on_conflict);
  BatchQueue queue;
  std::thread reader(read_and_convert, std::ref(source), std::cref(destination), std::cref(needs),
                     std::ref(queue));
  try {
    while (auto batch = queue.pop()) {
      for (auto& converted : *batch) {
        record(report, *writer, converted);
      }
      queue.recycle(std::move(*batch));
      if (progress) {
        progress(report.read);
      }
    }
  } catch (...) {
    queue.abandon();
    reader.join();
    throw; // the writer rolls back as it is destroyed
  }
  reader.join();
  queue.rethrow_reader_error();
  report.duplicates = writer->settle();
  // Each duplicate was counted as written; only its last entry is in DEST.
  report.inserted -= report.duplicates.notes.count;
  report.credentials -= report.duplicates.credentials;
  if (!report.refused(options) && !options.dry_run) {
    writer->commit();
    report.committed = true;
  }
  return report; // an uncommitted writer rolls back as it goes
}

VerifyReport verify_migration(Store& source, Store& destination, const MigrationReport& migrated,
                              const std::function<void(std::size_t)>& progress) {
  VerifyReport report;
  const auto& unchanged = migrated.skipped_identities;
  const std::unordered_set<std::string> left_alone(unchanged.begin(), unchanged.end());
  // Entries still to come before the last one of a repeated account, the one DEST keeps.
  std::map<std::string, std::size_t> replaced_later = migrated.duplicates.earlier;
  const CredentialNeeds needs = destination.needs();
  std::size_t seen = 0;
  source.read([&](Account&& account) {
    if (progress) {
      progress(++seen);
    }
    Conversion expected = convert_for(destination, account, needs);
    if (!expected.unconvertible.empty() || left_alone.count(account.identity())) {
      return;
    }
    if (auto repeated = replaced_later.find(account.identity());
        repeated != replaced_later.end() && repeated->second > 0) {
      --repeated->second;
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
    verify_other_digest_usernames(destination, expected.account, account.identity(),
                                  report.differences);
  });
  return report;
}

} // namespace sipcred
