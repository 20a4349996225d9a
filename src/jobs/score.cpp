#include "microreach/jobs/score.hpp"

#include <filesystem>
#include <memory>
#include <optional>

#include "microreach/audit/audit.hpp"
#include "microreach/dist.hpp"
#include "microreach/error.hpp"
#include "microreach/import.hpp"
#include "microreach/io/profiles.hpp"
#include "microreach/jobs/dist_import.hpp"
#include "microreach/jobs/dist_tables.hpp"
#include "microreach/jobs/rows.hpp"

namespace microreach::jobs {
namespace {

std::unique_ptr<ProfileSource> open_source(const ScoreOptions& o, const ScoringConfig& cfg) {
  if (o.generate > 0) {
    if (!o.in.empty())
      throw ConfigError("--generate", std::to_string(o.generate),
                        "either --in FILE or --generate N, not both");
    return std::make_unique<GeneratorSource>(o.seed, o.generate, o.chunk, o.gen.build(), cfg);
  }
  if (o.in.empty())
    throw ConfigError("--in", "", "an input file (--in profiles.h5) or --generate N");
  const std::string ext = std::filesystem::path(o.in).extension().string();
  if (ext == ".h5" || ext == ".hdf5" || ext == ".he5")
    return std::make_unique<Hdf5Source>(o.in, o.chunk);
  // CSV/TSV/JSON exports go straight through the pipeline (no intermediate file).
  if (is_import_path(o.in) || !o.imp.format.empty())
    return make_import_source(o.in, o.imp.build(), o.chunk);
  throw ConfigError("--in", o.in,
                    "an HDF5 file written by microreach (.h5) or an export to import "
                    "(.csv .tsv .txt .json .ndjson, or --format)");
}

// An HDF5 profiles input is referred to (path + checksum), not copied; unless --dedupe drops
// rows, when the scores no longer line up with the input's rows. "" = copy /profiles.
std::string reference(const ScoreOptions& o) {
  const bool refer = !o.self_contained && !o.in.empty() && h5::is_profiles_file(o.in) &&
                     (o.imp.dedupe.empty() || o.imp.dedupe == "keep");
  return refer ? o.in : std::string();
}

// Profiles + scores take well over 200 bytes a row: refuse a --generate count that cannot fit
// before scoring anything.
h5::SpaceNeeded space_needed(const ScoreOptions& o) {
  if (o.generate == 0 || o.compress) return {};
  return {o.generate * 200, "--generate", std::to_string(o.generate)};
}

// Distributed runs (docs/scale.md): each rank scores a contiguous share of the rows, whole
// --chunk-size chunks at a time (dist_tables.hpp); the summaries are merged on rank 0 (counts
// and a top-K list with a total order: the same summary as one pass).
void merge_rank_summaries(Summary& summary, PipelineStats& stats, std::size_t top) {
  if (!dist::distributed()) return;
  const auto rows = dist::allgather(stats.rows);
  const auto read = dist::allgather(stats.rows_read);
  const auto rejected = dist::allgather(stats.rejected);
  const auto parts = dist::gather(summary.to_bytes());
  stats.rows = stats.rows_read = stats.rejected = 0;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    stats.rows += rows[r];
    stats.rows_read += read[r];
    stats.rejected += rejected[r];
  }
  if (!dist::is_root()) return;
  Summary all(top);
  for (const std::string& p : parts) all.merge_bytes(p);
  summary = std::move(all);
}

// One run's input and how it is shared between ranks.
struct Run {
  const ScoreOptions& o;
  const ScoringConfig& cfg;
  std::unique_ptr<ProfileSource> source;
  PipelineOptions po;
  ImportSource* text = nullptr;      // an export
  std::optional<ImportShare> share;  // under mpirun, an export or an HDF5 file with --dedupe
  std::optional<SharedRejects> shared_rejects;  // rejected rows of every rank (--on-error skip)
  dist::Range rank_rows;
  std::string config_text;  // the provenance's `config`

  Run(const ScoreOptions& opt, const ScoringConfig& c) : o(opt), cfg(c) {
    source = open_source(o, cfg);
    po.scoring = &cfg;
    po.progress = o.run.progress;
    text = dynamic_cast<ImportSource*>(source.get());
    config_text = cfg.to_text() + (o.generate ? o.gen.build().to_text() : std::string());
  }

