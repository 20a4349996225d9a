// Follower classification throughput:
//   BM_AuditClassify     the model on parsed rows in memory (one thread): the hot loop
//   BM_TableReaderRead   TableReader::next() over a follower CSV, nothing else: the reader's speed
//   BM_AuditStream       classify_followers: read + parse + classify in parallel blocks (all
//                        threads), the path of `microreach audit`
// Compare with scripts/audit_numpy.py (pandas + NumPy, same file shape, same model).
// MICROREACH_BENCH_AUDIT_CSV=/path/followers.csv runs the file benchmarks on that file.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "microreach/audit/audit.hpp"
#include "microreach/random.hpp"
#include "microreach/table.hpp"

using namespace microreach;
using namespace microreach::audit;

namespace {

// A follower CSV in the shape of scripts/audit_numpy.py (a quarter bots), written once; or the
// file named by MICROREACH_BENCH_AUDIT_CSV (e.g. the 10M-row file audit_numpy.py --keep wrote).
const std::string& follower_csv(std::size_t rows) {
  static std::string path;
  static std::size_t made = 0;
  if (const char* env = std::getenv("MICROREACH_BENCH_AUDIT_CSV")) {
    path = env;
    return path;
  }
  if (made == rows) return path;
  path = (std::filesystem::temp_directory_path() /
          ("microreach_bench_audit_" + std::to_string(rows) + ".csv"))
             .string();
  std::ofstream o(path, std::ios::binary);
  o << "username,followers,following,posts,has_profile_picture,is_private\n";
  for (std::size_t i = 0; i < rows; ++i) {
    Stream s(1, Purpose::audit, i);
    const bool bot = s.bernoulli(0.25);
    o << (bot ? "u" : "anna.b") << s.below(bot ? 100000 : 100) << ','
      << std::floor(s.lognormal_median(bot ? 33.0 : 400.0, 1.2)) << ','
      << std::min(7500.0, std::floor(s.lognormal_median(bot ? 1500.0 : 500.0, 0.8))) << ','
      << std::floor(s.lognormal_median(bot ? 1.6 : 55.0, 1.1)) << ','
      << (s.bernoulli(bot ? 0.7 : 0.99) ? "TRUE" : "FALSE") << ','
      << (s.bernoulli(0.25) ? "TRUE" : "FALSE") << '\n';
  }
  made = rows;
  return path;
}

void BM_AuditClassify(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const LogisticModel m = load_model("default");
  FollowerData d;
  d.rows = n;
  for (auto f : m.features()) d.col(f).resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    Stream s(2, Purpose::audit, i);
    for (auto f : m.features())
      d.col(f)[i] = feature_info(f).boolean ? static_cast<double>(s.bernoulli(0.5))
                                            : std::floor(s.lognormal_median(300.0, 1.2));
  }
  const auto feats = m.features();
  std::array<double, kFeatureCount> row{};
  for (auto _ : state) {
    double sum = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      for (auto f : feats) row[static_cast<std::size_t>(f)] = d.col(f)[i];
      sum += m.probability(row.data());
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}
BENCHMARK(BM_AuditClassify)->Arg(1 << 16);

void BM_TableReaderRead(benchmark::State& state) {
  const auto& path = follower_csv(static_cast<std::size_t>(state.range(0)));
  std::int64_t rows = 0;
  for (auto _ : state) {
    auto t = TableReader::open(path);
    std::vector<std::string> f;
    while (t->next(f)) ++rows;
  }
  state.SetItemsProcessed(rows);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(std::filesystem::file_size(path)));
}
BENCHMARK(BM_TableReaderRead)->Arg(1 << 20)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_AuditStream(benchmark::State& state) {
  const auto& path = follower_csv(static_cast<std::size_t>(state.range(0)));
  const LogisticModel m = load_model("default");
  std::int64_t rows = 0;
  for (auto _ : state) {
    const auto stats = classify_followers(path, m, {}, {}, nullptr);
    rows += static_cast<std::int64_t>(stats.rows);
    benchmark::DoNotOptimize(stats.flagged);
  }
  state.SetItemsProcessed(rows);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(std::filesystem::file_size(path)));
}
BENCHMARK(BM_AuditStream)->Arg(1 << 20)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
