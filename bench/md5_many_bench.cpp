// MD5 of a million A1 strings (user:realm:password) on one thread: OpenSSL one message at a
// time, as sipcred-convert did, against md5_many on each path this CPU runs. Time per
// iteration is per million strings.
//   build/bench/md5_many_bench --benchmark_repetitions=3

#include "digest/md5_lanes.hpp"
#include "digest/md5_many.hpp"

#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/md5.h>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

namespace {

std::vector<std::string> g_strings;
std::vector<std::string_view> g_views;

// Like the users of convert_bench: "user123456:sip0.example.org:Pw977648064x", 27 to 41 bytes.
void make_strings() {
  for (int i = 0; i < 1'000'000; ++i)
    g_strings.push_back("user" + std::to_string(i) + ":sip" + std::to_string(i % 8) +
                        ".example.org:Pw" + std::to_string(std::int64_t{i} * 7919) + "x");
  g_views.assign(g_strings.begin(), g_strings.end());
}

void BM_OpenSslOneAtATime(benchmark::State& state) {
  std::vector<sipcred::Md5Digest> digests(g_views.size());
  for (auto _ : state) {
    for (std::size_t i = 0; i < g_views.size(); ++i) {
      MD5_CTX ctx;
      MD5_Init(&ctx);
      MD5_Update(&ctx, g_views[i].data(), g_views[i].size());
      MD5_Final(digests[i].data(), &ctx);
    }
    benchmark::DoNotOptimize(digests.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * g_views.size()));
}

template <auto run> void BM_Md5Many(benchmark::State& state) {
  std::vector<sipcred::Md5Digest> digests(g_views.size());
  for (auto _ : state) {
    run(g_views, digests);
    benchmark::DoNotOptimize(digests.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * g_views.size()));
}

void register_all() {
  const auto unit = benchmark::kMillisecond;
  benchmark::RegisterBenchmark("OpenSSL_MD5_one_at_a_time", BM_OpenSslOneAtATime)->Unit(unit);
  benchmark::RegisterBenchmark("md5_many_scalar", BM_Md5Many<sipcred::md5_many_scalar>)->Unit(unit);
#if defined(__x86_64__)
  if (sipcred::cpu_has_avx2())
    benchmark::RegisterBenchmark("md5_many_avx2", BM_Md5Many<sipcred::md5_many_avx2>)->Unit(unit);
  if (sipcred::cpu_has_avx512())
    benchmark::RegisterBenchmark("md5_many_avx512", BM_Md5Many<sipcred::md5_many_avx512>)
        ->Unit(unit);
#endif
  const std::string dispatch = "md5_many(" + std::string(sipcred::md5_many_implementation()) + ")";
  benchmark::RegisterBenchmark(dispatch.c_str(), BM_Md5Many<sipcred::md5_many>)->Unit(unit);
}

} // namespace

int main(int argc, char** argv) {
  make_strings();
  register_all();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
