#pragma once
// A Flexisip version:1 userdb as a Store. Reading streams the file; a write edits it as a
// Document (every other line kept byte for byte) and replaces it through AtomicFile.

#include "sipcred/store/store.hpp"
#include "sipcred/userdb/userdb.hpp"

#include <string>
#include <unordered_map>

namespace sipcred {

class FileStore : public Store {
public:
  FileStore(std::string path, const StoreOptions& options);
  CredentialNeeds needs() const override;
  std::string refusal(const Account& account) const override;
  std::optional<std::size_t> size_hint() override;
  void read(const std::function<void(Account&&)>& visit) override;
  std::unique_ptr<StoreWriter> begin_write(OnConflict on_conflict) override;
  // As Flexisip's file backend: by user, domain and digest username (the user-id, else the
  // user), the last line of those three winning.
  std::optional<Account> lookup(const Account& account) override;

private:
  std::string m_path;
  StoreOptions m_options;
  std::unordered_map<std::string, Account> m_index; // by lookup_key, built by the first lookup
  bool m_indexed = false;
};

// The account of an auth line as Flexisip uses it: the clear text if any, else its hashes
// (taken to be for `realm`, or the line's domain when empty).
Account account_of(const userdb::Entry& entry, const std::string& realm);
// The entry that writes `account` (its user URL-escaped where the userdb alphabet needs it).
userdb::EntrySpec entry_spec_of(const Account& account);

} // namespace sipcred
