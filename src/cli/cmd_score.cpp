// microreach score: profiles (HDF5, or generated on the fly) -> scores, summary, top K.
#include <filesystem>
#include <iostream>
#include <optional>

#include "commands.hpp"
#include "dist_import.hpp"
#include "dist_tables.hpp"
#include "import_options.hpp"
#include "microreach/audit/audit.hpp"
#include "microreach/cancel.hpp"
#include "microreach/dist.hpp"
#include "microreach/error.hpp"
#include "microreach/import.hpp"
#include "microreach/io/profiles.hpp"
#include "microreach/pipeline.hpp"
#include "microreach/summary.hpp"
#include "options.hpp"
#include "output_check.hpp"

namespace microreach::cli {
namespace {

struct ScoreArgs {
  std::string in;
  std::uint64_t generate = 0;
  std::uint64_t seed = 1;
  std::string out;
  std::size_t top = 20;
  std::size_t chunk = 16384;
  h5::Compression compress;
  bool self_contained = false;
  ScoringOptions scoring;
  GeneratorOptions gen;
  ImportCliOptions imp;  // --in data.csv: import options
  std::string audited;   // --audited FILE: audited fake-follower shares
};

std::unique_ptr<ProfileSource> open_source(const ScoreArgs& a, const ScoringConfig& cfg) {
  if (a.generate > 0) {
    if (!a.in.empty())
      throw ConfigError("--generate", std::to_string(a.generate),
                        "either --in FILE or --generate N, not both");
    return std::make_unique<GeneratorSource>(a.seed, a.generate, a.chunk, a.gen.build(), cfg);
  }
  if (a.in.empty())
    throw ConfigError("--in", "", "an input file (--in profiles.h5) or --generate N");
  const std::string ext = std::filesystem::path(a.in).extension().string();
  if (ext == ".h5" || ext == ".hdf5" || ext == ".he5")
    return std::make_unique<Hdf5Source>(a.in, a.chunk);
  // CSV/TSV/JSON exports go straight through the pipeline (no intermediate file).
  if (is_import_path(a.in) || !a.imp.format.empty())
    return make_import_source(a.in, a.imp.build(), a.chunk);
  throw ConfigError("--in", a.in,
                    "an HDF5 file written by microreach (.h5) or an export to import "
                    "(.csv .tsv .txt .json .ndjson, or --format)");
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

void run_score(const ScoreArgs& a, const Globals& g) {
  const ScoringConfig cfg = a.scoring.build();
  auto threads = limit_threads(g.threads);
  auto source = open_source(a, cfg);
  PipelineOptions po;
  po.scoring = &cfg;
  po.progress = want_progress(g.quiet);
  // A distributed run (docs/scale.md): an export is cut into byte ranges (dist_import.hpp),
  // other inputs into whole chunks of rows (dist_tables.hpp).
  auto* text = dynamic_cast<ImportSource*>(source.get());
  std::optional<ImportShare> share;
  std::optional<SharedRejects> shared_rejects;  // rejected rows of every rank (--on-error skip)
  dist::Range rank_rows;
  if (dist::distributed() && text) {
    shared_rejects.emplace(a.imp.rejects);
    share = plan_import_share(*text, a.imp.dedupe, "--in", a.in, shared_rejects->sink(), a.out, po);
    rank_rows = share->rows;
  } else if (dist::distributed()) {
    shared_rejects.emplace(a.imp.rejects);  // none from HDF5 or generated rows: the header only
    if (!a.imp.dedupe.empty())
      throw ConfigError("--dedupe", a.imp.dedupe,
                        "under mpirun only for a CSV/JSON export: run the duplicate check of an "
                        "HDF5 file in one process (or 'microreach import' the export with "
                        "--dedupe on many ranks)");
    rank_rows = select_rank_rows(*source, a.chunk, a.generate ? "--generate" : "--in",
                                 a.generate ? std::to_string(a.generate) : a.in);
  }
  Summary summary(a.top);
  // Rows an import source refused (--on-error skip), optionally listed in --rejects.
  std::optional<AtomicOutput> rejects_out;
  std::unique_ptr<RejectsWriter> rejects_writer;
  if (!dist::distributed() && !a.imp.rejects.empty()) {
    rejects_out.emplace(a.imp.rejects, "--rejects");
    rejects_writer = std::make_unique<RejectsWriter>(rejects_out->temp_path());
  }
  RejectsSink rejects(rejects_writer.get());
  AuditedShares audited;
  if (!a.audited.empty()) {
    audited = audit::load_audited_shares(a.audited);
    po.audited = &audited;
  }
  PipelineStats stats;
  std::uint64_t duplicates = 0;  // rows of an account already read (--dedupe)
  const auto reopen = [&] { return open_source(a, cfg); };
  const std::string config_text =
      cfg.to_text() + (a.generate ? a.gen.build().to_text() : std::string());
  if (!a.out.empty() && dist::distributed()) {
    DistTablesJob job;
    job.out = a.out;
    job.provenance = {h5::kFiletypeScores, a.seed, config_text, g.command_line};
    job.root_attributes = [&](h5::Id file) {
      h5::write_attr(file, "source", source->describe());
      if (!a.audited.empty()) h5::write_attr(file, "audited", a.audited);
    };
    job.columns = {a.chunk, a.compress};
    job.scores = true;
    job.with_truth = source->has_truth();
    job.omit = source->absent_columns();
    if (!a.self_contained && !a.in.empty() && h5::is_profiles_file(a.in) &&
        (a.imp.dedupe.empty() || a.imp.dedupe == "keep"))
      job.reference = a.in;
    job.total_rows = share ? share->total_rows : source->rows_known();
    job.rows = rank_rows;
    if (share) {
      job.batches = share->batches;
      job.run = [&](const std::vector<BatchSink*>& sinks) {
        return run_import_share(*text, *share, sinks, po);
      };
    }
    if (a.generate > 0 && !a.compress) {
      job.min_bytes = a.generate * 200;
      job.size_option = "--generate";
      job.size_value = std::to_string(a.generate);
    }
    stats = run_distributed_tables(job, *source, {&summary}, po);
    if (share) duplicates = share->duplicates;
  } else if (dist::distributed()) {
    stats = dist::guarded([&] {
      return share ? run_import_share(*text, *share, {&summary}, po)
                   : run_pipeline(*source, {&summary}, po);
    });
    if (share) duplicates = share->duplicates;
  } else if (!a.out.empty()) {
    AtomicOutput out(a.out);
    // Profiles + scores take well over 200 bytes a row: refuse a --generate count that
    // cannot fit before scoring anything.
    if (a.generate > 0 && !a.compress)
      out.require_space(a.generate * 200, "--generate", std::to_string(a.generate));
    {
      h5::Provenance prov{h5::kFiletypeScores, a.seed, config_text, g.command_line};
      h5::File file = h5::File::create(out.temp_path(), prov);
      h5::write_attr(file.id(), "source", source->describe());
      if (!a.audited.empty()) h5::write_attr(file.id(), "audited", a.audited);
      {
        // An HDF5 profiles input is referred to (path + checksum), not copied; unless --dedupe
        // drops rows, when the scores no longer line up with the input's rows.
        const bool refer = !a.self_contained && !a.in.empty() && h5::is_profiles_file(a.in) &&
                           (a.imp.dedupe.empty() || a.imp.dedupe == "keep");
        h5::TableSink sink(file.id(), {a.chunk, a.compress}, /*scores=*/true,
                           /*with_truth=*/source->has_truth(), source->absent_columns(),
                           out.temp_path(), refer ? a.in : std::string());
        duplicates =
            run_deduplicated(a.imp.dedupe, *source, reopen, {&sink, &summary, &rejects}, po, stats);
      }
      file.close();
    }
    out.commit();
  } else {
    duplicates = dist::guarded([&] {
      return run_deduplicated(a.imp.dedupe, *source, reopen, {&summary, &rejects}, po, stats);
    });
  }
  // stats.rows of a distributed export: each rank's rows after --dedupe, summed here.
  merge_rank_summaries(summary, stats, a.top);
  std::vector<std::string> shown;  // the first rejected rows, for stderr
  if (shared_rejects) {
    shared_rejects->finish(a.in);
    shown = shared_rejects->first();
  } else {
    if (rejects_writer) {
      rejects_writer->close();
      rejects_out->commit();
    }
    for (const auto& r : rejects.first()) shown.push_back(describe_reject(a.in, r));
  }
  if (stats.rejected > 0) {
    std::cout << "Read " << stats.rows_read << " rows: kept " << stats.rows << ", rejected "
              << stats.rejected;
    if (!a.imp.rejects.empty()) std::cout << " (listed in " << a.imp.rejects << ")";
    std::cout << "\n";
    if (a.imp.rejects.empty() && !g.quiet) {
      for (const auto& r : shown) std::cerr << "rejected: " << r << "\n";
    }
  }
  std::cout << "Scored " << source->describe() << (cfg.target_niche ? " for niche " : "")
            << (cfg.target_niche
                    ? std::string(niche_name(static_cast<std::uint8_t>(*cfg.target_niche)))
                    : "")
            << " in " << stats.seconds << " s ("
            << (stats.seconds > 0 ? stats.rows / stats.seconds / 1e6 : 0) << "M profiles/s, "
            << effective_threads(g.threads) << " threads)\n";
  if (duplicates) std::cout << describe_duplicates(a.imp.dedupe, duplicates) << "\n";
  std::cout << summary.format(a.top > 0);
  if (!a.audited.empty())
    std::cout << "Fake shares of " << audited.by_handle.size() << " audited handle(s) from "
              << a.audited << " (flag fake_share_audited on the profiles matched by handle)\n";
  if (!a.out.empty()) std::cout << "Wrote " << a.out << "\n";
}

}  // namespace

void add_score(CLI::App& app, Globals& g) {
  auto a = std::make_shared<ScoreArgs>();
  CLI::App* cmd = app.add_subcommand(
      "score", "Score influencer profiles: summary, top K, and per-profile HDF5 output");
  cmd->add_option("--in,-i", a->in,
                  "Input profiles: an HDF5 file from generate/import/score, or an export (.csv "
                  ".tsv .json) imported on the fly");
  cmd->add_option("--generate", a->generate,
                  "Instead of --in: generate and score N synthetic profiles in one pass")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
  cmd->add_option("--seed", a->seed, "Random seed for --generate");
  cmd->add_option("--out,-o", a->out,
                  "Output HDF5 file with /scores (none: summary only); it refers to an HDF5 "
                  "profiles input instead of copying /profiles (see --self-contained)");
  cmd->add_flag("--self-contained", a->self_contained,
                "Copy /profiles into the --out file instead of referring to the input file");
  cmd->add_option("--audited", a->audited,
                  "CSV of audited fake-follower shares (handle, fake_share, lo, hi), e.g. from "
                  "'microreach audit --handle NAME --append-to FILE'");
  cmd->add_option("--top", a->top, "Rows in the top-K table (0 = none)")
      ->check(CLI::Range(std::size_t{0}, std::size_t{100000}));
  cmd->add_option("--chunk-size", a->chunk, "Rows per pipeline batch and HDF5 chunk")
      ->check(CLI::Range(std::size_t{256}, std::size_t{1} << 22));
  add_compress_option(cmd, a->compress);
  add_scoring_options(cmd, a->scoring);
  add_generator_options(cmd, a->gen);
  add_import_options(cmd, a->imp);
  cmd->callback([a, cmd, &g] {
    check_paths(cmd,
                {{"--out", a->out, OutputFormat::binary},
                 {"--rejects", a->imp.rejects, OutputFormat::text}},
                {{"--in", a->in}, {"--audited", a->audited}});
    run_score(*a, g);
  });
}

}  // namespace microreach::cli