  // A distributed run (docs/scale.md): an export is cut into byte ranges (dist_import.hpp),
  // other inputs into whole chunks of rows (dist_tables.hpp).
  void plan_ranks() {
    if (!dist::distributed()) return;
    shared_rejects.emplace(o.imp.rejects);  // none from HDF5 or generated rows: the header only
    if (text) {
      share =
          plan_import_share(*text, o.imp.dedupe, "--in", o.in, shared_rejects->sink(), o.out, po);
      rank_rows = share->rows;
      return;
    }
    rank_rows = select_rank_rows(*source, o.chunk, o.generate ? "--generate" : "--in",
                                 o.generate ? std::to_string(o.generate) : o.in);
    // --dedupe on an HDF5 file: counted and exchanged like an export's rows (its rows read
    // twice, no spill); generated rows are never checked, as in one process.
    if (o.imp.dedupe.empty() || o.generate) return;
    ImportShare plan;
    plan.input = source->describe();
    plan.mode = parse_dedupe("--dedupe", o.imp.dedupe);
    plan.rewind = [this, rows = rank_rows] { source->select_rows(rows.begin, rows.end); };
    share = count_share(*source, std::move(plan), nullptr, "", po);
    rank_rows = share->rows;
  }

  h5::Provenance provenance() const {
    return {h5::kFiletypeScores, o.seed, config_text, o.run.command_line};
  }

  void write_root_attributes(h5::Id file) const {
    h5::write_attr(file, "source", source->describe());
    if (!o.audited.empty()) h5::write_attr(file, "audited", o.audited);
  }

  // Every rank's rows into one scores file.
  PipelineStats distributed_to_file(Summary& summary) {
    DistTablesJob job;
    job.out = o.out;
    job.provenance = provenance();
    job.root_attributes = [this](h5::Id file) { write_root_attributes(file); };
    job.columns = {o.chunk, o.compress};
    job.scores = true;
    job.with_truth = source->has_truth();
    job.omit = source->absent_columns();
    job.reference = reference(o);
    job.total_rows = share ? share->total_rows : source->rows_known();
    job.rows = rank_rows;
    if (share) {
      job.batches = share->batches;
      job.run = [this](const std::vector<BatchSink*>& sinks) {
        return run_share(*source, *share, sinks, po);
      };
    }
    const h5::SpaceNeeded space = space_needed(o);
    job.min_bytes = space.min_bytes;
    job.size_option = space.option;
    job.size_value = space.value;
    return run_distributed_tables(job, *source, {&summary}, po);
  }

  std::uint64_t deduplicated(const std::vector<BatchSink*>& sinks, PipelineStats& stats) {
    return run_deduplicated(
        o.imp.dedupe, *source, [this] { return open_source(o, cfg); }, sinks, po, stats);
  }

  // This rank's rows into the summary (and, with an output file, the scores file).
  std::uint64_t score(Summary& summary, BatchSink* rejects, PipelineStats& stats) {
    if (!o.out.empty() && dist::distributed()) {
      stats = distributed_to_file(summary);
      return share ? share->duplicates : 0;
    }
    if (dist::distributed()) {
      stats = dist::guarded([&] {
        return share ? run_share(*source, *share, {&summary}, po)
                     : run_pipeline(*source, {&summary}, po);
      });
      return share ? share->duplicates : 0;
    }
    if (o.out.empty())
      return dist::guarded([&] { return deduplicated({&summary, rejects}, stats); });
    std::uint64_t duplicates = 0;
    h5::write_file_atomically(
        o.out, provenance(),
        [&](h5::File& file) {
          write_root_attributes(file.id());
          h5::TableSink sink(file.id(), {o.chunk, o.compress}, /*scores=*/true,
                             /*with_truth=*/source->has_truth(), source->absent_columns(),
                             file.path(), reference(o));
          duplicates = deduplicated({&sink, &summary, rejects}, stats);
        },
        space_needed(o));
    return duplicates;
  }
};

}  // namespace

ScoreResult run_score(const ScoreOptions& o) {
  const ScoringConfig cfg = o.scoring.build();
  auto threads = limit_threads(o.run.threads);
  Run run(o, cfg);
  run.plan_ranks();
  ScoreResult result;
  result.summary = Summary(o.top);
  // Rows an import source refused (--on-error skip), optionally listed in --rejects.
  RejectsFile rejects(dist::distributed() ? std::string() : o.imp.rejects);
  AuditedShares audited;
  if (!o.audited.empty()) {
    audited = audit::load_audited_shares(o.audited);
    run.po.audited = &audited;
  }
  result.duplicates = run.score(result.summary, rejects.sink(), result.stats);
  // stats.rows of a distributed export: each rank's rows after --dedupe, summed here.
  merge_rank_summaries(result.summary, result.stats, o.top);
  if (run.shared_rejects) {
    run.shared_rejects->finish(o.in);
    result.rejected = run.shared_rejects->first();
  } else {
    rejects.commit();
    result.rejected = rejects.first(o.in);
  }
  result.source = run.source->describe();
  if (cfg.target_niche) result.niche = niche_name(static_cast<std::uint8_t>(*cfg.target_niche));
  result.audited_handles = audited.by_handle.size();
  result.threads = effective_threads(o.run.threads);
  return result;
}

}  // namespace microreach::jobs
