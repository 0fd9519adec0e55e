#include "sipcred/formats/import_list.hpp"

#include "sipcred/userdb/user_edit.hpp"
#include "sipcred/userdb/userdb.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <optional>
#include <unordered_map>

namespace sipcred {
namespace {

constexpr std::array<std::string_view, 4> columns = {"identity", "password", "auth_user", "phone"};

void report(std::vector<Diagnostic>& diagnostics, std::string_view code, std::size_t line,
            std::size_t column, std::string message) {
  diagnostics.push_back(Diagnostic{code, Severity::Error, line, column, std::move(message)});
}

// One CSV record (RFC 4180: quoted fields may hold commas, quotes doubled, line ends).
// Advances `pos` past the record's line end; nullopt after reporting a malformed record.
std::optional<std::vector<std::string>> next_csv_record(std::string_view text, std::size_t& pos,
                                                        std::size_t& line,
                                                        std::vector<Diagnostic>& diagnostics) {
  std::vector<std::string> fields(1);
  std::size_t line_start = pos;
  std::size_t open_line = 0, open_column = 0; // of the last quote that opened a field
  bool quoted = false, was_quoted = false;
  while (pos < text.size()) {
    const char c = text[pos++];
    if (quoted) {
      if (c == '"') {
        if (pos < text.size() && text[pos] == '"')
          fields.back() += text[pos++];
        else
          quoted = false;
      } else {
        if (c == '\n') ++line, line_start = pos;
        fields.back() += c;
      }
      continue;
    }
    // CRLF, or a CR that ends the input: a line end.
    if (c == '\r' && (pos == text.size() || text[pos] == '\n')) continue;
    if (c == ',')
      fields.emplace_back(), was_quoted = false;
    else if (c == '\n') {
      ++line;
      return fields;
    } else if (c == '"' && fields.back().empty() && !was_quoted) {
      quoted = was_quoted = true;
      open_line = line, open_column = pos - line_start;
    } else if (c == '"' || was_quoted) {
      report(diagnostics, "SC201", line, pos - line_start,
             "a quote may only open or close a whole field (write \"\" inside quotes)");
      while (pos < text.size() && text[pos] != '\n') ++pos;
      if (pos < text.size()) ++pos, ++line;
      return std::nullopt;
    } else
      fields.back() += c;
  }
  if (quoted) {
    report(diagnostics, "SC201", open_line, open_column, "a quoted field is not closed");
    return std::nullopt;
  }
  return fields;
}

// Checks a record's fields: tokens where a userdb needs them. Passwords are never echoed.
bool valid(const ImportRecord& r, std::vector<Diagnostic>& diagnostics) {
  auto bad = [&](std::string_view what, std::string message) {
    report(diagnostics, "SC203", r.line, 1, std::string(what) + ": " + std::move(message));
    return false;
  };
  const std::size_t at = r.identity.find('@');
  const std::string user = at == std::string::npos ? "" : r.identity.substr(0, at);
  const std::string domain = at == std::string::npos ? r.identity : r.identity.substr(at + 1);
  if ((at != std::string::npos && !userdb::is_token(user)) || !userdb::is_token(domain))
    return bad("identity", "'" + r.identity +
                               "' is not user@domain made of letters, digits and "
                               "- . ! % * _ + ` ' ~ :");
  if (!r.password.empty() && !userdb::is_token(r.password))
    return bad("password of " + r.identity,
               "a character a userdb cannot hold (only letters, digits and - . ! % * _ + ` ' ~ :)");
  if (!r.auth_user.empty() && !userdb::is_token(r.auth_user))
    return bad("auth_user of " + r.identity, "not a userdb token");
  if (!r.phone.empty() && !userdb::is_token(r.phone))
    return bad("phone of " + r.identity, "not a userdb token");
  if (!userdb::can_carry_phone(user, r.auth_user, r.phone))
    return bad("phone of " + r.identity, "a bare-domain identity needs an auth_user to carry a "
                                         "phone (the first token after ';' is the user-id)");
  return true;
}

std::vector<ImportRecord> read_csv(std::string_view text, std::vector<Diagnostic>& diagnostics) {
  std::size_t pos = 0, line = 1;
  if (text.starts_with("\xEF\xBB\xBF")) pos = 3; // the BOM of spreadsheets' "CSV UTF-8"
  if (pos == text.size()) {
    report(diagnostics, "SC202", 1, 1,
           "the list is empty: expected a header line identity[,password,auth_user,phone]");
    return {};
  }
  const auto header = next_csv_record(text, pos, line, diagnostics);
  if (!header) return {};
  std::vector<std::size_t> order; // column of the record -> field index in ImportRecord
  for (const std::string& name : *header) {
    std::size_t index = 0;
    while (index < columns.size() && columns[index] != name) ++index;
    if (index == columns.size()) {
      report(diagnostics, "SC202", 1, 1,
             "unknown column '" + name + "': expected identity[,password,auth_user,phone]");
      return {};
    }
    if (std::find(order.begin(), order.end(), index) != order.end()) {
      report(diagnostics, "SC202", 1, 1, "column '" + name + "' is named twice");
      return {};
    }
    order.push_back(index);
  }
  // Without a password column every password is empty: generated, or SC205 (as a missing
  // "password" key in JSON lines).
  if (std::find(order.begin(), order.end(), 0) == order.end()) {
    report(diagnostics, "SC202", 1, 1, "the header line must name an identity column");
    return {};
  }
  std::vector<ImportRecord> records;
  while (pos < text.size()) {
    const std::size_t record_line = line;
    auto fields = next_csv_record(text, pos, line, diagnostics);
    if (!fields) continue;
    if (fields->size() == 1 && fields->front().empty()) continue; // blank line
    if (fields->size() != order.size()) {
      report(diagnostics, "SC201", record_line, 1,
             "expected " + std::to_string(order.size()) + " fields, found " +
                 std::to_string(fields->size()));
      continue;
    }
    ImportRecord record;
    record.line = record_line;
    std::string* targets[] = {&record.identity, &record.password, &record.auth_user, &record.phone};
    for (std::size_t i = 0; i < order.size(); ++i) *targets[order[i]] = std::move((*fields)[i]);
    if (valid(record, diagnostics)) records.push_back(std::move(record));
  }
  return records;
}

std::vector<ImportRecord> read_jsonl(std::string_view text, std::vector<Diagnostic>& diagnostics) {
  std::vector<ImportRecord> records;
  std::size_t line = 0, pos = 0;
  while (pos < text.size()) {
    const std::size_t end = std::min(text.find('\n', pos), text.size());
    const std::string_view raw = text.substr(pos, end - pos);
    pos = end + 1;
    ++line;
    if (raw.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    const nlohmann::json object = nlohmann::json::parse(raw, nullptr, false);
    if (object.is_discarded() || !object.is_object()) {
      report(diagnostics, "SC201", line, 1, "expected one JSON object on the line");
      continue;
    }
    ImportRecord record;
    record.line = line;
    bool ok = true;
    std::string* targets[] = {&record.identity, &record.password, &record.auth_user, &record.phone};
    for (const auto& [key, value] : object.items()) {
      const auto column = std::find(columns.begin(), columns.end(), key);
      if (column == columns.end() || !value.is_string()) {
        report(diagnostics, "SC202", line, 1,
               column == columns.end() ? "unknown key '" + key + "'"
                                       : "'" + key + "' must be a string");
        ok = false;
        break;
      }
      *targets[column - columns.begin()] = value.get<std::string>();
    }
    if (ok && record.identity.empty()) {
      report(diagnostics, "SC202", line, 1, "missing \"identity\"");
      ok = false;
    }
    if (ok && valid(record, diagnostics)) records.push_back(std::move(record));
  }
  return records;
}

} // namespace

std::vector<ImportRecord> read_import_list(std::string_view content, ImportFormat format,
                                           std::vector<Diagnostic>& diagnostics) {
  std::vector<ImportRecord> records = format == ImportFormat::Csv
                                          ? read_csv(content, diagnostics)
                                          : read_jsonl(content, diagnostics);
  // One user, however spelled: the user part compares URL-unescaped (%61 is a), as in the
  // userdb itself.
  std::unordered_map<std::string, std::size_t> seen;
  for (const ImportRecord& record : records) {
    const std::size_t at = record.identity.find('@');
    const std::string key =
        at == std::string::npos
            ? record.identity
            : userdb::url_unescape(record.identity.substr(0, at)) + record.identity.substr(at);
    if (auto [it, fresh] = seen.emplace(key, record.line); !fresh)
      report(diagnostics, "SC204", record.line, 1,
             "'" + record.identity + "' is already listed on line " + std::to_string(it->second));
  }
  return records;
}

} // namespace sipcred
