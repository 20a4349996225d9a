#pragma once
// Campaign HDF5 files (filetype microreach.campaign), layout in docs/hdf5-layout.md
// ("Campaign files"). The group writers take an open file or group so other file types (the
// sweep file) can reuse them.
#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

#include "microreach/sim/engine.hpp"
#include "microreach/sim/model.hpp"

namespace microreach::sim {

// Root attributes of a campaign run (beside the provenance set of h5::File::create).
struct CampaignRunInfo {
  std::uint64_t trials_requested = 0;
  double precision_target = 0;  // 0 = not used (written as NaN)
  std::uint64_t max_trials = 0;
  PrecisionReport precision;  // rounds, max_relative_se, reached
  double budget = 0;
  Niche niche = Niche::fitness;
  std::string scenario_file;
  std::string candidate_source;
  std::uint64_t candidates = 0;
};

void write_run_attributes(hid_t file, const CampaignModel& m, const SimResult& r,
                          const CampaignRunInfo& info);
// /model: scalar parameters as attributes, per-tier parameters as datasets.
void write_model(hid_t file, const ModelParams& p);
// /strategies/<i>: attributes and the hired table of every portfolio.
void write_strategies(hid_t file, const CampaignModel& m);
// /summary: one row per (portfolio, metric).
void write_summary(hid_t file, const std::vector<PortfolioSummary>& s);
// /comparisons: both orders of every compared pair.
void write_comparisons(hid_t file, const SimResult& r);
// /trials: shared shocks and every portfolio's per-trial totals (needs r.has_values).
void write_trials(hid_t file, const SimResult& r);

}  // namespace microreach::sim
