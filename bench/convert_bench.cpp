// The raw cost of the hashes sipcred-convert computes (issue 4: the tool must stay within 2x
// of it): MD5 and SHA-256 of user:domain:password for every user of a clear-text userdb, on
// one thread and on two, with nothing else (no parsing, no output). BM_RawHashes hashes one
// user at a time; BM_RawHashesGrouped does MD5 as sipcred-convert does, with Md5Batch: 256
// users at a time through md5_many (SIMD lanes). It is the reference for the 2x target.
//   bench/gen_userdb.py --users 1000000 --clrtxt > /tmp/clear-1m
//   build/bench/convert_bench --userdb=/tmp/clear-1m --benchmark_repetitions=5

#include "digest/md5_batch.hpp"
#include "sipcred/digest/digest.hpp"
#include "sipcred/userdb/userdb.hpp"
#include "sipcred/util/atomic_file.hpp"
#include "userdb/userdb_scan.hpp"

#include <benchmark/benchmark.h>

#include <cstring>
#include <thread>

namespace {

struct User {
  std::string user, domain, password;
};
std::vector<User> g_users;

// Each thread sums into a local and stores once: sums side by side in one cache line, written
// for every user, would make the threads fight over it (false sharing).
void hash_range(std::size_t begin, std::size_t end, std::size_t& result) {
  std::size_t sink = 0;
  for (std::size_t i = begin; i < end; ++i) {
    const User& u = g_users[i];
    sink += sipcred::ha1(sipcred::HashFunction::Md5, u.user, u.domain, u.password)[0];
    sink += sipcred::ha1(sipcred::HashFunction::Sha256, u.user, u.domain, u.password)[0];
  }
  result = sink;
}

// MD5 as sipcred-convert computes it: Md5Batch (A1 strings gathered, then md5_many on 256 of
// them), into an output buffer that is emptied as it fills.
void hash_range_grouped(std::size_t begin, std::size_t end, std::size_t& result) {
  std::size_t sink = 0;
  std::string output;
  sipcred::Md5Batch md5(output);
  for (std::size_t i = begin; i < end; ++i) {
    const User& u = g_users[i];
    md5.add(u.user, u.domain, u.password);
    sink += sipcred::ha1(sipcred::HashFunction::Sha256, u.user, u.domain, u.password)[0];
    if (output.size() >= (64u << 10)) {
      md5.flush();
      sink += static_cast<unsigned char>(output.back());
      output.clear();
    }
  }
  md5.flush();
  result = sink + output.size();
}

void run_on_threads(benchmark::State& state, void (*hash)(std::size_t, std::size_t, std::size_t&)) {
  const auto threads = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    std::vector<std::size_t> sinks(threads);
    std::vector<std::thread> workers;
    const std::size_t share = (g_users.size() + threads - 1) / threads;
    for (std::size_t t = 0; t < threads; ++t)
      workers.emplace_back(hash, t * share, std::min(g_users.size(), (t + 1) * share),
                           std::ref(sinks[t]));
    for (std::thread& w : workers) w.join();
    benchmark::DoNotOptimize(sinks);
  }
  state.counters["users"] = static_cast<double>(g_users.size());
}

void BM_RawHashes(benchmark::State& state) { run_on_threads(state, hash_range); }
void BM_RawHashesGrouped(benchmark::State& state) { run_on_threads(state, hash_range_grouped); }
BENCHMARK(BM_RawHashes)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RawHashesGrouped)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace

int main(int argc, char** argv) {
  std::string file;
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--userdb=", 9) == 0) file = argv[i] + 9;
  if (file.empty()) {
    for (int i = 0; i < 1'000'000; ++i)
      g_users.push_back({"user" + std::to_string(i), "sip" + std::to_string(i % 8) + ".example.org",
                         "Pw" + std::to_string(i * 7919) + "x"});
  } else {
    std::vector<sipcred::Diagnostic> diagnostics;
    sipcred::userdb::scan_lines(
        sipcred::read_file(file), diagnostics, [](const sipcred::userdb::Line& line, std::size_t) {
          if (line.kind != sipcred::userdb::LineKind::Auth) return;
          for (const auto* c : line.entry.effective_credentials())
            if (c->type == sipcred::userdb::CredentialType::ClearText)
              g_users.push_back(
                  {line.entry.hash_user(), std::string(line.entry.domain), std::string(c->value)});
        });
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
