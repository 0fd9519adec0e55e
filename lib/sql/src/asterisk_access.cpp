// Asterisk's PJSIP realtime table ps_auths (sorcery, res_config_odbc): one auth object per row,
// named by its id, loaded by the rules of any auth object (formats/pjsip_auth.hpp).

#include "schema_access.hpp"

#include "sipcred/formats/pjsip_auth.hpp"

#include <array>
#include <map>

namespace sipcred {

namespace {

// How Asterisk's realtime drivers read a column (res_config_odbc, res_config_pgsql): the value
// is cut at each ';', each piece stripped of whitespace and ^XX decoded, empty ones dropped,
// and each piece is a value of the field (for a single one, the last wins). So sipcred writes
// ';', '^' and whitespace at either end as ^XX (ast_realtime_encode_chunk's escapes).
constexpr std::string_view realtime_space = " \t\r\n\v\f";

std::string realtime_encode(std::string_view value) {
  static constexpr char digits[] = "0123456789ABCDEF";
  const auto first = value.find_first_not_of(realtime_space);
  const auto last = value.find_last_not_of(realtime_space);
  std::string out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    const bool at_end = first == std::string_view::npos || i < first || i > last;
    if (c == ';' || c == '^' || at_end) {
      out += '^';
      out += digits[c >> 4];
      out += digits[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::vector<std::string> realtime_values(std::string_view column) {
  std::vector<std::string> values;
  while (true) {
    const auto semicolon = column.find(';');
    std::string_view piece = column.substr(0, semicolon);
    const auto first = piece.find_first_not_of(realtime_space);
    if (first != std::string_view::npos) {
      piece = piece.substr(first, piece.find_last_not_of(realtime_space) - first + 1);
      std::string value;
      for (std::size_t i = 0; i < piece.size(); ++i) {
        if (piece[i] == '^' && i + 2 < piece.size() && hex_digit(piece[i + 1]) >= 0 &&
            hex_digit(piece[i + 2]) >= 0) {
          value += static_cast<char>(hex_digit(piece[i + 1]) * 16 + hex_digit(piece[i + 2]));
          i += 2;
        } else {
          value += piece[i];
        }
      }
      values.push_back(std::move(value));
    }
    if (semicolon == std::string_view::npos) return values;
    column.remove_prefix(semicolon + 1);
  }
}

std::string realtime_value(std::string_view column) {
  std::vector<std::string> values = realtime_values(column);
  return values.empty() ? std::string() : std::move(values.back());
}

// Characters of UTF-8 text (valid, as the base refusal has checked on PostgreSQL and MySQL).
std::size_t characters(std::string_view text) {
  std::size_t count = 0;
  for (char c : text) count += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  return count;
}

// The auth_type sipcred writes: the one value of the realtime schema's enum (md5, userpass,
// google_oauth) that every res_pjsip loads as a digest object with a password or
// password_digest ("digest", its newer name, is not in the enum of existing tables).
constexpr std::string_view written_auth_type = "userpass";

class AsteriskAccess : public SchemaAccess {
public:
  using SchemaAccess::SchemaAccess;

  std::string_view main_table() const override { return "ps_auths"; }

  CredentialNeeds needs() const override {
    CredentialNeeds needs = formats::pjsip_credential_needs(m_options.realm);
    needs.clear_text_max_length = 80; // ps_auths.password VARCHAR(80)
    return needs;
  }

  // ps_auths has no numeric id: its rows are named. A row gets a number the first time this
  // transaction finds it (below inserted_base) or inserts it (from inserted_base on).
  void transaction_began() override {
    m_handles.clear();
    m_names.clear();
  }

  RunStart run_start() override {
    long long present = 0;
    m_session << "SELECT COUNT(*) FROM ps_auths", soci::into(present);
    return {present > 0, inserted_base};
  }

  // The row named after the account (what sipcred writes), else the one Asterisk would
  // authenticate the account with: its username, and its realm (or the default realm).
  std::optional<long long> find(const Account& account) override {
    const std::optional<std::string> name = row_of(account);
    if (!name) return std::nullopt;
    return handle_of(*name, false);
  }

  // A page of rows in id order, `after` rows in: the numbers of rows are only this
  // transaction's, so a read counts them.
  long long read_page(long long after, std::vector<Account>& page, long long limit) override {
    soci::rowset<soci::row> rows =
        (m_session.prepare << select_columns() + " FROM ps_auths ORDER BY id LIMIT " +
                                  std::to_string(limit) + " OFFSET " + std::to_string(after));
    long long last = after;
    for (const soci::row& row : rows) {
      ++last;
      if (std::optional<Account> account = load(row)) page.push_back(std::move(*account));
    }
    return last;
  }

  Account read_one(long long id, const std::string& user, const std::string& domain) override {
    Account account{user, domain, "", "", {}};
    if (std::optional<Account> stored = load_named(name_of(id)))
      account.credentials = std::move(stored->credentials);
    return account;
  }

  void insert(const Account& account) override {
    const Row row = row_for(account);
    std::string columns = "id, auth_type, username, realm, password",
                values = ":id, '" + std::string(written_auth_type) + "', :u, :r, :p";
    for (const char* name :
         {"password_digest", "supported_algorithms_uas", "supported_algorithms_uac"}) {
      columns += std::string(", ") + name;
      values += std::string(", :") + name;
    }
    const std::string sql = "INSERT INTO ps_auths (" + columns + ") VALUES (" + values + ")" +
                            (m_dialect == Dialect::Postgresql ? " ON CONFLICT DO NOTHING" : "");
    soci::statement statement = bind(sql, row, true);
    insert_main_row([&] { statement.execute(true); });
    if (m_dialect == Dialect::Postgresql && statement.get_affected_rows() == 0)
      throw DuplicateKey("duplicate key value violates a unique constraint of ps_auths");
    handle_of(account.identity(), true);
  }

  std::size_t update(long long id, const Account& account) override {
    const std::string& name = name_of(id);
    const std::optional<Account> before = load_named(name);
    Row row = row_for(account);
    row.name = name;
    soci::statement statement =
        bind("UPDATE ps_auths SET auth_type = '" + std::string(written_auth_type) +
                 "', username = :u, realm = :r, password = :p, md5_cred = NULL, password_digest = "
                 ":password_digest, supported_algorithms_uas = :supported_algorithms_uas, "
                 "supported_algorithms_uac = :supported_algorithms_uac WHERE id = :id",
             row, false);
    statement.execute(true);
    return before ? before->credentials.size() : 0;
  }

  void remove(long long id) override {
    const std::string name = name_of(id);
    m_session << "DELETE FROM ps_auths WHERE id = :id", soci::use(name);
  }

  // As Asterisk authenticates with the object: its password hashed for every algorithm (with
  // its username and realm), and its digests.
  std::optional<Account> lookup(const Account& account) override {
    const std::optional<std::string> name = row_of(account);
    if (!name) return std::nullopt;
    std::optional<Account> found = load_named(*name);
    if (!found) return std::nullopt;
    if (const Credential* clear = found->clear_text()) {
      const std::string password = clear->value;
      for (HashFunction hash : all_hash_functions)
        found->credentials.push_back(
            {hash, ha1(hash, found->user, found->domain, password), found->domain});
    }
    return found;
  }

  // Its unique key is never dropped for a load: a load checks each row as it goes.
  std::vector<std::string> tables() const override { return {}; }
  std::size_t remove_repeats(Duplicates&) override { return 0; }

protected:
  std::string schema_refusal(const Account& account) const override {
    const std::string name = account.identity();
    const std::string realm = realm_of(account.domain);
    const Credential* clear = account.clear_text();
    if (account.user.empty()) return "Asterisk refuses to load an auth object without a username";
    for (const std::string* text : {&name, &realm, clear ? &clear->value : &name})
      if (text->find('\0') != std::string::npos)
        return "Asterisk's realtime drivers read a value up to its first NUL byte";
    if (name.find_first_of(",;") != std::string::npos)
      return "an endpoint's auth= list could not name the auth object '" + name +
             "': a ',' or ';' in it separates names";
    if (m_dialect == Dialect::Sqlite) return {};
    // The widths of ps_auths' columns, of the values as written (realtime_encode).
    const std::pair<std::string_view, std::pair<std::string, std::size_t>> widths[] = {
        {"the auth object's name (user@domain)", {name, 40}},
        {"the username", {realtime_encode(account.digest_username()), 40}},
        {"the realm", {realtime_encode(realm), 255}},
        {"the clear-text password", {clear ? realtime_encode(clear->value) : "", 80}}};
    for (const auto& [what, value] : widths)
      if (characters(value.first) > value.second)
        return std::string(what) + " is longer than the " + std::to_string(value.second) +
               " characters its column of ps_auths holds";
    return {};
  }

  std::string repeats_query() const override { return {}; }
  std::vector<std::string> repeats_deletes() const override { return {}; }

private:
  static constexpr long long inserted_base = 1LL << 40;

  // The values of a row sipcred writes, realtime-encoded; "" is written as NULL.
  struct Row {
    std::string name, username, realm, password, digest, uas, uac;
  };

  Row row_for(const Account& account) const {
    const formats::PjsipAuth auth = formats::pjsip_auth_of(account, realm_of(account.domain));
    Row row{account.identity(),
            realtime_encode(auth.username),
            realtime_encode(auth.realm),
            realtime_encode(auth.password),
            {},
            auth.supported_algorithms_uas,
            auth.supported_algorithms_uac};
    // One value holds every digest: password_digest's handler takes ALG:HEX items separated by
    // commas (Asterisk's own password_digest_to_str writes them so).
    for (const std::string& digest : auth.password_digests)
      row.digest += (row.digest.empty() ? "" : ",") + digest;
    return row;
  }

  // The statement of `sql` with the row's values bound by position: :id first for an insert,
  // last for an update.
  soci::statement bind(const std::string& sql, const Row& row, bool id_first) {
    m_bound = row;
    for (std::size_t i = 0; i < m_indicators.size(); ++i) {
      const std::string* values[] = {&m_bound.username, &m_bound.realm, &m_bound.password,
                                     &m_bound.digest,   &m_bound.uas,   &m_bound.uac};
      m_indicators[i] = values[i]->empty() ? soci::i_null : soci::i_ok;
    }
    soci::statement statement(m_session);
    if (id_first) statement.exchange(soci::use(m_bound.name));
    statement.exchange(soci::use(m_bound.username, m_indicators[0]));
    statement.exchange(soci::use(m_bound.realm, m_indicators[1]));
    statement.exchange(soci::use(m_bound.password, m_indicators[2]));
    statement.exchange(soci::use(m_bound.digest, m_indicators[3]));
    statement.exchange(soci::use(m_bound.uas, m_indicators[4]));
    statement.exchange(soci::use(m_bound.uac, m_indicators[5]));
    if (!id_first) statement.exchange(soci::use(m_bound.name));
    statement.alloc();
    statement.prepare(sql);
    statement.define_and_bind();
    return statement;
  }

  long long handle_of(const std::string& name, bool inserted) {
    const auto [found, added] = m_handles.try_emplace(name, 0);
    if (added) {
      m_names.push_back(name);
      found->second = (inserted ? inserted_base : 0) + static_cast<long long>(m_names.size());
    }
    return found->second;
  }

  const std::string& name_of(long long handle) const {
    const long long index = (handle >= inserted_base ? handle - inserted_base : handle) - 1;
    if (index < 0 || index >= static_cast<long long>(m_names.size()))
      throw Error(ErrorKind::Internal, "no ps_auths row of that number in this transaction");
    return m_names[static_cast<std::size_t>(index)];
  }

  std::optional<std::string> row_of(const Account& account) {
    std::string name = account.identity();
    std::string found;
    soci::indicator indicator = soci::i_ok;
    m_session << "SELECT id FROM ps_auths WHERE id = :id", soci::into(found, indicator),
        soci::use(name);
    if (m_session.got_data()) return name;
    const std::string username = realtime_encode(account.digest_username());
    const std::string realm = realtime_encode(account.domain);
    const std::string fallback(formats::pjsip_default_realm);
    m_session << "SELECT id FROM ps_auths WHERE username = :username AND (realm = :realm OR "
                 "((realm IS NULL OR realm = '') AND :realm2 = :fallback)) ORDER BY id LIMIT 1",
        soci::into(found, indicator), soci::use(username), soci::use(realm), soci::use(realm),
        soci::use(fallback);
    if (m_session.got_data() && indicator != soci::i_null) return found;
    return std::nullopt;
  }

  // id, auth_type, username, realm, password, md5_cred, then the columns of Asterisk 20.12 and
  // later, NULL in an older table.
  const std::string& select_columns() {
    if (m_select.empty()) {
      m_select = "SELECT id, auth_type, username, realm, password, md5_cred";
      for (const char* name :
           {"password_digest", "supported_algorithms_uas", "supported_algorithms_uac"})
        m_select += has_column("ps_auths", name) ? std::string(", ") + name : ", NULL";
    }
    return m_select;
  }

  std::optional<Account> load_named(const std::string& name) {
    soci::rowset<soci::row> rows =
        (m_session.prepare << select_columns() + " FROM ps_auths WHERE id = :id", soci::use(name));
    for (const soci::row& row : rows) return load(row);
    return std::nullopt;
  }

  // The row as Asterisk loads it; Error(DataError) for one it refuses to load.
  std::optional<Account> load(const soci::row& row) const {
    const auto text = [&](std::size_t i) {
      if (row.get_indicator(i) == soci::i_null) return std::string();
      return row.get<std::string>(i);
    };
    formats::PjsipAuth auth{realtime_value(text(1)), realtime_value(text(2)),
                            realtime_value(text(3)), realtime_value(text(4)),
                            realtime_value(text(5)), realtime_values(text(6)),
                            realtime_value(text(7)), realtime_value(text(8))};
    formats::PjsipAuthLoad load = formats::load_pjsip_auth(auth);
    if (!load.problem.empty())
      throw Error(ErrorKind::DataError, "ps_auths row '" + text(0) + "' has " + load.problem +
                                            ": Asterisk refuses to load it");
    return std::move(load.account);
  }

  std::map<std::string, long long> m_handles; // this transaction's rows: name -> number
  std::vector<std::string> m_names;           // number (either range) - 1 -> name
  std::string m_select;
  Row m_bound;
  std::array<soci::indicator, 6> m_indicators{};
};

} // namespace

std::unique_ptr<SchemaAccess> make_asterisk_access(soci::session& session, Dialect dialect,
                                                   const StoreOptions& options) {
  return std::make_unique<AsteriskAccess>(session, dialect, options);
}

} // namespace sipcred
