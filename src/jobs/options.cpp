#include "microreach/jobs/options.hpp"

#include <tbb/info.h>

#include "microreach/error.hpp"
#include "microreach/table.hpp"

namespace microreach::jobs {

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

GeneratorConfig GeneratorOptions::build() const {
  GeneratorConfig g;
  for (const auto& s : platform_mix) g.set_platform_mix("--platform-mix", s);
  for (const auto& s : niche_mix) g.set_niche_mix("--niche-mix", s);
  g.known_fake_share = known_fake_share;
  if (!version.empty()) g.set_version("--generator-version", version);
  g.validate();
  return g;
}

namespace {

// --block-size: bytes, or with a K/M suffix (KiB/MiB), between 4K and 1024M.
std::size_t parse_block_size(const std::string& text) {
  std::size_t mult = 1;
  std::string digits = text;
  const char last = digits.back();
  if (last == 'k' || last == 'K') mult = std::size_t{1} << 10;
  if (last == 'm' || last == 'M') mult = std::size_t{1} << 20;
  if (mult != 1) digits.pop_back();
  std::size_t v = 0;
  bool ok = !digits.empty() && digits.size() < 10;
  for (char c : digits) {
    if (c < '0' || c > '9') ok = false;
    v = v * 10 + static_cast<std::size_t>(c - '0');
  }
  v *= mult;
  if (!ok || v < 4096 || v > (std::size_t{1} << 30))
    throw ConfigError("--block-size", text, "expected a size between 4K and 1024M, e.g. 4M");
  return v;
}

}  // namespace

ImportOptions ImportTextOptions::build() const {
  ImportOptions io;
  if (!dedupe.empty()) parse_dedupe("--dedupe", dedupe);
  if (!delimiter.empty()) io.delimiter = parse_delimiter("--delimiter", delimiter);
  for (const auto& m : map) io.add_map(m);
  if (on_error == "skip") {
    io.on_error = OnError::skip;
  } else if (on_error == "strict") {
    io.on_error = OnError::strict;
  } else {
    throw ConfigError("--on-error", on_error, "expected strict or skip");
  }
  if (!rejects.empty() && io.on_error != OnError::skip) {
    throw ConfigError("--rejects", rejects,
                      "a rejects file needs --on-error skip (strict stops at the first bad row)");
  }
  io.rejects_path = rejects;
  if (platform == "none" || platform.empty()) {
    io.default_platform.reset();
  } else {
    const auto p = parse_platform(platform);
    if (!p)
      throw ConfigError("--platform", platform, "expected one of " + platform_list() + " or none");
    io.default_platform = *p;
  }
  if (format == "csv") io.format = TableFormat::csv;
  if (format == "json") io.format = TableFormat::json;
  if (!block_size.empty()) io.block_bytes = parse_block_size(block_size);
  return io;
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

}  // namespace microreach::jobs
