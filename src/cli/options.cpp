#include "options.hpp"

#include "commands.hpp"

#include <unistd.h>

#include <charconv>
#include <cstdint>
#include <limits>

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

void add_compress_option(CLI::App* cmd, h5::Compression& target) {
  cmd->add_option_function<std::string>(
         "--compress",
         [&target](const std::string& text) {
           target = h5::Compression::parse("--compress", text);
         },
         "Compress numeric columns: none, a gzip level 0-9, gzip[:1-9], lz4 or zstd[:1-9] (lz4 "
         "and zstd: HDF5's Blosc filter plugin, which readers need too)")
      ->default_str("none");
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
  cmd->add_option("--generator-version", o.version,
                  "Generator (stream layout) version: 2 (default), or 1 to reproduce a file "
                  "written with the first generator (its generator_version attribute)")
      ->group("Synthetic population");
}

bool want_progress(bool quiet) {
  return !quiet && ::isatty(2);
}

jobs::RunContext run_context(const Globals& g) {
  return {g.threads, want_progress(g.quiet), g.command_line};
}

std::string check_whole_number(const std::string& text, bool is_signed) {
  const std::string allowed =
      is_signed ? "a whole number (decimal digits, '-' for a negative one) within 64 bits"
                : "a whole number >= 0 (decimal digits) up to " +
                      std::to_string(std::numeric_limits<std::uint64_t>::max());
  const bool negative = !text.empty() && text[0] == '-';
  const std::size_t digits = negative ? 1 : 0;
  if (text.size() == digits || text.find_first_not_of("0123456789", digits) != std::string::npos)
    return "'" + text + "' is not valid: " + allowed;
  if (negative && !is_signed) return "'" + text + "' is not valid: a negative number; " + allowed;
  bool fits = false;
  if (is_signed) {
    std::int64_t v = 0;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
    fits = r.ec == std::errc() && r.ptr == text.data() + text.size();
  } else {
    std::uint64_t v = 0;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
    fits = r.ec == std::errc() && r.ptr == text.data() + text.size();
  }
  if (!fits) return "'" + text + "' is not valid: out of range; " + allowed;
  return {};
}

std::string option_type(const CLI::Option& opt) {
  const std::string t = opt.get_type_name();
  return t.substr(0, t.find(':'));
}

namespace {

void guard_options(CLI::App& app) {
  for (CLI::Option* opt : app.get_options()) {
    const std::string type = option_type(*opt);
    if (type != "INT" && type != "UINT") continue;
    const bool is_signed = type == "INT";
    opt->transform(CLI::Validator(
        [is_signed](std::string& text) {
          std::string err = check_whole_number(text, is_signed);
          if (err.empty() && text.size() > 1 && text[text.find_first_not_of('-')] == '0') {
            // Leading zeros: CLI11 would read "010" as octal 8; the number meant is 10.
            const std::size_t b = text.find_first_not_of("-0");
            text = (text[0] == '-' && b != std::string::npos ? "-" : "") +
                   (b == std::string::npos ? std::string("0") : text.substr(b));
          }
          return err;
        },
        "", "whole number"));
  }
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) guard_options(*sub);
}

}  // namespace

void guard_integer_options(CLI::App& app) {
  guard_options(app);
}

}  // namespace microreach::cli
