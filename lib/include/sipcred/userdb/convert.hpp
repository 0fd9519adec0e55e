#pragma once
// Clear-text passwords of a userdb to A1 hashes, streamed: a file of any size is converted
// with a bounded amount of memory, hashing on several threads.

#include "sipcred/digest/digest.hpp"
#include "sipcred/export.hpp"
#include "sipcred/util/diagnostic.hpp"
#include "sipcred/util/input_stream.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace sipcred::userdb {

struct SIPCRED_EXPORT ConvertOptions {
  std::vector<HashFunction> hashes{HashFunction::Md5, HashFunction::Sha256};
  bool drop_clear_text = false;
  std::string realm;    // realm of the new hashes; empty: each user's domain, as Flexisip does
  unsigned threads = 0; // 0: one a core, at most 32
  // Instead of converting: check the hashes that sit beside a clear text against it.
  bool verify = false;
};

struct SIPCRED_EXPORT ConvertReport {
  struct User {
    std::string identity;
    std::size_t line = 0;
    std::string reason; // never holds a password or a hash
  };
  std::size_t users = 0;          // auth lines seen
  std::size_t converted = 0;      // lines rewritten with new hashes
  std::size_t already_hashed = 0; // no clear text, and every requested hash present
  std::size_t skipped = 0;        // no clear text, and some requested hash missing
  std::size_t mismatch_count = 0; // verify: hashes that do not match their clear text
  // Converted lines whose clear text was left out although kept otherwise: with a user-id
  // other than the user, or a realm other than the domain, Flexisip's hashes of it could
  // never match what a client sends.
  std::size_t clear_text_dropped = 0;
  // The users behind `skipped` and `mismatch_count`, and why; at most `listed_at_most` of
  // each, so that memory stays bounded whatever the file holds.
  static constexpr std::size_t listed_at_most = 10'000;
  std::vector<User> not_converted;
  std::vector<User> mismatches;
};

// Streams `input`, a userdb, through the conversion and hands the result to `output` in
// order (nothing with `verify`). Problems of the input go to `diagnose`, in line order, as
// they are found (none is kept: a file with a warning on every line must not fill memory);
// the caller must discard the output when one is an error. Hashes beside a clear text
// (SC121-SC123) are not reported: they are what the conversion writes and verifies. A converted
// line holds the clear text (unless dropped) then the requested hashes in the order asked, followed
// by its user-id and phone: the order Flexisip reads, where hashes after the clear text are equal
// to what it derives. Other credentials of a converted line (ignored or unused by Flexisip) are not
// kept. Error(Usage) for a hash with no userdb prefix.
SIPCRED_EXPORT ConvertReport convert(InputStream& input,
                                     const std::function<void(std::string_view)>& output,
                                     const ConvertOptions& options,
                                     const std::function<void(const Diagnostic&)>& diagnose);

} // namespace sipcred::userdb
