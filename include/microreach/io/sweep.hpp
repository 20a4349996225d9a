#pragma once
// Sweep files (filetype microreach.sweep, written by `sweep` and `sensitivity`), layout in
// docs/hdf5-layout.md ("Sweep files"). A sweep file is a campaign file (root attributes,
// /model, /strategies, /summary, /comparisons: io/campaign.hpp) plus the groups written here.
#include <cstdint>
#include <string>
#include <vector>

#include "microreach/io/hdf5.hpp"
#include "microreach/sim/plan.hpp"

namespace microreach::io {

// Root attributes that say what was swept. axis "none" (a sensitivity run) writes only axis
// and objective.
struct SweepAttributes {
  std::string axis;           // micro-count, mix, budget or none
  std::string axis_label;     // e.g. "number of micro accounts"
  std::string axis_units;     // accounts, share or USD
  std::string base_strategy;  // e.g. "micro-even:N"
  std::string objective;      // profit, reach, conversions or roi
  std::uint64_t best_point = 0;
  std::string skipped_values;  // comma-separated axis values that had no portfolio
};
void write_sweep_attributes(h5::Id file, const SweepAttributes& a);

// /sweep, /frontier, /distributions.
void write_sweep_groups(h5::Id file, const sim::SweepResult& r);
// /frontier: risk-return frontier over the strategies of `summary`.
void write_frontier(h5::Id file, const sim::Frontier& f,
                    const std::vector<sim::PortfolioSummary>& summary);
// /sensitivity: one row per (strategy, input), attributes range, rank_by, objective, trials, seed.
void write_sensitivity(h5::Id file, const std::vector<sim::SensitivityRow>& rows,
                       const sim::SensitivityOptions& opt);

}  // namespace microreach::io
