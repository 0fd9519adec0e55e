#pragma once
// MySQL/MariaDB errors that SOCI gives without a category: only its backend's exception carries
// the server's error number. Kept in a file of its own: SOCI's MySQL header needs the client
// library's headers.

#include "sipcred/util/error.hpp"

#include <soci/soci.h>

#include <optional>

namespace sipcred {

// Whether the error is the refusal of a duplicate value for a unique key (ER_DUP_ENTRY).
bool is_mysql_duplicate_key(const soci::soci_error& error);

// Whether the server (or the client library) refuses LOAD DATA LOCAL INFILE.
bool is_mysql_local_infile_refused(const soci::soci_error& error);

// The kind of a MySQL/MariaDB error (see database_error_kind); nullopt for another database's.
std::optional<ErrorKind> mysql_error_kind(const soci::soci_error& error);

} // namespace sipcred
