#pragma once
// FreeSWITCH's directory XML as a Store (freeswitch:PATH): PATH is a directory of user files as
// conf/directory/<domain>/ holds them (one <include><user id="ID">...</user></include> a file,
// written as ID.xml), or one XML file (a <document> with a directory <section> of <domain>s, or
// an <include> of users). A PATH that exists is what it is; a new one is a file when its name
// ends in ".xml", else a directory. The users of a directory, and of a file that does not name
// their domain, are of the domain --realm gives (StoreOptions::realm): without it, opening a
// directory is Error(Usage), as is reading a user whose domain nothing names.
//
// Writes and edits change the users in place (freeswitch_xml.hpp): each changed file is
// replaced atomically (AtomicFile, new ones mode 0600); a directory is changed file by file.

#include "sipcred/store/store.hpp"

#include <memory>

namespace sipcred {

std::unique_ptr<Store> open_freeswitch_store(const Locator& locator, const StoreOptions& options);

} // namespace sipcred
