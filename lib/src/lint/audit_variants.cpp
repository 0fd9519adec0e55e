#include "lint/audit_variants.hpp"

#include <algorithm>

namespace sipcred::lint {
namespace {

// Runs a scanner's short list holds: ascending from 1 (and 0) of 4 to 10 digits, descending of
// 4 to 6, one digit repeated 4 or 6 times.
const std::vector<std::string>& digit_runs() {
  static const std::vector<std::string> runs = [] {
    std::vector<std::string> out;
    const std::string up = "1234567890", from_zero = "0123456789", down = "987654321";
    for (std::size_t n = 4; n <= 10; ++n) out.push_back(up.substr(0, n));
    for (std::size_t n = 4; n <= 10; ++n) out.push_back(from_zero.substr(0, n));
    for (std::size_t n = 4; n <= 6; ++n) out.push_back(std::string(down.end() - n, down.end()));
    for (char d = '0'; d <= '9'; ++d) {
      out.emplace_back(4, d);
      out.emplace_back(6, d);
    }
    return out;
  }();
  return runs;
}

} // namespace

std::vector<Variant> account_variants(const Account& account) {
  std::vector<Variant> out;
  const auto add = [&](std::string_view rule, std::string candidate) {
    if (candidate.empty()) return;
    if (std::any_of(out.begin(), out.end(),
                    [&](const Variant& v) { return v.candidate == candidate; }))
      return;
    out.push_back(Variant{rule, std::move(candidate)});
  };
  add("the user name", account.user);
  add("the user-id", account.auth_user);
  add("the phone", account.phone);
  std::string digits;
  for (char c : account.user)
    if (c >= '0' && c <= '9') digits += c;
  add("the extension digits", digits);
  add("the user name reversed", std::string(account.user.rbegin(), account.user.rend()));
  add("the first label of the domain", account.domain.substr(0, account.domain.find('.')));
  // "example" of sip.example.org: the organisation's name, the other guess.
  const std::size_t last_dot = account.domain.rfind('.');
  if (last_dot != std::string::npos && last_dot > 0) {
    const std::size_t before = account.domain.rfind('.', last_dot - 1);
    const std::size_t start = before == std::string::npos ? 0 : before + 1;
    add("the name of the domain", account.domain.substr(start, last_dot - start));
  }
  for (const std::string& run : digit_runs()) add("a digit run", run);
  return out;
}

} // namespace sipcred::lint
