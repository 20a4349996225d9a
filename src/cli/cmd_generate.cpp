// microreach generate: a synthetic population to an HDF5 profiles file.
#include <iostream>

#include "commands.hpp"
#include "dist_tables.hpp"
#include "microreach/cancel.hpp"
#include "microreach/io/profiles.hpp"
#include "microreach/pipeline.hpp"
#include "options.hpp"
#include "output_check.hpp"

namespace microreach::cli {
namespace {

struct GenerateArgs {
  std::uint64_t count = 1000000;
  std::uint64_t seed = 1;
  std::string out;
  std::size_t chunk = 16384;
  h5::Compression compress;
  GeneratorOptions gen;
};

// Distributed (docs/scale.md): each rank generates its share of the rows into one file.
PipelineStats generate_distributed(const GenerateArgs& a, const Globals& g,
                                   const GeneratorConfig& gen, const ScoringConfig& scoring) {
  GeneratorSource source(a.seed, a.count, a.chunk, gen, scoring);
  DistTablesJob job;
  job.out = a.out;
  job.provenance = {h5::kFiletypeProfiles, a.seed, gen.to_text() + scoring.to_text(),
                    g.command_line};
  job.root_attributes = [&](h5::Id file) { h5::write_attr(file, "rows", a.count); };
  job.columns = {a.chunk, a.compress};
  job.with_truth = true;
  job.total_rows = a.count;
  job.rows = select_rank_rows(source, a.chunk, "--count", std::to_string(a.count));
  job.min_bytes = a.compress ? 0 : a.count * 100;
  job.size_option = "--count";
  job.size_value = std::to_string(a.count);
  PipelineOptions po;
  po.score = false;
  po.progress = want_progress(g.quiet);
  PipelineStats stats = run_distributed_tables(job, source, {}, po);
  stats.rows = a.count;
  return stats;
}

void run_generate(const GenerateArgs& a, const Globals& g) {
  const GeneratorConfig gen = a.gen.build();
  const ScoringConfig scoring;  // price model and benchmarks the population is drawn around
  auto threads = limit_threads(g.threads);
  if (dist::distributed()) {
    const PipelineStats stats = generate_distributed(a, g, gen, scoring);
    if (!g.quiet)
      std::cerr << "Generated " << stats.rows << " profiles in " << stats.seconds << " s on "
                << dist::size() << " ranks -> " << a.out << "\n";
    return;
  }
  // A profiles file takes well over 100 bytes a row (measured ~150 uncompressed): refuse a
  // count that cannot fit before writing anything.
  const h5::SpaceNeeded space{a.compress ? 0 : a.count * 100, "--count", std::to_string(a.count)};
  const h5::Provenance prov{h5::kFiletypeProfiles, a.seed, gen.to_text() + scoring.to_text(),
                            g.command_line};
  PipelineStats stats;
  h5::write_file_atomically(
      a.out, prov,
      [&](h5::File& file) {
        h5::write_attr(file.id(), "rows", a.count);
        h5::TableSink sink(file.id(), {a.chunk, a.compress}, /*scores=*/false, /*with_truth=*/true);
        GeneratorSource source(a.seed, a.count, a.chunk, gen, scoring);
        PipelineOptions po;
        po.score = false;
        po.progress = want_progress(g.quiet);
        stats = run_pipeline(source, {&sink}, po);
      },
      space);
  if (!g.quiet)
    std::cerr << "Generated " << stats.rows << " profiles in " << stats.seconds << " s ("
              << (stats.seconds > 0 ? stats.rows / stats.seconds / 1e6 : 0) << "M rows/s) -> "
              << a.out << "\n";
}

}  // namespace

void add_generate(CLI::App& app, Globals& g) {
  auto a = std::make_shared<GenerateArgs>();
  CLI::App* cmd =
      app.add_subcommand("generate", "Generate a synthetic influencer population (HDF5)");
  cmd->add_option("--count,-n", a->count, "Number of profiles")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
  cmd->add_option("--seed", a->seed, "Random seed: the same seed gives the same rows");
  cmd->add_option("--out,-o", a->out, "Output HDF5 file")->required();
  cmd->add_option("--chunk-size", a->chunk, "Rows per pipeline batch and HDF5 chunk")
      ->check(CLI::Range(std::size_t{256}, std::size_t{1} << 22));
  add_compress_option(cmd, a->compress);
  add_generator_options(cmd, a->gen);
  cmd->callback([a, cmd, &g] {
    check_paths(cmd, {{"--out", a->out, OutputFormat::binary}}, {});
    run_generate(*a, g);
  });
}

}  // namespace microreach::cli
