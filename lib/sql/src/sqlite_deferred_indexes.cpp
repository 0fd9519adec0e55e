#include "sqlite_deferred_indexes.hpp"

#include "sqlite_statement.hpp"

namespace sipcred {

namespace {

std::string quoted_name(const std::string& name) {
  std::string quoted = "\"";
  for (char c : name) {
    quoted += c;
    if (c == '"') {
      quoted += c;
    }
  }
  return quoted + "\"";
}

} // namespace

SqliteDeferredIndexes::SqliteDeferredIndexes(soci::session& session,
                                             const std::vector<std::string>& tables)
    : m_session(session) {
  std::vector<std::string> names;
  for (const auto& table : tables) {
    // sql is NULL for the indexes of constraints inside CREATE TABLE: those cannot be dropped.
    soci::rowset<soci::row> indexes =
        (m_session.prepare << "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                              "tbl_name = :t AND sql IS NOT NULL ORDER BY rowid",
         soci::use(table));
    for (const auto& index : indexes) {
      names.push_back(index.get<std::string>(0));
      m_dropped.push_back(index.get<std::string>(1));
    }
  }
  for (const auto& name : names) {
    m_session << "DROP INDEX " + quoted_name(name);
  }
}

void SqliteDeferredIndexes::rebuild() {
  while (!m_dropped.empty()) {
    SqliteStatement(m_session, m_dropped.front()).run();
    m_dropped.erase(m_dropped.begin());
  }
}

} // namespace sipcred
