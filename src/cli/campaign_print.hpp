#pragma once
// The terminal tables of `microreach simulate`: strategies side by side and their hires.
// Numbers follow the one set of rules of microreach/format.hpp.
#include <cstddef>
#include <string>
#include <vector>

#include "microreach/sim/engine.hpp"
#include "microreach/sim/model.hpp"

namespace microreach::cli {

// Strategies side by side: hires, spend, the metrics with their 90 % intervals, P(loss),
// expected shortfall and P(beats the baseline), with the notes under the table.
void print_table(const sim::CampaignModel& m, const std::vector<sim::PortfolioSummary>& s,
                 const sim::SimResult& r, std::size_t baseline);

// The first `limit` hires of each strategy, in hiring order (best first); `out_file` is the
// --out file ("" when none), named in the hint for a longer list.
void print_hires(const sim::CampaignModel& m, std::size_t limit, const std::string& out_file);

}  // namespace microreach::cli
