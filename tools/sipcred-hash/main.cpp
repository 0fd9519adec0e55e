// sipcred-hash: print HA1 = H(user:realm:password) for each requested algorithm, in the shape
// a server's store wants it.

#include "algorithm_option.hpp"
#include "common_options.hpp"
#include "password_input.hpp"
#include "tool_main.hpp"

#include "sipcred/digest/digest.hpp"
#include "sipcred/formats/formats.hpp"
#include "sipcred/util/error.hpp"

#include <nlohmann/json.hpp>

#include <iostream>
#include <vector>

namespace {

using namespace sipcred;

// Refuses, before the password is read, what the chosen format cannot hold.
void check_format(const std::string& format, const std::vector<HashFunction>& hashes,
                  const std::string& username, const std::string& realm) {
  for (HashFunction hash : hashes) {
    if (format == "userdb" && !userdb_prefix(hash))
      throw Error(ErrorKind::Usage, std::string(hash_name(hash)) +
                                        " has no userdb prefix: Flexisip's userdb stores only "
                                        "md5: and sha256: hashes");
    if (format == "htdigest" && hash != HashFunction::Md5)
      throw Error(ErrorKind::Usage,
                  "htdigest holds MD5 hashes only, not " + std::string(hash_name(hash)));
  }
  if (format == "htdigest")
    if (std::string refusal = formats::htdigest_refusal(username, realm); !refusal.empty())
      throw Error(ErrorKind::Usage, refusal);
}

// `username` is the digest username (hashed); `auth_user` the user-id that a userdb line
// names after ';' when it is not the user.
void print(const std::string& format, const std::vector<HashFunction>& hashes,
           const std::vector<std::string>& values, const std::string& username,
           const std::string& auth_user, const std::string& realm) {
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    const std::string& hex = values[i];
    if (format == "hex")
      std::cout << hex << '\n';
    else if (format == "userdb")
      std::cout << (i ? " " : "") << *userdb_prefix(hashes[i]) << ':' << hex;
    else if (format == "pjsip")
      std::cout << "password_digest = " << hash_name(hashes[i]) << ':' << hex << '\n';
    else if (format == "htdigest")
      std::cout << formats::htdigest_line(username, realm, hex);
  }
  if (format == "userdb") std::cout << (auth_user.empty() ? "" : " ; " + auth_user) << '\n';
}

int run(int argc, char** argv) {
  CLI::App app{"Print the A1 hash (HA1) of USER:REALM:password for each algorithm.\n"
               "The password is read from the terminal without echo, from the first line of\n"
               "stdin (--password-stdin, or when stdin is not a terminal), or from a file.",
               "sipcred-hash"};
  std::vector<std::string> algorithm_names;
  std::string format = "hex";
  bool json = false;
  bool quiet = false;
  cli::PasswordOptions password_options;
  std::string user, realm, auth_user;

  cli::add_algorithm_list_option(
      app, algorithm_names,
      "MD5 (default), SHA-256 or SHA-512-256; repeat or separate with commas");
  auto* format_option =
      app.add_option("-f,--format", format, "hex (default), userdb, pjsip or htdigest")
          ->check(CLI::IsMember({"hex", "userdb", "pjsip", "htdigest"}))
          ->type_name("FORMAT");
  app.add_flag("--json", json, "Print a JSON object instead")->excludes(format_option);
  app.add_option("--auth-user", auth_user,
                 "The digest username a client sends (a userdb user-id), when not USER: it is "
                 "what A1 hashes")
      ->type_name("ID");
  cli::add_password_options(app, password_options);
  cli::add_common_options(app, "sipcred-hash", quiet);
  app.add_option("USER", user, "User name, hashed as its bytes")->required();
  app.add_option("REALM", realm, "Realm, hashed as its bytes")->required();
  cli::parse(app, argc, argv);

  const std::vector<HashFunction> hashes = cli::hash_algorithms(algorithm_names);
  // A client hashes the name it sends: the user-id when there is one.
  const std::string& username = auth_user.empty() ? user : auth_user;
  if (!json) check_format(format, hashes, username, realm); // JSON holds any algorithm
  std::string password =
      cli::read_password(password_options, "Password for " + username + " in " + realm + ": ");
  const cli::WipedOnExit wiped(password);

  std::vector<std::string> values;
  for (HashFunction hash : hashes) values.push_back(ha1(hash, username, realm, password));

  if (json) {
    nlohmann::json out{{"user", user}, {"realm", realm}, {"hashes", nlohmann::json::array()}};
    if (!auth_user.empty()) out["auth_user"] = auth_user;
    for (std::size_t i = 0; i < hashes.size(); ++i)
      out["hashes"].push_back({{"algorithm", hash_name(hashes[i])}, {"ha1", values[i]}});
    // Invalid UTF-8 in an argument must not abort the output: replace it visibly.
    std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  } else {
    print(format, hashes, values, username, auth_user, realm);
  }
  return exit_success;
}

} // namespace

int main(int argc, char** argv) {
  return sipcred::cli::run_tool("sipcred-hash", [&] { return run(argc, argv); });
}
