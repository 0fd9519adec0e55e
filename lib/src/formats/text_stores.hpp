#pragma once
// Other servers' account files as Stores: Apache htdigest, Asterisk pjsip.conf `type=auth`
// sections, and identity,password lists (CSV, JSON lines). They are read whole-line by line and
// written as new files only (created atomically, mode 0600): sipcred does not edit them.

#include "sipcred/store/store.hpp"

#include <memory>

namespace sipcred {

std::unique_ptr<Store> open_text_store(const Locator& locator, const StoreOptions& options);

} // namespace sipcred
