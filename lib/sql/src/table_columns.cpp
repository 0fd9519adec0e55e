#include "table_columns.hpp"

#include "sipcred/util/ascii.hpp"

namespace sipcred {

namespace {

// An integer of a row whatever type the backend gives it (SQLite's PRAGMA results are typed by
// value, not by a declared column).
long long integer_of(const soci::row& row, std::size_t i) {
  if (row.get_indicator(i) == soci::i_null) return 0;
  switch (row.get_properties(i).get_data_type()) {
  case soci::dt_integer: return row.get<int>(i);
  case soci::dt_long_long: return row.get<long long>(i);
  case soci::dt_unsigned_long_long: return static_cast<long long>(row.get<unsigned long long>(i));
  case soci::dt_double: return static_cast<long long>(row.get<double>(i));
  default: return std::stoll(row.get<std::string>(i));
  }
}

} // namespace

std::vector<TableColumn> table_columns(soci::session& session, Dialect dialect,
                                       std::string_view table) {
  std::vector<TableColumn> columns;
  std::string name(table);
  if (dialect == Dialect::Sqlite) {
    // cid, name, type, notnull, dflt_value, pk. An INTEGER PRIMARY KEY is the rowid: generated.
    std::string quoted = "'";
    for (char c : name) quoted += c == '\'' ? std::string("''") : std::string(1, c);
    soci::rowset<soci::row> rows = session.prepare << "PRAGMA table_info(" + quoted + "')";
    for (const soci::row& row : rows) {
      const bool not_null = integer_of(row, 3) != 0;
      const bool has_default = row.get_indicator(4) != soci::i_null;
      const bool key = integer_of(row, 5) != 0;
      columns.push_back(
          {ascii_lowercase(row.get<std::string>(1)), not_null && !has_default && !key});
    }
    return columns;
  }
  // information_schema: a serial has a nextval() default; an identity column or MySQL's
  // AUTO_INCREMENT says so in is_identity / extra.
  const std::string generated = dialect == Dialect::Postgresql
                                    ? "CASE WHEN is_identity = 'YES' OR is_generated = 'ALWAYS' "
                                      "THEN 1 ELSE 0 END"
                                    : "CASE WHEN extra LIKE '%auto_increment%' OR extra LIKE "
                                      "'%GENERATED%' THEN 1 ELSE 0 END";
  const std::string where = dialect == Dialect::Postgresql ? "table_schema = current_schema()"
                                                           : "table_schema = DATABASE()";
  std::string column, nullable;
  std::string default_value;
  soci::indicator default_indicator = soci::i_ok;
  int is_generated = 0;
  soci::statement statement =
      (session.prepare << "SELECT column_name, is_nullable, column_default, " + generated +
                              " FROM information_schema.columns WHERE " + where +
                              " AND table_name = :name ORDER BY ordinal_position",
       soci::into(column), soci::into(nullable), soci::into(default_value, default_indicator),
       soci::into(is_generated), soci::use(name));
  statement.execute();
  while (statement.fetch()) {
    const bool has_default = default_indicator != soci::i_null;
    columns.push_back({ascii_lowercase(column), nullable == "NO" && !has_default && !is_generated});
  }
  return columns;
}

} // namespace sipcred
