// serve's cost per authenticated REGISTER (issue 7): Registrar::handle on a parsed request -
// credentials parsed, nonce checked, the account found in the index, the response checked,
// the 200 OK built - with 10k and 1M users, to show that the lookup does not grow with the
// userdb. qop is off so that one request can be replayed (no nc to advance).
//   build/bench/registrar_bench --benchmark_repetitions=5

#include "sipcred/digest/digest.hpp"
#include "sipcred/sip/exchange.hpp"
#include "sipcred/sip/registrar.hpp"
#include "sipcred/store/store.hpp"

#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>

namespace {

using namespace sipcred;

// A userdb of `users` accounts in the temporary directory, opened as serve opens it.
std::unique_ptr<Store> make_store(std::int64_t users, std::string& path) {
  path = (std::filesystem::temp_directory_path() /
          ("sipcred-registrar-bench-" + std::to_string(users)))
             .string();
  std::ofstream out(path, std::ios::binary);
  out << "version:1\n";
  for (std::int64_t i = 0; i < users; ++i) {
    const std::string user = "user" + std::to_string(i);
    out << user
        << "@sip.example.org md5:" << ha1(HashFunction::Md5, user, "sip.example.org", "secret")
        << " ;\n";
  }
  out.close();
  return open_store(parse_locator(path), StoreOptions{});
}

void BM_AuthenticatedRegister(benchmark::State& state) {
  std::string path;
  const std::unique_ptr<Store> store = make_store(state.range(0), path);
  AuthSettings settings;
  settings.disable_qop_auth = true;
  Registrar registrar(settings, *store);
  const std::string user = "user" + std::to_string(state.range(0) / 2);
  const std::string head = "REGISTER sip:sip.example.org SIP/2.0\r\n"
                           "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\r\n"
                           "From: <sip:" +
                           user +
                           "@sip.example.org>;tag=1\r\n"
                           "To: <sip:" +
                           user +
                           "@sip.example.org>\r\n"
                           "Call-ID: c\r\nCSeq: 1 REGISTER\r\n"
                           "Contact: <sip:" +
                           user + "@10.0.0.1:5060>\r\n";
  const auto now = Registrar::Clock::now();
  const Registrar::Outcome first = registrar.handle(parse_sip_message(head + "\r\n"), now);
  ClientRequest client;
  client.username = user;
  client.password = "secret";
  client.method = "REGISTER";
  client.uri = "sip:sip.example.org";
  const std::vector<DigestChallenge> challenges =
      parse_challenges(*first.response->header("WWW-Authenticate"));
  const SipMessage answer = parse_sip_message(
      head + "Authorization: " + format_credentials(respond(challenges, client)) + "\r\n\r\n");
  for (auto _ : state) {
    const Registrar::Outcome outcome = registrar.handle(answer, now);
    if (!outcome.accepted) state.SkipWithError(outcome.log.c_str());
    benchmark::DoNotOptimize(outcome);
  }
  state.SetItemsProcessed(state.iterations());
  std::filesystem::remove(path);
}
BENCHMARK(BM_AuthenticatedRegister)->Arg(10000)->Arg(1000000)->Unit(benchmark::kMicrosecond);

} // namespace

BENCHMARK_MAIN();
