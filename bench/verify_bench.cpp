// Server-side check of an MD5 digest response (issue 7: 1M or more per second on one core):
// what a registrar does per REGISTER once it has the user's HA1 - H(A2), then the response.
//   build/bench/verify_bench --benchmark_repetitions=5

#include "sipcred/digest/digest.hpp"

#include <benchmark/benchmark.h>

namespace {

void BM_VerifyMd5Response(benchmark::State& state) {
  using namespace sipcred;
  const std::string key = ha1(HashFunction::Md5, "alice", "sip.example.org", "secret");
  const DigestInput in{{HashFunction::Md5, false},
                       key,
                       "9b7c4e1f0a2d3c5b6e8f",
                       "0a4f113b",
                       "00000001",
                       Qop::Auth,
                       "REGISTER",
                       "sip:sip.example.org",
                       ""};
  const std::string sent = request_digest(in);
  for (auto _ : state) benchmark::DoNotOptimize(request_digest(in) == sent);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyMd5Response);

} // namespace

BENCHMARK_MAIN();
