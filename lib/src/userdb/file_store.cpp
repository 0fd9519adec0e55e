#include "userdb/file_store.hpp"

#include "userdb/file_writer.hpp"

#include "userdb/userdb_scan.hpp"

#include "sipcred/config/flexisip_algorithms.hpp"
#include "sipcred/formats/formats.hpp"
#include "sipcred/userdb/user_edit.hpp"
#include "sipcred/util/atomic_file.hpp"
#include "sipcred/util/error.hpp"
#include "userdb/userdb_stream.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <filesystem>

namespace sipcred {

namespace {

bool has_errors(const std::vector<Diagnostic>& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::Error; });
}

} // namespace

InvalidStoreData::InvalidStoreData(std::string file, std::vector<Diagnostic> diagnostics)
    : Error(ErrorKind::DataError, file + ": the server would refuse this data; fix it first"),
      m_file(std::move(file)), m_diagnostics(std::move(diagnostics)) {}

InvalidStoreData::InvalidStoreData(std::string file, std::vector<Diagnostic> diagnostics,
                                   const std::string& message)
    : Error(ErrorKind::DataError, message), m_file(std::move(file)),
      m_diagnostics(std::move(diagnostics)) {}

Account account_of(const userdb::Entry& entry, const std::string& realm) {
  Account account;
  account.user = entry.hash_user();
  account.domain = entry.domain;
  if (!entry.user_id.empty()) {
    account.auth_user = userdb::url_unescape(entry.user_id);
  }
  account.phone = entry.phone;
  const std::string& hash_realm = realm.empty() ? account.domain : realm;
  const auto tokens = entry.effective_credentials();
  account.credentials.reserve(tokens.size());
  for (const auto* token : tokens) {
    if (token->type == userdb::CredentialType::ClearText) {
      account.credentials.push_back({std::nullopt, std::string(token->value), ""});
    } else {
      account.credentials.push_back(
          {userdb::hash_of(token->type), ascii_lowercase(token->value), hash_realm});
    }
  }
  return account;
}

userdb::EntrySpec entry_spec_of(const Account& account) {
  userdb::EntrySpec spec;
  spec.user = userdb::url_escape(account.user);
  spec.domain = account.domain;
  for (const auto& credential : account.credentials) {
    spec.credentials.emplace_back(credential.is_clear_text()
                                      ? userdb::CredentialType::ClearText
                                      : userdb::credential_type_of(*credential.hash),
                                  credential.value);
  }
  spec.user_id = userdb::user_id_to_write(
      spec.user, account.auth_user.empty() ? std::string() : userdb::url_escape(account.auth_user),
      account.phone);
  spec.phone = account.phone;
  return spec;
}

std::string FileStore::refusal(const Account& account) const {
  return formats::userdb_refusal(account);
}

FileStore::FileStore(std::string path, const StoreOptions& options)
    : m_path(std::move(path)), m_options(options) {}

CredentialNeeds FileStore::needs() const {
  CredentialNeeds needs = config::flexisip_credential_needs(m_options.realm);
  needs.keeps_auth_user = true; // a line's USER-ID field
  return needs;
}

// Reading needs no lock: sipcred (and anything using AtomicFile) replaces a userdb whole.
// The lines that can hold an account, without parsing: not blank, not a comment, not indented
// (the continuation of a CRLF comment), not the version line. Counting every line made the
// bar stop short of its end on a commented file.
std::optional<std::size_t> FileStore::size_hint() {
  std::error_code missing;
  if (!std::filesystem::exists(m_path, missing)) {
    return std::nullopt;
  }
  InputStream input = InputStream::open(m_path);
  std::string block(1 << 20, '\0');
  std::size_t accounts = 0;
  bool line_start = true;
  bool first_line = true;
  while (std::size_t got = input.read(block.data(), block.size())) {
    const std::string_view text(block.data(), got);
    std::size_t at = 0;
    while (at < text.size()) {
      if (line_start) {
        const char c = text[at];
        const bool version = first_line && text.substr(at).starts_with("version:");
        accounts += !version && c != '#' && c != ' ' && c != '\t' && c != '\r' && c != '\n';
        first_line = false;
      }
      const std::size_t end = text.find('\n', at);
      line_start = end != std::string_view::npos;
      at = line_start ? end + 1 : text.size();
    }
  }
  return accounts;
}

void FileStore::read(const std::function<void(Account&&)>& visit) {
  InputStream input = InputStream::open(m_path);
  userdb::PieceReader pieces(input, 1 << 20);
  std::string piece;
  std::size_t first_line = 0;
  std::vector<Diagnostic> diagnostics;
  // A malformed file throws once scanned: a writer given the accounts before that rolls back.
  while (pieces.next(piece, first_line)) {
    userdb::scan_piece(piece, first_line, diagnostics,
                       [&](const userdb::Line& line, std::size_t number) {
                         if (line.kind == userdb::LineKind::Auth) {
                           Account account = account_of(line.entry, m_options.realm);
                           account.line = number + 1; // scan_piece counts from 0
                           visit(std::move(account));
                         }
                       });
  }
  if (has_errors(diagnostics)) {
    throw InvalidStoreData(m_path, std::move(diagnostics));
  }
}

std::unique_ptr<StoreWriter> FileStore::begin_write(OnConflict on_conflict) {
  m_indexed = false;
  return userdb::begin_file_write(m_path, on_conflict);
}

namespace {

// Flexisip's password cache key: the user and the digest username (both URL-unescaped), in a
// map per domain.
std::string lookup_key(const Account& account) {
  return userdb::account_key(account.user, account.digest_username(), account.domain);
}

} // namespace

std::optional<Account> FileStore::lookup(const Account& account) {
  if (!m_indexed) {
    m_index.clear();
    read([this](Account&& found) {
      std::string key = lookup_key(found);
      m_index.insert_or_assign(std::move(key), std::move(found)); // the last line wins
    });
    m_indexed = true;
  }
  auto found = m_index.find(lookup_key(account));
  if (found == m_index.end()) {
    return std::nullopt;
  }
  Account as_used = found->second;
  // Flexisip derives MD5 and SHA-256 from clear text, with the domain as realm.
  if (const Credential* clear = as_used.clear_text()) {
    std::string password = clear->value;
    for (HashFunction hash : {HashFunction::Md5, HashFunction::Sha256}) {
      as_used.credentials.push_back(
          {hash, ha1(hash, as_used.user, as_used.domain, password), as_used.domain});
    }
  }
  return as_used;
}

} // namespace sipcred
