// microreach score: profiles (HDF5, or generated on the fly) -> scores, summary, top K (the job:
// microreach/jobs/score.hpp).
#include <iostream>

#include "commands.hpp"
#include "import_options.hpp"
#include "microreach/jobs/rows.hpp"
#include "microreach/jobs/score.hpp"
#include "options.hpp"
#include "output_check.hpp"

namespace microreach::cli {
namespace {

void print(const jobs::ScoreOptions& a, const jobs::ScoreResult& r, bool quiet) {
  const PipelineStats& stats = r.stats;
  if (stats.rejected > 0) {
    std::cout << "Read " << stats.rows_read << " rows: kept " << stats.rows << ", rejected "
              << stats.rejected;
    if (!a.imp.rejects.empty()) std::cout << " (listed in " << a.imp.rejects << ")";
    std::cout << "\n";
    if (a.imp.rejects.empty() && !quiet) {
      for (const auto& line : r.rejected) std::cerr << "rejected: " << line << "\n";
    }
  }
  std::cout << "Scored " << r.source << (r.niche.empty() ? "" : " for niche ") << r.niche << " in "
            << stats.seconds << " s (" << (stats.seconds > 0 ? stats.rows / stats.seconds / 1e6 : 0)
            << "M profiles/s, " << r.threads << " threads)\n";
  if (r.duplicates) std::cout << jobs::describe_duplicates(a.imp.dedupe, r.duplicates) << "\n";
  std::cout << r.summary.format(a.top > 0);
  if (!a.audited.empty())
    std::cout << "Fake shares of " << r.audited_handles << " audited handle(s) from " << a.audited
              << " (flag fake_share_audited on the profiles matched by handle)\n";
  if (!a.out.empty()) std::cout << "Wrote " << a.out << "\n";
}

}  // namespace

void add_score(CLI::App& app, Globals& g) {
  auto a = std::make_shared<jobs::ScoreOptions>();
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
    a->run = run_context(g);
    print(*a, jobs::run_score(*a), g.quiet);
  });
}

}  // namespace microreach::cli
