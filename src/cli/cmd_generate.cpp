// microreach generate: a synthetic population to an HDF5 profiles file (the job:
// microreach/jobs/generate.hpp).
#include <iostream>

#include "commands.hpp"
#include "microreach/dist.hpp"
#include "microreach/jobs/generate.hpp"
#include "options.hpp"
#include "output_check.hpp"

namespace microreach::cli {

void add_generate(CLI::App& app, Globals& g) {
  auto a = std::make_shared<jobs::GenerateOptions>();
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
    a->run = run_context(g);
    const jobs::GenerateResult r = jobs::run_generate(*a);
    if (g.quiet) return;
    const PipelineStats& s = r.stats;
    if (r.distributed)
      std::cerr << "Generated " << s.rows << " profiles in " << s.seconds << " s on "
                << dist::size() << " ranks -> " << a->out << "\n";
    else
      std::cerr << "Generated " << s.rows << " profiles in " << s.seconds << " s ("
                << (s.seconds > 0 ? s.rows / s.seconds / 1e6 : 0) << "M rows/s) -> " << a->out
                << "\n";
  });
}

}  // namespace microreach::cli
