#pragma once
// The one edit engine of a userdb, the shadow-utils commonio way: lock the file, read it in one
// pass, keep every line the plan does not change byte for byte (comments, unparsable lines,
// CRLF), make the plan's changes as line edits, and replace the file atomically (AtomicFile).
// A file Flexisip would refuse is refused whole: nothing is changed.

#include "sipcred/export.hpp"
#include "sipcred/userdb/edit_plan.hpp"
#include "sipcred/userdb/line_edits.hpp"
#include "sipcred/util/atomic_file.hpp"
#include "sipcred/util/diagnostic.hpp"

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace sipcred::userdb {

// One unlocked pass over the file (AtomicFile replaces files whole, so a reader needs no lock),
// for a quick look before a person types a password: the status applying `plan` would have,
// with the new credentials of a rotate checked (Error(Usage)). Throws InvalidStoreData, with
// every problem found, for a file Flexisip would refuse.
SIPCRED_EXPORT EditStatus preview(const std::string& path, const EditPlan& plan);

class SIPCRED_EXPORT EditSession {
public:
  // Locks the file (Error(TempFail) when another writer holds it too long), reads it in one
  // pass to find the lines `plan` changes, and makes the plan's edits in memory. Throws
  // InvalidStoreData, with every problem found, for a file Flexisip would refuse, and what
  // make_credentials throws for a change the file cannot hold. The file stays locked until
  // the session ends; nothing is written before commit().
  EditSession(const std::string& path, const EditPlan& plan);
  EditSession(const EditSession&) = delete;
  EditSession& operator=(const EditSession&) = delete;

  // Done, or why the plan was not applied (then commit() must not be called).
  const EditResult& result() const { return m_result; }
  // The warnings and notes of the file as read (errors were thrown).
  const std::vector<Diagnostic>& findings() const { return m_findings; }

  // Replaces the file with the edits.
  void commit();

  // What the commit changed, for reporting findings: the lines of the original it replaced or
  // removed (their findings are gone with them) and the findings of the lines it wrote,
  // numbered as in the original (appended ones after its last line). Numbering counts the line
  // ends up to the last edit, so it is only done when there is something to report: both are
  // empty when neither the file nor the written lines have a finding.
  struct Written {
    std::set<std::size_t> replaced;
    std::vector<Diagnostic> findings;
  };
  Written written() const;

  // The lines the edits change, numbered as in the original: those they replace or remove,
  // and how many lines they append after the last one. What a dry run reports.
  struct Changed {
    std::set<std::size_t> replaced;
    std::size_t appended = 0;
  };
  Changed changed() const;

private:
  AtomicFile m_file;
  std::string_view m_content; // the locked file, mapped
  LineEdits m_edits;          // views into m_content
  std::vector<Diagnostic> m_findings;
  EditResult m_result;
};

} // namespace sipcred::userdb
