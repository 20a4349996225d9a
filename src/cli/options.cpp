#include "options.hpp"

#include <tbb/info.h>
#include <unistd.h>

#include "microreach/error.hpp"

namespace microreach::cli {

void add_scoring_options(CLI::App* cmd, ScoringOptions& o) {
  const ScoringConfig d;
  cmd->add_option("--niche", o.niche,
                  "Campaign niche; profiles are scored for relevance to it (one of: " +
                      niche_list() + "; empty = relevance not scored)")
      ->group("Scoring");
  cmd->add_option("--tier-bounds", o.tier_bounds,
                  "Lower follower bounds of nano,micro,mid,macro,mega (default "
                  "1000,10000,100000,500000,1000000)")
      ->group("Scoring");
  cmd->add_option(
         "--similar", o.similar,
         "Niche similarity NICHE:NICHE=VALUE in [0,1], repeatable (e.g. fitness:sports=0.6); "
         "unrelated niches get 0.1")
      ->group("Scoring");
  cmd->add_option(
         "--benchmark", o.benchmark,
         "Engagement benchmark of a platform as FOLLOWERS:LIKE_RATE:COMMENT_RATE points, e.g. "
         "tiktok=10000:0.12:0.004,1000000:0.14:0.003 (repeatable, one per platform)")
      ->group("Scoring");
  cmd->add_option("--w-engagement", o.weights.engagement, "Weight of the engagement component")
      ->group("Scoring");
  cmd->add_option("--w-authenticity", o.weights.authenticity,
                  "Weight of the authenticity component")
      ->group("Scoring");
  cmd->add_option("--w-relevance", o.weights.relevance, "Weight of the niche relevance component")
      ->group("Scoring");
  cmd->add_option("--w-cost", o.weights.cost, "Weight of the cost-efficiency component")
      ->group("Scoring");
  cmd->add_option("--w-responsiveness", o.weights.responsiveness,
                  "Weight of the responsiveness component")
      ->group("Scoring");
  cmd->add_option("--suspected-fake-below", o.suspected_fake_below,
                  "Flag a profile as suspected fake when its authenticity is below this")
      ->group("Scoring");
}

ScoringConfig ScoringOptions::build() const {
  ScoringConfig c;
  c.set_target_niche("--niche", niche);
  if (!tier_bounds.empty()) c.set_tier_bounds("--tier-bounds", tier_bounds);
  for (const auto& s : similar) c.set_similarity("--similar", s);
  for (const auto& b : benchmark) c.set_benchmark("--benchmark", b);
  c.weights = weights;
  c.suspected_fake_below = suspected_fake_below;
  c.validate();
  return c;
}

void add_generator_options(CLI::App* cmd, GeneratorOptions& o) {
  cmd->add_option(
         "--platform-mix", o.platform_mix,
         "Platform weights NAME=W,... (default instagram=0.5,tiktok=0.25,youtube=0.1,x=0.07,"
         "facebook=0.05,blog=0.03)")
      ->group("Synthetic population");
  cmd->add_option("--niche-mix", o.niche_mix,
                  "Niche weights NAME=W,... (default: all niches, fashion a little more)")
      ->group("Synthetic population");
  cmd->add_option(
         "--known-fake-share", o.known_fake_share,
         "Share of generated rows whose fake_follower_share is filled in (the rest is estimated)")
      ->group("Synthetic population");
}

GeneratorConfig GeneratorOptions::build() const {
  GeneratorConfig g;
  for (const auto& s : platform_mix) g.set_platform_mix("--platform-mix", s);
  for (const auto& s : niche_mix) g.set_niche_mix("--niche-mix", s);
  g.known_fake_share = known_fake_share;
  g.validate();
  return g;
}

int effective_threads(int threads) {
  return threads > 0 ? threads : static_cast<int>(tbb::info::default_concurrency());
}

std::unique_ptr<tbb::global_control> limit_threads(int threads) {
  if (threads < 0)
    throw ConfigError("--threads", std::to_string(threads), "a thread count >= 1 (0 = all cores)");
  return std::make_unique<tbb::global_control>(
      tbb::global_control::max_allowed_parallelism,
      static_cast<std::size_t>(effective_threads(threads)));
}

bool want_progress(bool quiet) {
  return !quiet && ::isatty(2);
}

}  // namespace microreach::cli
