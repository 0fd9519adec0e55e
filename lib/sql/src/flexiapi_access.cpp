// The Flexisip Account Manager's (FlexiAPI) database: Flexisip's accounts + passwords, read by
// Flexisip's default soci-password-request as in the flexisip schema, with the columns the
// manager requires of an account and a `spaces` row for each domain (shared/reference/stores.md).

#include "flexisip_access.hpp"
#include "table_columns.hpp"

#include <set>

namespace sipcred {

namespace {

// What sipcred writes in the columns FlexiAPI requires (NOT NULL, no default) of an account it
// did not create through the manager: the address of the creating client (loopback: this host,
// no remote client; it fits VARCHAR(39)), the user agent that created it, and the time.
constexpr std::string_view placeholder_ip_address = "127.0.0.1";
constexpr std::string_view placeholder_user_agent = "sipcred";

class FlexiapiAccess : public FlexisipAccess {
public:
  using FlexisipAccess::FlexisipAccess;

  CredentialNeeds needs() const override {
    // passwords.algorithm is MD5 or SHA-256: no clear text (nor CLRTXT) in FlexiAPI.
    CredentialNeeds needs;
    needs.clear_text = false;
    needs.hashes = {HashFunction::Md5, HashFunction::Sha256};
    needs.realm = m_options.realm;
    needs.keeps_phone = true;
    return needs;
  }

  void transaction_began() override {
    FlexisipAccess::transaction_began();
    m_spaces.clear();
  }

protected:
  std::string more_columns() override {
    prepare_account_columns();
    return m_more_columns;
  }
  std::string more_values() override {
    prepare_account_columns();
    return m_more_values;
  }

  bool plain_rows() const override { return false; }

  // accounts.domain is a foreign key to spaces.domain: the space of a new domain comes first.
  void before_insert(const Account& account) override {
    if (m_spaces.count(account.domain)) return;
    long long present = 0;
    m_session << "SELECT COUNT(*) FROM spaces WHERE domain = :domain", soci::into(present),
        soci::use(account.domain);
    if (present == 0) insert_space(account.domain);
    m_spaces.insert(account.domain);
  }

private:
  // The columns of `table` an INSERT must fill that sipcred cannot: Error(DataError) naming
  // the first.
  void check_fillable(std::string_view table, const std::vector<TableColumn>& columns,
                      const std::set<std::string, std::less<>>& filled,
                      const std::string& for_what) const {
    for (const TableColumn& column : columns) {
      if (column.required && column.name != "id" && !filled.count(column.name)) {
        throw Error(
            ErrorKind::DataError,
            std::string(table) + "." + column.name +
                " is NOT NULL without a default, and sipcred has no value for it: " + for_what);
      }
    }
  }

  // username, domain, phone and activated, then what FlexiAPI's accounts has of ip_address,
  // user_agent, created_at and updated_at.
  void prepare_account_columns() {
    if (m_account_columns_known) return;
    const auto columns = table_columns(m_session, m_dialect, "accounts");
    std::set<std::string, std::less<>> filled{"username", "domain", "phone", "activated"};
    const std::pair<std::string_view, std::string> extra[] = {
        {"ip_address", "'" + std::string(placeholder_ip_address) + "'"},
        {"user_agent", "'" + std::string(placeholder_user_agent) + "'"},
        {"created_at", "CURRENT_TIMESTAMP"},
        {"updated_at", "CURRENT_TIMESTAMP"}};
    for (const auto& [name, value] : extra) {
      for (const TableColumn& column : columns) {
        if (column.name == name) {
          m_more_columns += ", " + std::string(name);
          m_more_values += ", " + value;
          filled.emplace(name);
        }
      }
    }
    check_fillable("accounts", columns, filled,
                   "add the accounts through the Flexisip Account Manager, or give the column a "
                   "default");
    m_account_columns_known = true;
  }

  // As FlexiAPI's migrations fill the spaces of existing domains: host and name are the domain.
  void insert_space(const std::string& domain) {
    const auto columns = table_columns(m_session, m_dialect, "spaces");
    const auto has = [&](std::string_view name) {
      for (const TableColumn& column : columns)
        if (column.name == name) return true;
      return false;
    };
    std::set<std::string, std::less<>> filled{"domain"};
    std::string names = "domain", values = ":domain";
    int copies = 0;
    for (const char* name : {"host", "name"}) {
      if (!has(name)) continue;
      names += std::string(", ") + name;
      values += ", :copy" + std::to_string(++copies);
      filled.emplace(name);
    }
    for (const char* name : {"created_at", "updated_at"}) {
      if (!has(name)) continue;
      names += std::string(", ") + name;
      values += ", CURRENT_TIMESTAMP";
      filled.emplace(name);
    }
    check_fillable("spaces", columns, filled,
                   "create the space of " + domain + " in the Flexisip Account Manager first");
    const std::string sql = "INSERT INTO spaces (" + names + ") VALUES (" + values + ")";
    switch (copies) {
    case 0: m_session << sql, soci::use(domain); break;
    case 1: m_session << sql, soci::use(domain), soci::use(domain); break;
    default: m_session << sql, soci::use(domain), soci::use(domain), soci::use(domain); break;
    }
  }

  bool m_account_columns_known = false;
  std::string m_more_columns, m_more_values;
  std::set<std::string> m_spaces; // domains whose space exists, in this transaction
};

} // namespace

std::unique_ptr<SchemaAccess> make_flexiapi_access(soci::session& session, Dialect dialect,
                                                   const StoreOptions& options) {
  return std::make_unique<FlexiapiAccess>(session, dialect, options);
}

} // namespace sipcred
