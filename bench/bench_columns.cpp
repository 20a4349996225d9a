// Scoring a whole table held in memory, on a given number of threads: the C++ reference the
// Python module is measured against (scripts/bench_python.py).
//   BM_ScoreInMemory/T  the rows as ProfileChunks of 16,384 (the pipeline's batch size), each
//                       scored into its own ScoreChunk, sized once and reused: the kernel alone
//   BM_ScoreColumns/T   score_columns over column arrays into freshly allocated output
//                       columns: what microreach.score() runs, without Python
// Rows: MICROREACH_BENCH_ROWS (default 262,144, so the CTest smoke run stays quick; the script
// sets 5,000,000).
#include <benchmark/benchmark.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <cstdlib>
#include <memory>
#include <vector>

#include "microreach/columns.hpp"
#include "microreach/synth.hpp"

using namespace microreach;

namespace {

constexpr std::size_t kChunk = 16384;

std::size_t bench_rows() {
  const char* e = std::getenv("MICROREACH_BENCH_ROWS");
  const long long v = e ? std::atoll(e) : 0;
  return v > 0 ? static_cast<std::size_t>(v) : std::size_t{1} << 18;
}

ScoringConfig fitness() {
  ScoringConfig cfg;
  cfg.set_target_niche("--niche", "fitness");
  return cfg;
}

// The synthetic rows, generated once: as chunks, and as one set of columns.
struct Table {
  std::size_t rows = bench_rows();
  std::vector<ProfileChunk> chunks;
  ProfileChunk all;
  Table() {
    const ScoringConfig cfg = fitness();
    generate_rows(1, rows, GeneratorConfig{}, cfg, all);
    for (auto& h : all.handle) std::string().swap(h);  // strings are not scored
    for (auto& c : all.country) std::string().swap(c);
    for (std::size_t first = 0; first < rows; first += kChunk) {
      ProfileChunk& c = chunks.emplace_back();
      const std::size_t n = std::min(kChunk, rows - first);
      c.reserve(n);
      c.first_row = first;
      for (std::size_t i = 0; i < n; ++i) c.append_row(all, first + i);
    }
  }
};

const Table& table() {
  static const Table t;
  return t;
}

}  // namespace

static void BM_ScoreInMemory(benchmark::State& state) {
  const Table& t = table();
  const ScoringConfig cfg = fitness();
  std::vector<ScoreChunk> out(t.chunks.size());
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    arena.execute([&] {
      tbb::parallel_for(std::size_t{0}, t.chunks.size(),
                        [&](std::size_t i) { score_chunk(t.chunks[i], cfg, out[i]); });
    });
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(t.rows));
}
BENCHMARK(BM_ScoreInMemory)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

static void BM_ScoreColumns(benchmark::State& state) {
  const Table& t = table();
  const ScoringConfig cfg = fitness();
  ProfileColumns in;
  in.rows = t.rows;
  in.platform = t.all.platform.data();
  in.niche = t.all.niche.data();
  for (std::size_t k = 0; k < kColumnCount; ++k)
    if (const auto* v = t.all.numeric(static_cast<Column>(k))) in.numeric[k] = v->data();
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    std::vector<std::unique_ptr<double[]>> numeric;
    ScoreColumns out;
    for (std::size_t k = 0; k < kScoreColumnCount; ++k) {
      numeric.emplace_back(new double[t.rows]);
      out.numeric[k] = numeric.back().get();
    }
    std::unique_ptr<std::uint8_t[]> tier(new std::uint8_t[t.rows]),
        missing(new std::uint8_t[t.rows]);
    std::unique_ptr<std::uint16_t[]> flags(new std::uint16_t[t.rows]);
    out.tier = tier.get();
    out.missing = missing.get();
    out.flags = flags.get();
    arena.execute([&] { score_columns(in, cfg, out); });
    benchmark::DoNotOptimize(out.numeric[0]);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(t.rows));
}
BENCHMARK(BM_ScoreColumns)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
