#pragma once
// Planning on top of the simulator: sweeps over one axis of a campaign plan, the
// risk-return frontier, and the sensitivity of ROI to each uncertain input (tornado).
//
// Common random numbers everywhere: every sweep point (and every sensitivity variant) is a
// portfolio of ONE CampaignModel run, or a run with the same seed, so an account sees the same
// draws at every point (the engine keys them by (seed, trial, influencer key)) and the shared
// shocks are the same per trial. Differences between neighbouring points are therefore the
// effect of the plan, not of the noise; curves come out smooth.
//
// Layout of the files written here: docs/hdf5-layout.md, "Sweep files (microreach.sweep)".

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "microreach/sim/engine.hpp"
#include "microreach/sim/model.hpp"
#include "microreach/sim/strategy.hpp"

namespace microreach::sim {

// ------------------------------------------------------------------ sweep specification
enum class SweepAxis : std::uint8_t { micro_count, mix, budget };
std::string_view axis_name(SweepAxis a);  // "micro-count", "mix", "budget"

struct SweepSpec {
  SweepAxis axis = SweepAxis::micro_count;
  std::vector<double> values;  // ascending, distinct
};
// Parses "micro-count=1..200", "micro-count=5..100:5", "mix=0..1:0.1",
// "budget=5000..100000:5000". Step defaults to 1 for micro-count and is required otherwise.
// Values are lo + k step (k = 0, 1, ...) up to hi (hi included when it lies on the grid within
// 1e-9 of a step). Throws ConfigError naming `option` with the text and what is allowed.
SweepSpec parse_sweep_spec(const std::string& option, const std::string& text);
inline constexpr std::size_t kMaxSweepPoints = 10000;

enum class Objective : std::uint8_t { profit, reach, conversions, roi };
std::string_view objective_name(Objective o);
Objective parse_objective(const std::string& option, const std::string& text);
// The summary metric an objective maximises (mean of it).
Metric objective_metric(Objective o);

// ------------------------------------------------------------------ frontier
// A point is dominated when another point has expected profit >= and expected shortfall >=
// (shortfall = mean profit of the worst 5 % of trials: higher is less risk), one of the two
// strictly. Equal points do not dominate each other.
struct FrontierInput {
  double expected_profit = 0;
  double shortfall = 0;
};
struct Frontier {
  std::vector<std::uint8_t> dominated;     // 1 = dominated
  std::vector<std::int64_t> dominated_by;  // a dominating point (the one with the highest
                                           // expected profit, then shortfall, then lowest
                                           // index); -1 on the frontier
  std::vector<std::size_t> frontier;       // non-dominated points by increasing risk
                                           // (decreasing shortfall), ties by index
};
// NaN inputs are refused (Error): a frontier needs kept trial values for the shortfall.
Frontier risk_return_frontier(const std::vector<FrontierInput>& points);

// ------------------------------------------------------------------ histograms
// Histogram of one metric over every portfolio on common bins: `bins` equal bins from the
// lowest P0.5 to the highest P99.5 of the portfolios; values outside count as under/overflow.
struct Histograms {
  std::vector<double> edges;                       // bins + 1
  std::vector<std::vector<std::uint64_t>> counts;  // [portfolio][bin]
  std::vector<std::uint64_t> underflow, overflow;  // [portfolio]
};
Histograms histograms(const SimResult& r, Metric metric, std::size_t bins = 60);

// ------------------------------------------------------------------ sweep
// Builds the portfolio of one sweep point (axis value -> the accounts hired). The CLI wires
// this to the simulator's strategies; tests pass hand-made builders.
using PointBuilder = std::function<Portfolio(double value)>;

// The portfolios of a sweep, built with the simulator's strategies. `strategy` by axis:
//   micro-count  "micro-even" (default): nested even split. Every account may cost at most
//                budget / N_max (N_max = the largest N of the sweep); point N is micro-even:N
//                at budget N x that cap, i.e. the N best-scored micro accounts within the cap.
//                Points are nested, so with common random numbers unique reach never falls
//                as N grows, and point N spends at most N / N_max of the budget.
//                "micro-even-split": point N is micro-even:N at the whole budget (cap budget/N;
//                not nested: the accounts get smaller as N grows).
//                "micro-top": point N is the first N accounts micro-top hires (nested).
//   mix          point A is mix:A at the budget ("strategy" is ignored).
//   budget       point B is `strategy` (any strategy spec, default micro-top) at budget B.
// A point the budget cannot buy (or, on the micro-count axis, one that finds fewer than N
// accounts) is left out and listed in `skipped` with the reason. Each portfolio's `budget` is
// the budget it was built for.
struct SweepPoints {
  SweepSpec spec;  // the points kept
  std::vector<Portfolio> portfolios;
  std::vector<std::pair<double, std::string>> skipped;
};
SweepPoints build_sweep_points(const SweepSpec& spec, const std::string& strategy,
                               const StrategyContext& ctx);
// Throws ConfigError("--strategy", ...) when `strategy` does not fit the axis.
void check_sweep_strategy(const SweepSpec& spec, const std::string& strategy);

struct SweepPoint {
  double value = 0;   // axis value
  double budget = 0;  // budget the point was built for, USD
  std::uint64_t hired = 0;
  double cost = 0;  // sum of fees (price x posts), USD
  double objective_value = 0;
};

struct SweepResult {
  SweepSpec spec;
  Objective objective = Objective::profit;
  std::vector<SweepPoint> points;  // one per spec.values, same order = portfolio index
  std::vector<Portfolio> portfolios;
  SimResult sim;
  std::vector<PortfolioSummary> summary;
  std::size_t best = 0;  // index of the best point for the objective (first of equals)
  Frontier frontier;
  Histograms profit_hist, roi_hist;
};

struct SweepOptions {
  std::uint64_t seed = 1;
  std::uint64_t trials = 10000;
  double budget = 25000;  // the point budget for micro-count and mix axes
  // Budget a point was built for (stored per point); default: the axis value on the budget
  // axis, `budget` otherwise.
  std::function<double(double value)> point_budget;
  Objective objective = Objective::profit;
  // Refuse runs whose kept per-trial values would need more memory than this.
  std::uint64_t max_memory_bytes = std::uint64_t{4} << 30;
};
// Bytes of per-trial values a run of `portfolios` x `trials` keeps.
std::uint64_t kept_values_bytes(std::uint64_t trials, std::size_t portfolios);

SweepResult run_sweep(const ModelParams& params, const SweepSpec& spec, const PointBuilder& build,
                      const SweepOptions& opt);
// Best point: largest mean of the objective's metric; ties to the lowest index.
std::size_t best_point(const std::vector<PortfolioSummary>& summary, Objective o);

// The terminal table: one row per point, the best marked.
std::string format_sweep_table(const SweepResult& r);

// ------------------------------------------------------------------ sensitivity
// One uncertain input: how to scale it by a factor (1 - x or 1 + x) in the parameters and/or
// the portfolios (candidate estimates such as the fake-follower share), and its base value.
struct SensitivityInput {
  std::string name;         // scenario key, e.g. "campaign.conversion_rate"
  std::string description;  // for tables and figures
  // The value shown for one strategy (tier inputs and candidate estimates: the mean over its
  // hires).
  std::function<double(const ModelParams&, const Portfolio&)> base_value;
  std::function<void(double factor, ModelParams&, std::vector<Portfolio>&)> scale;
};
// The uncertain inputs of the campaign model (docs/report.md lists them): conversion rate,
// trust factors, reach rates, reach sigma, both shock sigmas, fake-share concentration,
// average order value, gross margin, incident probabilities and cost, audience size, viewers
// per share, default share fraction, and the candidates' fake-share estimates and engagement
// per view. Scaled values are clamped to the range the model accepts (a share stays <= 1).
std::vector<SensitivityInput> default_sensitivity_inputs();

enum class RankBy : std::uint8_t { mean, spread };
RankBy parse_rank_by(const std::string& option, const std::string& text);

struct SensitivityRow {
  std::size_t portfolio = 0;
  std::string parameter, description;
  double base_value = 0, low_value = 0, high_value = 0;
  double roi_mean_base = 0, roi_mean_low = 0, roi_mean_high = 0;
  double roi_spread_base = 0, roi_spread_low = 0, roi_spread_high = 0;  // P95 - P5 of ROI
  double profit_mean_low = 0, profit_mean_high = 0;
  double effect_mean = 0;    // |roi_mean_high - roi_mean_low|
  double effect_spread = 0;  // |roi_spread_high - roi_spread_low|
  std::uint32_t rank = 0;    // 1 = largest effect within the portfolio
};

struct SensitivityOptions {
  std::uint64_t seed = 1;
  std::uint64_t trials = 10000;
  double range = 0.20;  // vary each input by -range and +range (relative)
  RankBy rank_by = RankBy::mean;
};
// Rows grouped by portfolio, each group sorted by rank. Every run (base, each input low and
// high) uses the same seed and trials: common random numbers.
std::vector<SensitivityRow> run_sensitivity(
    const ModelParams& base, const std::vector<Portfolio>& portfolios,
    const SensitivityOptions& opt,
    const std::vector<SensitivityInput>& inputs = default_sensitivity_inputs());
std::string format_sensitivity_table(const std::vector<SensitivityRow>& rows,
                                     const std::vector<Portfolio>& portfolios, double range);

}  // namespace microreach::sim
