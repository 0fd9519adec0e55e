// The cost of a word list tried against stored HA1s (sipcred-lint --audit), one thread, per
// candidate: md5_search (the salt kept in place in md5_many's lanes, digests compared in
// registers) against the floor the issue names, md5_many on the same A1 strings already built
// ("user:realm:candidate"), and SHA-256 through salted_search. 100 accounts x 10k candidates
// an iteration: items/s is candidates hashed per second on one core.
//   build/bench/audit_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true

#include "digest/md5_many.hpp"
#include "digest/salted_search.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

namespace {

constexpr int accounts = 100, words = 10000;

std::vector<std::string> g_prefixes, g_words, g_messages;
std::vector<std::string_view> g_word_views, g_message_views;

// Like bench/audit_speed.py's: "user123:sip.example.org:" and words of 6 to 12 bytes.
void make_data() {
  for (int a = 0; a < accounts; ++a)
    g_prefixes.push_back("user" + std::to_string(a * 997) + ":sip.example.org:");
  for (int w = 0; w < words; ++w)
    g_words.push_back("pw" + std::to_string(std::int64_t{w} * 7919 % 100000000) + "x");
  g_word_views.assign(g_words.begin(), g_words.end());
  for (const std::string& prefix : g_prefixes)
    for (const std::string& word : g_words) g_messages.push_back(prefix + word);
  g_message_views.assign(g_messages.begin(), g_messages.end());
}

void BM_Md5ManyFloor(benchmark::State& state) {
  std::vector<sipcred::Md5Digest> digests(g_message_views.size());
  for (auto _ : state) {
    sipcred::md5_many(g_message_views, digests);
    benchmark::DoNotOptimize(digests.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * g_messages.size()));
}

void BM_Md5Search(benchmark::State& state) {
  const sipcred::Md5Digest target{}; // matches nothing: every candidate is hashed
  std::vector<std::size_t> matches;
  for (auto _ : state) {
    for (const std::string& prefix : g_prefixes)
      sipcred::md5_search(prefix, g_word_views, target, matches);
    benchmark::DoNotOptimize(matches.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * g_messages.size()));
}

void BM_Sha256Search(benchmark::State& state) {
  const std::vector<unsigned char> target(32, 0);
  std::vector<std::size_t> matches;
  for (auto _ : state) {
    for (const std::string& prefix : g_prefixes)
      sipcred::salted_search(sipcred::HashFunction::Sha256, prefix, g_word_views, target, matches);
    benchmark::DoNotOptimize(matches.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * g_messages.size()));
}

} // namespace

int main(int argc, char** argv) {
  make_data();
  const auto unit = benchmark::kMillisecond;
  benchmark::RegisterBenchmark("BM_Md5ManyFloor", BM_Md5ManyFloor)->Unit(unit);
  benchmark::RegisterBenchmark("BM_Md5Search", BM_Md5Search)->Unit(unit);
  benchmark::RegisterBenchmark("BM_Sha256Search", BM_Sha256Search)->Unit(unit);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
