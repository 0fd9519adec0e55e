#pragma once
// The passwords an attacker tries on an account before any word list (SC605): what the account
// itself gives away, and digit runs. Private to the lint module.

#include "sipcred/account/account.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace sipcred::lint {

struct Variant {
  std::string_view rule; // what it is, for the message: "the user name reversed"
  std::string candidate;
};

// The user name, the user-id, the phone, the digits of the user name, the user name reversed,
// the first label of the domain and the label before its top-level one, and digit runs ("1234",
// "123456", "4321", "0000"...); each candidate once (the first rule that gives it), none empty.
std::vector<Variant> account_variants(const Account& account);

} // namespace sipcred::lint
