#pragma once
// The audit of a store's credentials (sipcred-lint --audit): clear text at rest, MD5 alone where
// SHA-256 is offered, passwords found in word lists or derived from the account, shared and
// short passwords. Findings are lint Findings (codes SC6xx of the rule table), each naming its
// account in `subject`; they never hold a password unless AuditRequest::show_passwords.

#include "sipcred/export.hpp"
#include "sipcred/lint/lint.hpp"
#include "sipcred/store/store.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace sipcred::lint {

struct SIPCRED_EXPORT AuditRequest {
  // A store locator (store.hpp), or the path of a flexisip.conf, whose store is audited in the
  // config's context (and whose own rules, with its userdb's, are reported too).
  std::string store;
  // A flexisip.conf giving the context (available algorithms, realm) of `store`; may be empty.
  std::string config;
  StoreOptions store_options;         // schema of an SQL store, realm of a file store
  std::vector<std::string> wordlists; // files of one candidate a line
  std::size_t min_length = 8;         // SC607 below this many bytes of clear text; 0: off
  bool show_passwords = false;        // name the password found in the message
  unsigned threads = 0;               // hashing threads; 0: one a core
  // The password of a PostgreSQL or MySQL store (with_connection_password), read by the caller
  // elsewhere than argv; empty: none, or in the connection string.
  std::string db_password;
};

// How far the audit is: `done` of `total` units of work (bytes of word list times accounts).
using AuditProgress = std::function<void(std::size_t done, std::size_t total)>;

// Whether `path` is a flexisip.conf rather than a userdb: its first line that is neither blank
// nor a comment is a [section] header.
SIPCRED_EXPORT bool looks_like_flexisip_config(const std::string& path);

// Audits the store. Findings of the ordinary rules on the same files come first (a userdb's
// SC1xx/SC4xx, a config's), then the audit's in store order; a finding that an ordinary rule
// already reports for an account (SC121/SC122 beside SC602) is not repeated. Throws what
// open_store and Store::read throw, and Error(NoInput) for an unreadable word list.
SIPCRED_EXPORT std::vector<Finding> audit(const AuditRequest& request,
                                          const AuditProgress& progress = {});

} // namespace sipcred::lint
