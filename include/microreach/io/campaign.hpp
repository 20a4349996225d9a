#pragma once
// Campaign files (filetype microreach.campaign), layout in docs/hdf5-layout.md ("Campaign
// files"). The group writers take an open file or group so other file types (the sweep file,
// io/sweep.hpp) reuse them.
#include <cstdint>
#include <string>
#include <vector>

#include "microreach/io/hdf5.hpp"
#include "microreach/sim/engine.hpp"
#include "microreach/sim/model.hpp"

namespace microreach::io {

// Root attributes of a campaign run (beside the provenance set of h5::File::create).
struct CampaignRunInfo {
  std::uint64_t trials_requested = 0;
  double precision_target = 0;  // 0 = not used (written as NaN)
  std::uint64_t max_trials = 0;
  sim::PrecisionReport precision;  // rounds, max_relative_se, reached
  double budget = 0;
  Niche niche = Niche::fitness;
  std::string scenario_file;
  std::string candidate_source;
  std::uint64_t candidates = 0;
};

void write_run_attributes(h5::Id file, const sim::CampaignModel& m, const sim::SimResult& r,
                          const CampaignRunInfo& info);
// /model: scalar parameters as attributes, per-tier parameters as datasets.
void write_model(h5::Id file, const sim::ModelParams& p);
// /strategies/<i>: attributes and the hired table of every portfolio.
void write_strategies(h5::Id file, const sim::CampaignModel& m);
// /summary: one row per (portfolio, metric).
void write_summary(h5::Id file, const std::vector<sim::PortfolioSummary>& s);
// /comparisons: both orders of every compared pair.
void write_comparisons(h5::Id file, const sim::SimResult& r);
// /trials: shared shocks and every portfolio's per-trial totals (needs r.has_values).
void write_trials(h5::Id file, const sim::SimResult& r);

// The hires of every strategy of a campaign (or sweep) file, in hiring order: what
// write_strategies stored under /strategies/<i>/hired. Category codes as stored (kUnknown =
// missing). Throws InputError naming the file for a missing or inconsistent table.
struct StrategyHires {
  std::string spec, label;
  std::vector<std::uint64_t> id;
  std::vector<std::string> handle;
  std::vector<std::uint8_t> platform, niche, tier;
  std::vector<double> followers, price, fee, expected_reach, expected_conversions, score,
      fake_share;
};
std::vector<StrategyHires> read_hires(const std::string& path);

}  // namespace microreach::io
