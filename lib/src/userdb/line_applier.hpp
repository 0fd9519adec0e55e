#pragma once
// An EditPlan applied to a userdb: the lines it changes are found in the one scan of the file
// (visit), then the plan becomes line edits of those lines (apply), so that every other byte
// of the file is written back as it was. Library plumbing behind EditSession and preview.

#include "sipcred/userdb/edit_plan.hpp"
#include "sipcred/userdb/line_edits.hpp"
#include "sipcred/userdb/userdb.hpp"
#include "userdb/userdb_scan.hpp"

#include <memory>

namespace sipcred::userdb {

class LineApplier {
public:
  // The plan must outlive the applier.
  explicit LineApplier(const EditPlan& plan);
  ~LineApplier();
  LineApplier(const LineApplier&) = delete;
  LineApplier& operator=(const LineApplier&) = delete;

  // Called for every line of the file once, from two threads at once (see
  // scan_lines_in_parallel): keeps copies of the lines the plan changes.
  void visit(const Line& line);

  // What apply would say, without credentials (no password yet): the status, and for a rotate
  // the new credentials of each line checked (Error(Usage)), so that a person is not asked a
  // password for a change that would be refused.
  EditStatus preview() const;

  // The plan's edits of the visited lines. Nothing is added to `edits` unless the status is
  // Done. Throws what make_credentials throws (a password a userdb cannot hold...).
  EditResult apply(LineEdits& edits) const;

private:
  struct State;
  std::unique_ptr<State> m_state;
};

} // namespace sipcred::userdb
