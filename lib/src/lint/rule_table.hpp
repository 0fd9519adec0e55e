#pragma once
// The one table of lint rules: each rule's code, severity and explanation. --explain, SARIF
// and the man page (checked by a test) read it through rules(); the parsers and lint checks
// that emit a finding name its code only (RuleCode), and take the severity from here.
// Only sipcred/lint/rule.hpp and diagnostic.hpp are needed, so that the userdb and config
// parsers, which emit the SC1xx, SC30x and SC50x codes, can include it.

#include "sipcred/lint/rule.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace sipcred::lint {
namespace table {

constexpr Severity E = Severity::Error, W = Severity::Warning, N = Severity::Note;
constexpr bool off_by_default = false;

inline constexpr Rule rule_table[] = {
    // sipcred-lint's own comments, in any file that has comments.
    {"SC001", W, "bad sipcred-lint comment",
     "A comment starting with 'sipcred-lint:' must read 'sipcred-lint: disable=CODE[,CODE...]' "
     "with codes of this table, and disables those codes on the next line only. A misspelled "
     "comment or an unknown code disables nothing; fix it, or make it an ordinary comment."},
    {"SC002", N, "sipcred-lint comment that disables nothing",
     "A 'sipcred-lint: disable=' comment names a code that the next line has no finding of: the "
     "problem was fixed, or the line moved. Left in place, the comment would hide the next "
     "problem of that kind on that line; remove the code (or the comment). Off by default "
     "(--enable SC002): a finding that needs the config's context (a userdb's domains outside "
     "auth-domains, say) is not there when the userdb is linted alone.",
     off_by_default},
    // Userdb parse rules (userdb.hpp, sipcred-userdb(5)).
    {"SC101", E, "bad version line",
     "The first line of a userdb must be exactly 'version:1' followed by a line end: no byte "
     "order mark, blank line or comment before it, no space in it, a single digit. Flexisip "
     "refuses to load any other file."},
    {"SC102", E, "unsupported userdb version",
     "Only version 1 of the userdb format exists; Flexisip refuses 'version:N' for any other N."},
    {"SC103", E, "last line without a line end",
     "Flexisip's grammar requires every line, the last one included, to end with LF or CRLF. "
     "Add a line end at the end of the file."},
    {"SC104", E, "bare carriage return",
     "A CR not followed by LF is not a line end for Flexisip, and no token may contain it: the "
     "file is refused. Use LF or CRLF line ends."},
    {"SC105", E, "indented line",
     "A line that starts with whitespace must be blank. An indented comment or auth line makes "
     "Flexisip refuse the file; remove the indentation."},
    {"SC106", E, "bad character in a comment",
     "Comments may hold UTF-8 text but not '(', ')', '\\', control characters or invalid "
     "UTF-8: Flexisip's grammar refuses the file."},
    {"SC107", E, "auth line syntax",
     "An auth line is 'IDENTITY CRED [CRED...] ; [USER-ID [PHONE]]'. The message says what was "
     "expected at the column reported; Flexisip refuses the whole file."},
    {"SC108", E, "unknown credential prefix",
     "Only 'clrtxt:', 'md5:' and 'sha256:' exist ('sha512:', 'sha-256:' do not): Flexisip "
     "refuses the file."},
    {"SC109", E, "no whitespace before ';'",
     "Flexisip requires whitespace between the last credential and ';'. Write ' ;'."},
    {"SC110", E, "too many tokens after ';'",
     "After ';' only a user-id and a phone may follow. A third token is a syntax error."},
    {"SC111", E, "no usable credential",
     "Every credential of the user is ignored (upper-case prefixes, SC120), so its password "
     "list is empty and Flexisip refuses the file."},
    {"SC112", E, "character not allowed in a token",
     "User, domain, password, user-id and phone are made of ASCII letters, digits and "
     "- . ! % * _ + ` ' ~ : only. Anything else (space, '@' in a user, '#', non-ASCII) makes "
     "Flexisip refuse the file."},
    {"SC113", E, "empty credential",
     "A credential prefix must be followed by a value: 'clrtxt:' alone is refused."},
    {"SC114", E, "CRLF comment ending with whitespace",
     "In a CRLF file, a comment ending with a space or tab before CRLF must be followed by an "
     "indented line, or Flexisip's grammar fails. Remove the trailing whitespace."},
    {"SC120", W, "upper-case credential prefix",
     "Flexisip parses 'MD5:' or 'CLRTXT:' and then ignores the credential: only lower-case "
     "prefixes are used. Write the prefix in lower case."},
    {"SC121", W, "hash before a clear text",
     "A clear-text password replaces the user's credentials with itself and the hashes derived "
     "from it, so a hash listed before it on the same line is discarded."},
    {"SC122", W, "hash after a clear text",
     "The hashes derived from a clear-text password come first, so a hash listed after it on "
     "the same line is never used."},
    {"SC123", W, "several clear texts",
     "Each clear text replaces the previous credentials: only the last one on the line counts."},
    {"SC124", W, "duplicate user",
     "The same user (user, user-id and domain) is defined on several lines; Flexisip keeps the "
     "last one and ignores the others. Remove the stale line."},
    {"SC125", W, "hash of the wrong length",
     "An md5: value must be 32 hex digits and a sha256: value 64. Flexisip loads other values "
     "but no client response can ever match them: the user cannot authenticate that way."},
    {"SC126", W, "line swallowed by a CRLF comment",
     "In a CRLF file, an indented line right after a comment is read by Flexisip as more "
     "comment text: whatever it holds, a user say, is ignored."},
    {"SC130", N, "upper-case hex",
     "A hash in upper-case hex works, since Flexisip lower-cases it on load. Off by default "
     "(--enable SC130): it is a matter of style.",
     off_by_default},

    // flexisip.conf syntax.
    {"SC301", E, "bad config line",
     "Flexisip's config reader accepts only '[section]' lines, 'key=value' lines, '#' comments "
     "and blank lines. Any other line makes Flexisip refuse to start."},
    {"SC302", E, "key given twice",
     "A key may appear once per section (keys are case-insensitive, and a section may be "
     "opened several times). Flexisip refuses a key given twice: keep one."},
    {"SC303", E, "key outside a section",
     "Every 'key=value' line belongs to the '[section]' above it; one before the first section "
     "has none and Flexisip refuses the file."},
    {"SC304", W, "CRLF line ends",
     "Flexisip strips only trailing spaces from values: with CRLF line ends every value keeps "
     "its carriage return, so booleans, numbers and durations fail to parse and strings "
     "(realm, file-path) silently get a CR. Convert the file to LF line ends."},
    {"SC305", E, "misspelled [module::Authentication]",
     "A section whose name is close to 'module::Authentication' but not equal to it (names are "
     "case-insensitive) is an unknown section, which Flexisip refuses, and the authentication "
     "module keeps its defaults (disabled). Fix the spelling. Other sections are not checked: "
     "sipcred knows only the authentication module's schema."},

    // [module::Authentication] settings.
    {"SC310", E, "unknown key in [module::Authentication]",
     "The key is not a setting of Flexisip's authentication module (or a deprecated name of "
     "one). Flexisip refuses unknown keys; check the spelling."},
    {"SC311", W, "deprecated key",
     "The key is an old name that Flexisip still reads but warns about, or ignores; use its "
     "current name (for instance 'file-path' instead of 'datasource')."},
    {"SC312", E, "bad boolean",
     "Boolean settings take exactly 'true', 'false', '1' or '0'. Anything else ('yes', 'on', "
     "'True', a trailing CR) makes Flexisip refuse to start."},
    {"SC313", E, "bad duration",
     "Durations are digits with an optional unit: [0-9]+(ms|s|min|h|d|m|y). Anything else "
     "makes Flexisip refuse to start, and so does a duration whose seconds do not fit in 64 "
     "bits."},
    {"SC314", E, "bad integer",
     "Integer settings (soci-poolsize, soci-max-queue-size) take a decimal number that fits in "
     "an int (-2147483648 to 2147483647); anything else makes Flexisip refuse to start."},
    {"SC315", E, "unknown algorithm",
     "Each entry of available-algorithms must be exactly 'MD5' or 'SHA-256' (case matters, "
     "entries are separated by spaces, not commas). Flexisip refuses any other entry. An empty "
     "list means both."},
    {"SC316", E, "unknown db-implementation",
     "db-implementation takes 'file' or 'soci'; Flexisip refuses any other backend."},
    {"SC317", E, "realm and realm-regex both set",
     "A fixed realm and a realm regex exclude each other, and a realm starting with 'regex:' "
     "counts as a realm regex. Flexisip refuses to start with both; keep one."},
    {"SC318", E, "invalid regex",
     "realm-regex (and a realm starting with 'regex:') is compiled as a C++ std::regex "
     "(ECMAScript grammar), tls-client-certificate-required-subject as a POSIX extended regex. "
     "A pattern that does not compile makes Flexisip refuse to start. sipcred does not compile "
     "a pattern longer than 1024 bytes, with groups nested deeper than 10, or with a "
     "back-reference of more than 3 digits or a repeat count of more than 5: std::regex and "
     "regcomp recurse, and could overflow the stack."},
    {"SC319", W, "list item with a tab or comma",
     "Flexisip splits lists on spaces and line ends only: 'a.org,b.org' or 'a.org<TAB>b.org' is "
     "one item. Separate the items with spaces."},
    {"SC320", W, "authentication module disabled",
     "The authentication module is disabled unless 'enabled=true' is set in "
     "[module::Authentication] (false is the default): Flexisip then lets every request "
     "through unauthenticated."},
    {"SC321", W, "auth-domains left at localhost",
     "auth-domains defaults to 'localhost': requests from any other domain get 403 and users "
     "of other domains in the userdb are ignored. List the domains served (or '*')."},
    {"SC322", N, "available-algorithms left at MD5",
     "available-algorithms defaults to 'MD5' only: clients that support SHA-256 are still "
     "challenged with MD5. Consider 'available-algorithms=SHA-256 MD5'."},

    // The user store named by the config.
    {"SC330", E, "file backend without file-path",
     "With db-implementation=file (the default) Flexisip reads its users from file-path; "
     "without it (or its old name datasource) it refuses to start."},
    {"SC331", E, "userdb missing or unreadable",
     "The file named by file-path cannot be read: Flexisip refuses to start. Check the path "
     "and the permissions of the user Flexisip runs as."},
    {"SC332", W, "relative file-path",
     "Flexisip opens file-path as given, so a relative path is resolved against the server's "
     "working directory (often '/' for a service), not the config's directory. sipcred-lint "
     "resolves it against its own working directory. Use an absolute path."},
    {"SC333", E, "unknown soci-backend",
     "soci-backend names a SOCI backend: sqlite3, mysql, postgresql, odbc, oracle, firebird or "
     "db2. Any other name cannot be loaded."},
    {"SC334", W, "no soci-password-request",
     "With db-implementation=soci, soci-password-request is the query that fetches a user's "
     "password. Left out, Flexisip runs a built-in request that differs between its versions "
     "(2.x: select password, 'MD5' from accounts where login = :id and domain = :domain) and "
     "fits only a table of that shape."},
    {"SC335", E, "password request does not bind :id",
     "Flexisip always binds ':id' (the user) to the password request; a request without it "
     "fails when executed, or returns the same rows for every user."},
    {"SC336", E, "unknown parameter in the password request",
     "Flexisip binds only ':id', ':domain' and ':authid' to the password request; any other "
     "':name' is never bound and the query fails."},
    {"SC337", E, "password request does not select two columns",
     "The password request must return two columns: the password (or hash) and its algorithm "
     "('CLRTXT', 'MD5', 'SHA-256'). Another number of columns fails at each authentication."},
    {"SC338", E, "no soci-connection-string",
     "With db-implementation=soci, soci-connection-string tells SOCI how to reach the "
     "database; without it the backend cannot connect."},

    // Cross-checks of the config and its users.
    {"SC401", W, "domain not in auth-domains",
     "Flexisip ignores userdb lines whose domain is not listed in auth-domains (unless the list "
     "holds '*'): these users can never authenticate. Add the domain to auth-domains or remove "
     "the users."},
    {"SC402", W, "clear text under a fixed realm",
     "Flexisip derives A1 from a clear-text password with the user's domain, but challenges "
     "with the configured realm: when they differ, these users can never authenticate. Store "
     "hashes computed with the realm (sipcred-hash) or remove 'realm'."},
    {"SC403", W, "no hash for the available algorithms",
     "The user has only hashes of algorithms that available-algorithms does not offer (for "
     "instance sha256 only, with MD5 only available), so no challenge can be answered."},
    {"SC404", W, "hash disagrees with the clear text",
     "A hash on the same line as a clear-text password is not H(user:domain:password) (nor "
     "with the configured realm): the two credentials disagree, so one of them is stale."},
    {"SC405", W, "userdb readable by group or others",
     "The userdb holds clear-text passwords or hashes (as good as passwords for digest "
     "authentication) and its permissions let other users read it. chmod 600 (or 640 with a "
     "dedicated group). The check is about the deployed file: in a checkout, in CI, files "
     "have the mode git or the runner gave them, so disable it there (--disable SC405, or "
     "'disable = SC405' in .sipcred-lint) and keep it where the server reads the file."},
    {"SC406", E, "clear text with another user-id",
     "Flexisip derives the hashes of a clear-text password from the user, but a client hashes "
     "the digest username it sends, which is the user-id: when the two differ, the account can "
     "never authenticate. Store md5:/sha256: hashes of USER-ID:REALM:PASSWORD instead (sipcred "
     "convert writes them)."},

    // Asterisk pjsip.conf type=auth objects.
    {"SC501", E, "bad pjsip.conf line",
     "Asterisk's config reader accepts '[section]' lines with an optional '(template)' suffix, "
     "'key = value' or 'key => value' lines and ';' comments. Other lines are not read."},
    {"SC502", E, "auth without username",
     "Asterisk refuses to load a type=auth object without a username."},
    {"SC503", E, "algorithm without a credential",
     "Every algorithm of supported_algorithms_uas and supported_algorithms_uac (default MD5) "
     "needs a clear password or a password_digest (or md5_cred, for MD5) for it, or Asterisk "
     "refuses to load the auth object."},
    {"SC504", E, "bad password_digest algorithm",
     "password_digest is 'ALG:HEX' with ALG one of MD5, SHA-256 or SHA-512-256 (any case). "
     "Asterisk refuses any other form."},
    {"SC505", E, "bad password_digest hex",
     "The HEX of password_digest must be hexadecimal of the algorithm's length: 32 digits for "
     "MD5, 64 for SHA-256 and SHA-512-256."},
    {"SC506", W, "md5_cred is deprecated",
     "md5_cred still works but is deprecated: write 'password_digest = MD5:HEX' instead."},
    {"SC507", W, "deprecated auth_type",
     "auth_type 'userpass' and 'md5' are deprecated aliases of 'digest' (the default); "
     "write auth_type = digest or leave it out."},
    {"SC508", E, "unknown auth_type",
     "auth_type takes digest (or the deprecated userpass and md5) or google_oauth; Asterisk "
     "refuses other values."},
    {"SC509", E, "unknown algorithm in supported_algorithms",
     "supported_algorithms_uas and supported_algorithms_uac are comma-separated lists of MD5, "
     "SHA-256 and SHA-512-256; Asterisk refuses other names."},
    {"SC510", W, "several digests for one algorithm",
     "An auth object holds one password_digest per algorithm: a later one for the same "
     "algorithm replaces the earlier, which is then dead configuration."},
    {"SC511", E, "inheritance from a section not defined above",
     "A section inherits from templates named in '(...)': Asterisk copies each from the first "
     "section of that name above the header, and refuses the whole file when there is none "
     "(\"Inheritance requested, but category ... does not exist\"), as for a misspelled name, "
     "a template defined further down, or a section naming itself."},
    {"SC512", E, "template expansion too large",
     "Templates inheriting from templates can double what they copy at every level. sipcred "
     "expands a section to at most 10,000 entries, and all sections together to 16 times the "
     "entries of the file (200,000 at least), each use of a template counting as one; a "
     "section beyond is reported and not expanded. Flatten the templates."},

    // Audit of a store's credentials (sipcred-lint --audit): weak, shared and exposed ones.
    {"SC601", N, "clear-text password at rest",
     "The store keeps the account's password in clear text: anyone who reads the store (a "
     "backup, a dump, a replica) can register as the user and place calls. Keep only the HA1 "
     "hashes the server needs (sipcred-convert, sipcred-migrate)."},
    {"SC602", W, "clear text beside hashes of every offered algorithm",
     "The account has an HA1 for every algorithm the server offers, so its clear-text password "
     "is not needed to authenticate, yet it is kept: drop it (sipcred-convert --drop-clrtxt "
     "or sipcred-user rotate)."},
    {"SC603", W, "MD5 only while SHA-256 is offered",
     "The server offers SHA-256 (RFC 8760) but the account has only an MD5 HA1 and no clear "
     "text, so it can only answer MD5 challenges. Store a SHA-256 HA1 too the next time its "
     "password is set (sipcred-user rotate), then drop MD5."},
    {"SC604", E, "password in a word list",
     "The account's password is one of the candidates of a --wordlist, found in its clear text "
     "or by hashing H(user-id:realm:candidate) against its stored HA1. Scanners try such lists "
     "on every extension, and a match becomes toll fraud: set a random password."},
    {"SC605", E, "password derived from the account",
     "The account's password is one an attacker tries first: the user name, the user-id, the "
     "phone, the extension digits, the user name reversed, a digit run such as 1234, or the "
     "first label of the domain. Set a random password."},
    {"SC606", W, "password shared by several accounts",
     "Several accounts have the same clear-text password: whoever learns one (a phone's "
     "provisioning file, a user) can register as the others. Give each account its own."},
    {"SC607", W, "password shorter than the minimum length",
     "The clear-text password is shorter than --min-length characters (default 8): short "
     "passwords fall to an exhaustive search of the digest exchange. Set a longer random "
     "password."},
};

// The rule of `code`, when compiled: a code not in the table does not compile.
consteval const Rule* rule_of(std::string_view code) {
  for (const Rule& rule : rule_table)
    if (rule.code == code) return &rule;
  throw "not a code of the lint rule table (lib/src/lint/rule_table.hpp)";
}

consteval bool in_code_order() {
  for (std::size_t i = 1; i < std::size(rule_table); ++i)
    if (!(rule_table[i - 1].code < rule_table[i].code)) return false;
  return true;
}
static_assert(in_code_order(), "rule codes must be unique and in code order");

} // namespace table

// A code of the rule table, checked when compiled: "SC107" converts, "SC999" does not.
class RuleCode {
public:
  consteval RuleCode(const char* code) : m_rule(table::rule_of(code)) {}

  std::string_view code() const { return m_rule->code; }
  Severity severity() const { return m_rule->severity; }

private:
  const Rule* m_rule;
};

// A finding of `rule`, with the rule's severity.
inline Diagnostic finding(RuleCode rule, std::size_t line, std::size_t column,
                          std::string message) {
  return Diagnostic{rule.code(), rule.severity(), line, column, std::move(message)};
}

} // namespace sipcred::lint
