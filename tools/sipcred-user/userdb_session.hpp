#pragma once
// Opening a userdb the way every sipcred-user command does: a file Flexisip would refuse is
// refused too (its diagnostics printed), and edits go through one locked AtomicFile.

#include "sipcred/atomic_file.hpp"
#include "sipcred/userdb.hpp"

#include <string>

namespace sipcred::user_tool {

// Parses `content` read from `path`; prints its diagnostics on stderr (warnings and notes
// only when not `quiet`) and throws Error(DataError) when it has errors.
userdb::Document parse_or_refuse(std::string content, const std::string& path, bool quiet);

// For reading commands: no lock needed, AtomicFile replaces files whole.
userdb::Document load_userdb(const std::string& path, bool quiet);

// For editing commands: the file stays locked from reading to replacing.
class EditSession {
public:
  EditSession(const std::string& path, bool quiet);
  userdb::Document& document() { return m_document; }
  void commit() { m_file.replace(m_document.content()); }

private:
  AtomicFile m_file;
  userdb::Document m_document;
};

} // namespace sipcred::user_tool
