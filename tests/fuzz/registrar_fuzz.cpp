// The registrar of sipcred-sim serve, as a peer reaches it: a request is handled, and when it
// is challenged, "NONCE" in the input is replaced by the nonce given and the request handled
// again, so that the checks behind a valid nonce are reached. With a realm-regex, as serve
// --config runs it. The "long input" half (first byte odd) puts the rest, repeated to 64 KiB,
// in the From host, which realm-regex searches.
#include "fuzz_input.hpp"

#include "sipcred/sip/digest_header.hpp"
#include "sipcred/sip/registrar.hpp"
#include "sipcred/sip/sip_message.hpp"
#include "sipcred/store/store.hpp"
#include "sipcred/util/error.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

namespace {

using namespace sipcred;

struct World {
  std::unique_ptr<Store> store;
  std::unique_ptr<Registrar> registrar;
};

World& world() {
  static World w = [] {
    const auto path = std::filesystem::temp_directory_path() / "sipcred-fuzz-registrar-users";
    std::ofstream(path) << "version:1\nalice@sip.example.org clrtxt:pw ;\n"
                           "bob@sip.example.org md5:3f2b9e0f5b1c4d6a8e7f0a1b2c3d4e5f ;\n";
    World made;
    made.store = open_store(parse_locator(path.string()), {});
    AuthSettings settings;
    settings.realm_regex = "^sip:[^@]*@(.*)$";
    settings.algorithms = {*parse_algorithm("MD5"), *parse_algorithm("SHA-256")};
    settings.auth_domains = std::vector<std::string>{"*"};
    made.registrar = std::make_unique<Registrar>(settings, *made.store);
    return made;
  }();
  return w;
}

void replace_all(std::string& text, std::string_view what, std::string_view with) {
  for (std::size_t at = text.find(what); at != std::string::npos;
       at = text.find(what, at + with.size()))
    text.replace(at, what.size(), with);
}

void handle(std::string request_text) {
  Registrar& registrar = *world().registrar;
  const auto now = Registrar::Clock::now();
  SipMessage request;
  try {
    request = parse_sip_message(request_text);
  } catch (const Error&) {
    return;
  }
  const auto first = registrar.handle(request, now, "192.0.2.1");
  if (!first.response) return;
  const auto challenge = first.response->header("WWW-Authenticate");
  if (!challenge) return;
  try {
    const auto challenges = parse_challenges(*challenge);
    if (challenges.empty()) return;
    replace_all(request_text, "NONCE", challenges.front().nonce);
    (void)registrar.handle(parse_sip_message(request_text), now, "192.0.2.1");
  } catch (const Error&) {
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest = fuzz::text_of(data + 1, size - 1);
  if (data[0] & 1) {
    handle("REGISTER sip:sip.example.org SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
           "From: <sip:alice@" +
           fuzz::repeated_to_64k(rest) +
           ">;tag=1\r\nTo: <sip:alice@sip.example.org>\r\nCall-ID: 1\r\nCSeq: 1 REGISTER\r\n"
           "Content-Length: 0\r\n\r\n");
  } else {
    handle(std::string(rest));
  }
  return 0;
}
