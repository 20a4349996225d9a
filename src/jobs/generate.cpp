#include "microreach/jobs/generate.hpp"

#include "microreach/dist.hpp"
#include "microreach/io/profiles.hpp"
#include "microreach/jobs/dist_tables.hpp"

namespace microreach::jobs {
namespace {

// Distributed (docs/scale.md): each rank generates its share of the rows into one file.
PipelineStats generate_distributed(const GenerateOptions& o, const GeneratorConfig& gen,
                                   const ScoringConfig& scoring) {
  GeneratorSource source(o.seed, o.count, o.chunk, gen, scoring);
  DistTablesJob job;
  job.out = o.out;
  job.provenance = {h5::kFiletypeProfiles, o.seed, gen.to_text() + scoring.to_text(),
                    o.run.command_line};
  job.root_attributes = [&](h5::Id file) {
    h5::write_attr(file, "rows", o.count);
    h5::write_attr(file, "generator_version", std::int64_t{gen.version});
  };
  job.columns = {o.chunk, o.compress};
  job.with_truth = true;
  job.total_rows = o.count;
  job.rows = select_rank_rows(source, o.chunk, "--count", std::to_string(o.count));
  job.min_bytes = o.compress ? 0 : o.count * 100;
  job.size_option = "--count";
  job.size_value = std::to_string(o.count);
  PipelineOptions po;
  po.score = false;
  po.progress = o.run.progress;
  PipelineStats stats = run_distributed_tables(job, source, {}, po);
  stats.rows = o.count;
  return stats;
}

}  // namespace

GenerateResult run_generate(const GenerateOptions& o) {
  const GeneratorConfig gen = o.gen.build();
  const ScoringConfig scoring;  // price model and benchmarks the population is drawn around
  auto threads = limit_threads(o.run.threads);
  GenerateResult result;
  if (dist::distributed()) {
    result.distributed = true;
    result.stats = generate_distributed(o, gen, scoring);
    return result;
  }
  // A profiles file takes well over 100 bytes a row (measured ~150 uncompressed): refuse a
  // count that cannot fit before writing anything.
  const h5::SpaceNeeded space{o.compress ? 0 : o.count * 100, "--count", std::to_string(o.count)};
  const h5::Provenance prov{h5::kFiletypeProfiles, o.seed, gen.to_text() + scoring.to_text(),
                            o.run.command_line};
  h5::write_file_atomically(
      o.out, prov,
      [&](h5::File& file) {
        h5::write_attr(file.id(), "rows", o.count);
        h5::write_attr(file.id(), "generator_version", std::int64_t{gen.version});
        h5::TableSink sink(file.id(), {o.chunk, o.compress}, /*scores=*/false, /*with_truth=*/true);
        GeneratorSource source(o.seed, o.count, o.chunk, gen, scoring);
        PipelineOptions po;
        po.score = false;
        po.progress = o.run.progress;
        result.stats = run_pipeline(source, {&sink}, po);
      },
      space);
  return result;
}

}  // namespace microreach::jobs
