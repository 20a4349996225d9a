// Throughput of the scoring pipeline stages, in profiles per second.
//   BM_Generate      synthetic rows (one thread), generator version 2 (BM_GenerateV1: version 1;
//                    MICROREACH_ISA=baseline: version 2's baseline x86-64 copy)
//   BM_ScoreChunk    score_chunk on a pre-generated chunk (one thread): the hot loop, in the
//                    copy the CPU runs (AVX2 where it has it); BM_ScoreChunkBaseline: SSE2
//   BM_Pipeline      generate + score through the TBB pipeline (all threads)
//   BM_PipelineHdf5  read profiles from HDF5 + score + write scores (all threads)
// scripts/bench_scoring.py runs this and the NumPy version of score_chunk on the same rows.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>

#include "microreach/io/profiles.hpp"
#include "microreach/pipeline.hpp"
#include "microreach/synth.hpp"

using namespace microreach;

// Rows of generator version `version` (2: the default, in the copy the CPU runs; 1: the first
// generator, kept to reproduce older files).
static void generate_bench(benchmark::State& state, int version) {
  const auto n = static_cast<std::size_t>(state.range(0));
  GeneratorConfig gen;
  gen.version = version;
  ProfileChunk p;
  for (auto _ : state) {
    generate_chunk(1, 0, n, gen, ScoringConfig{}, p);
    benchmark::DoNotOptimize(p.followers.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}
static void BM_Generate(benchmark::State& state) {
  generate_bench(state, 2);
}
static void BM_GenerateV1(benchmark::State& state) {
  generate_bench(state, 1);
}
BENCHMARK(BM_Generate)->Arg(1 << 16);
BENCHMARK(BM_GenerateV1)->Arg(1 << 16);

// The scoring kernel on `n` generated rows, in the copy `isa` names.
static void score_chunk_bench(benchmark::State& state, ScoringIsa isa) {
  const auto n = static_cast<std::size_t>(state.range(0));
  ScoringConfig cfg;
  cfg.set_target_niche("--niche", "fitness");
  ProfileChunk p;
  generate_chunk(1, 0, n, GeneratorConfig{}, cfg, p);
  ScoreChunk s;
  for (auto _ : state) {
    score_chunk(p, cfg, s, nullptr, isa);
    benchmark::DoNotOptimize(s.score.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}

// The copy the CPU runs (x86-64-v3 where AVX2 is present).
static void BM_ScoreChunk(benchmark::State& state) {
  score_chunk_bench(state, ScoringIsa::automatic);
}
BENCHMARK(BM_ScoreChunk)->Range(1 << 10, 1 << 18);

// The same kernel forced to its baseline x86-64 (SSE2) copy: what a CPU without AVX2 runs.
static void BM_ScoreChunkBaseline(benchmark::State& state) {
  score_chunk_bench(state, ScoringIsa::baseline);
}
BENCHMARK(BM_ScoreChunkBaseline)->Arg(1 << 12)->Arg(1 << 18);

static void BM_Pipeline(benchmark::State& state) {
  const auto n = static_cast<std::uint64_t>(state.range(0));
  ScoringConfig cfg;
  cfg.set_target_niche("--niche", "fitness");
  for (auto _ : state) {
    GeneratorSource src(1, n, 16384, GeneratorConfig{}, cfg);
    struct Count : BatchSink {
      std::uint64_t rows = 0;
      void consume(const Batch& b) override { rows += b.scores.size(); }
    } sink;
    PipelineOptions po;
    po.scoring = &cfg;
    run_pipeline(src, {&sink}, po);
    benchmark::DoNotOptimize(sink.rows);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}
BENCHMARK(BM_Pipeline)->Arg(1 << 20)->UseRealTime()->Unit(benchmark::kMillisecond);

static void BM_PipelineHdf5(benchmark::State& state) {
  const auto n = static_cast<std::uint64_t>(state.range(0));
  const auto dir = std::filesystem::temp_directory_path();
  const std::string in = (dir / ("bench_profiles_" + std::to_string(::getpid()) + ".h5")).string();
  const std::string out = (dir / ("bench_scores_" + std::to_string(::getpid()) + ".h5")).string();
  ScoringConfig cfg;
  {
    h5::File f = h5::File::create(in, {h5::kFiletypeProfiles, 1, "", "bench"});
    {
      h5::TableSink sink(f.id(), {}, false, false);
      GeneratorSource src(1, n, 16384, GeneratorConfig{}, cfg);
      PipelineOptions po;
      po.score = false;
      run_pipeline(src, {&sink}, po);
    }
    f.close();
  }
  for (auto _ : state) {
    h5::File f = h5::File::create(out, {h5::kFiletypeScores, 1, "", "bench"});
    {
      h5::TableSink sink(f.id(), {}, true, false);
      Hdf5Source src(in, 16384);
      PipelineOptions po;
      po.scoring = &cfg;
      run_pipeline(src, {&sink}, po);
    }
    f.close();
  }
  std::filesystem::remove(in);
  std::filesystem::remove(out);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}
BENCHMARK(BM_PipelineHdf5)->Arg(1 << 20)->UseRealTime()->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
