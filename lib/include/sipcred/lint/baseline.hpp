#pragma once
// A baseline: the findings a project accepts for now, so that a linter adopted on an old
// userdb reports only new ones. A finding is recorded by code, file and a fingerprint of its
// subject (what it is about: a user, a setting), never by its line number or its bytes, so it
// survives edits elsewhere in the file and holds no secret. Findings without a subject (about
// the whole file, or on a line that does not parse) are told apart only by code and file: a
// baseline holding two SC107 of users accepts any two, and reports a third.
//
// The file, line-based so that it diffs and reviews well (sipcred-lint(1), BASELINE):
//   sipcred-lint baseline 1
//   # comments and blank lines are ignored
//   CODE COUNT FINGERPRINT FILE          e.g. SC122 1 0d4f3c2b1a098765 deploy/users

#include "sipcred/export.hpp"
#include "sipcred/lint/lint.hpp"

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace sipcred::lint {

// 16 hex digits of SHA-256 over the code, the file (lexically normalized: "./users" is
// "users") and the subject.
SIPCRED_EXPORT std::string fingerprint(const Finding& finding);

// For each finding, its fingerprint and its rank (1, 2...) among the findings of the same
// fingerprint, in order: together unique in a run, as SARIF and GitLab want them.
struct SIPCRED_EXPORT FindingIdentity {
  std::string fingerprint;
  std::size_t occurrence = 1;
};
SIPCRED_EXPORT std::vector<FindingIdentity> identities(const std::vector<Finding>& findings);

class SIPCRED_EXPORT Baseline {
public:
  // What `findings` would leave behind.
  static Baseline of(const std::vector<Finding>& findings);
  // Reads a baseline file named `name` (for messages). Error(DataError) "NAME:LINE:COL: ..."
  // when it is malformed.
  static Baseline parse(std::string_view content, const std::string& name);

  std::string text() const;
  // Removes the findings the baseline holds (for each key, as many as it counts, the first
  // ones in order); returns how many were removed.
  std::size_t filter(std::vector<Finding>& findings) const;

private:
  using Key = std::tuple<std::string, std::string, std::string>; // code, file, fingerprint
  std::map<Key, std::size_t> m_counts;
};

} // namespace sipcred::lint
