#pragma once
// The indexes of SQLite tables that a bulk load fills from empty: dropped when the load starts
// and built again from their own CREATE INDEX text when it ends, in the same transaction.
// SQLite builds an index from sorted rows several times faster than it inserts the rows into it
// one by one. An index declared inside CREATE TABLE cannot be dropped: it stays, and works as
// usual.

#include <soci/soci.h>

#include <string>
#include <vector>

namespace sipcred {

class SqliteDeferredIndexes {
public:
  SqliteDeferredIndexes(soci::session& session, const std::vector<std::string>& tables);
  // Builds the dropped indexes again, in their order. Throws DuplicateKey when a unique one is
  // refused (that one and those after it are left to build: call it again), DatabaseError for
  // any other failure.
  void rebuild();

private:
  soci::session& m_session;
  std::vector<std::string> m_dropped; // CREATE INDEX statements still to run, in order
};

} // namespace sipcred
