#pragma once
// Rows in PostgreSQL's COPY text format (tab-separated columns, one row per line). Data, not
// SQL: values need no quoting, only the escapes COPY itself reads back.

#include <string>
#include <string_view>

namespace sipcred {

// Appends a column value: backslash, tab, newline and carriage return escaped, every other byte
// as it is (the connection's client encoding applies, as for a bound parameter). `first` leaves
// out the tab that separates it from the previous column.
void append_copy_text(std::string& row, std::string_view value, bool first = false);
// Appends a NULL column.
void append_copy_null(std::string& row, bool first = false);

} // namespace sipcred
