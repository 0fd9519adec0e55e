#pragma once
// A userdb written as a Store (sipcred-migrate, convert into a userdb): the accounts are applied
// the way the edit engine applies a plan, as line edits of the locked file, every other line
// written back byte for byte, the file replaced (or created) atomically at commit.

#include "sipcred/store/store.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace sipcred::userdb {

// Flexisip keeps one account per user, digest username and domain (all URL-unescaped): the
// key of its password cache, and of the accounts a writer replaces.
std::string account_key(std::string_view user, std::string_view digest_username,
                        std::string_view domain);

// Throws InvalidStoreData for an existing file Flexisip would refuse (nothing is changed).
std::unique_ptr<StoreWriter> begin_file_write(const std::string& path, OnConflict on_conflict);

} // namespace sipcred::userdb
