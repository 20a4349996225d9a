#include "microreach/io/sweep.hpp"

#include <string>
#include <utility>
#include <vector>

namespace microreach::io {
using namespace microreach::sim;
namespace {

template <class T>
void column(h5::Id g, const char* name, const std::vector<T>& v, std::string_view units = "",
            std::string_view description = "") {
  h5::write_dataset(g, name, v, units, description);
}

}  // namespace

void write_frontier(h5::Id file, const Frontier& f, const std::vector<PortfolioSummary>& summary) {
  std::vector<std::uint32_t> strategy;
  std::vector<double> mean, es;
  std::vector<std::int64_t> rank(summary.size(), -1);
  for (std::size_t k = 0; k < f.frontier.size(); ++k)
    rank[f.frontier[k]] = static_cast<std::int64_t>(k);
  for (std::size_t i = 0; i < summary.size(); ++i) {
    strategy.push_back(static_cast<std::uint32_t>(i));
    mean.push_back(summary[i][idx(Metric::profit)].mean);
    es.push_back(summary[i][idx(Metric::profit)].shortfall);
  }
  h5::Handle g = h5::ensure_group(file, "frontier");
  column(g.get(), "strategy", strategy, "", "strategy index i of /strategies/<i>");
  column(g.get(), "expected_profit", mean, "USD", "mean profit per campaign");
  column(g.get(), "shortfall", es, "USD", "expected shortfall of profit: mean of the worst 5 %");
  column(g.get(), "dominated", f.dominated, "", "1 = another point has >= profit and >= shortfall");
  column(g.get(), "dominated_by", f.dominated_by, "", "a dominating strategy index, -1 if none");
  column(g.get(), "frontier_rank", rank, "",
         "position on the frontier from the least risky (0), -1 if dominated");
}

void write_sweep_groups(h5::Id file, const SweepResult& r) {
  const std::size_t n = r.points.size();
  {
    h5::Handle g = h5::ensure_group(file, "sweep");
    const char* axis_units = r.spec.axis == SweepAxis::budget ? "USD"
                             : r.spec.axis == SweepAxis::mix  ? "share"
                                                              : "accounts";
    std::vector<double> value, budget, cost, objective;
    std::vector<std::uint32_t> strategy;
    std::vector<std::uint64_t> hired;
    std::vector<std::uint8_t> best;
    for (std::size_t i = 0; i < n; ++i) {
      value.push_back(r.points[i].value);
      budget.push_back(r.points[i].budget);
      cost.push_back(r.points[i].cost);
      objective.push_back(r.points[i].objective_value);
      strategy.push_back(static_cast<std::uint32_t>(i));
      hired.push_back(r.points[i].hired);
      best.push_back(i == r.best ? 1 : 0);
    }
    column(g.get(), "value", value, axis_units, "axis value of the point");
    column(g.get(), "strategy", strategy, "", "strategy index i of /strategies/<i>");
    column(g.get(), "hired", hired, "accounts", "accounts hired");
    column(g.get(), "cost", cost, "USD", "sum of fees");
    column(g.get(), "budget", budget, "USD", "budget the point was built for");
    const std::pair<Metric, const char*> metrics[] = {{Metric::unique_reach, "unique_reach"},
                                                      {Metric::conversions, "conversions"},
                                                      {Metric::profit, "profit"},
                                                      {Metric::roi, "roi"}};
    for (const auto& [m, name] : metrics) {
      std::vector<double> mean, p5, p95;
      for (std::size_t i = 0; i < n; ++i) {
        mean.push_back(r.summary[i][idx(m)].mean);
        p5.push_back(r.summary[i][idx(m)].p5);
        p95.push_back(r.summary[i][idx(m)].p95);
      }
      const std::string_view units = kMetricUnits[idx(m)];
      column(g.get(), (std::string(name) + "_mean").c_str(), mean, units, "mean");
      column(g.get(), (std::string(name) + "_p5").c_str(), p5, units, "5th percentile");
      column(g.get(), (std::string(name) + "_p95").c_str(), p95, units, "95th percentile");
    }
    std::vector<double> ploss, pes, res;
    for (std::size_t i = 0; i < n; ++i) {
      ploss.push_back(r.summary[i][idx(Metric::profit)].p_negative);
      pes.push_back(r.summary[i][idx(Metric::profit)].shortfall);
      res.push_back(r.summary[i][idx(Metric::roi)].shortfall);
    }
    column(g.get(), "p_loss", ploss, "probability", "P(profit < 0)");
    column(g.get(), "profit_shortfall", pes, "USD", "mean profit of the worst 5 % of trials");
    column(g.get(), "roi_shortfall", res, "ratio", "mean ROI of the worst 5 % of trials");
    column(g.get(), "objective_value", objective, kMetricUnits[idx(objective_metric(r.objective))],
           "mean of the objective's metric");
    column(g.get(), "best", best, "", "1 at the best point for the objective");
  }
  write_frontier(file, r.frontier, r.summary);
  const std::pair<const Histograms*, const char*> hists[] = {{&r.profit_hist, "profit"},
                                                             {&r.roi_hist, "roi"}};
  for (const auto& [h, name] : hists) {
    h5::Handle g = h5::ensure_group(file, std::string("distributions/") + name);
    column(g.get(), "edges", h->edges,
           kMetricUnits[idx(name[0] == 'p' ? Metric::profit : Metric::roi)],
           "bin edges: bin b is [edges[b], edges[b+1]), the last bin closed");
    column(g.get(), "underflow", h->underflow, "trials", "trials below edges[0]");
    column(g.get(), "overflow", h->overflow, "trials", "trials above edges[bins]");
    // counts: 2-D [strategy, bin].
    const std::uint64_t dims[2] = {h->counts.size(), h->edges.size() - 1};
    std::vector<std::uint64_t> flat;
    flat.reserve(dims[0] * dims[1]);
    for (const auto& row : h->counts) flat.insert(flat.end(), row.begin(), row.end());
    h5::DatasetShape shape;
    shape.dims = {dims[0], dims[1]};
    h5::Dataset ds = h5::Dataset::create<std::uint64_t>(g.get(), "counts", shape);
    ds.write(flat.data());
    ds.describe("trials", "trials per bin: row = strategy index, column = bin");
  }
}

void write_sensitivity(h5::Id file, const std::vector<SensitivityRow>& rows,
                       const SensitivityOptions& opt) {
  h5::Handle g = h5::ensure_group(file, "sensitivity");
  h5::write_attr(g.get(), "range", opt.range);
  h5::write_attr(g.get(), "rank_by",
                 std::string_view(opt.rank_by == RankBy::mean ? "mean" : "spread"));
  h5::write_attr(g.get(), "objective", std::string_view("roi"));
  h5::write_attr(g.get(), "trials", opt.trials);
  h5::write_attr(g.get(), "seed", opt.seed);
  std::vector<std::uint32_t> strategy, rank;
  std::vector<std::string> parameter, description;
  std::vector<double> bv, lv, hv, rmb, rml, rmh, rsb, rsl, rsh, pml, pmh, em, es;
  for (const auto& r : rows) {
    strategy.push_back(static_cast<std::uint32_t>(r.portfolio));
    rank.push_back(r.rank);
    parameter.push_back(r.parameter);
    description.push_back(r.description);
    bv.push_back(r.base_value), lv.push_back(r.low_value), hv.push_back(r.high_value);
    rmb.push_back(r.roi_mean_base), rml.push_back(r.roi_mean_low), rmh.push_back(r.roi_mean_high);
    rsb.push_back(r.roi_spread_base), rsl.push_back(r.roi_spread_low);
    rsh.push_back(r.roi_spread_high);
    pml.push_back(r.profit_mean_low), pmh.push_back(r.profit_mean_high);
    em.push_back(r.effect_mean), es.push_back(r.effect_spread);
  }
  column(g.get(), "strategy", strategy, "", "strategy index i of /strategies/<i>");
  column(g.get(), "parameter", parameter, "", "scenario key of the input");
  column(g.get(), "description", description, "", "what the input is");
  column(g.get(), "base_value", bv, "", "value in the base run");
  column(g.get(), "low_value", lv, "", "value at -range");
  column(g.get(), "high_value", hv, "", "value at +range");
  column(g.get(), "roi_mean_base", rmb, "ratio", "mean ROI, base run");
  column(g.get(), "roi_mean_low", rml, "ratio", "mean ROI with the input at -range");
  column(g.get(), "roi_mean_high", rmh, "ratio", "mean ROI with the input at +range");
  column(g.get(), "roi_spread_base", rsb, "ratio", "P95 - P5 of ROI, base run");
  column(g.get(), "roi_spread_low", rsl, "ratio", "P95 - P5 of ROI at -range");
  column(g.get(), "roi_spread_high", rsh, "ratio", "P95 - P5 of ROI at +range");
  column(g.get(), "profit_mean_low", pml, "USD", "mean profit at -range");
  column(g.get(), "profit_mean_high", pmh, "USD", "mean profit at +range");
  column(g.get(), "effect_mean", em, "ratio", "|roi_mean_high - roi_mean_low|");
  column(g.get(), "effect_spread", es, "ratio", "|roi_spread_high - roi_spread_low|");
  column(g.get(), "rank", rank, "", "1 = largest effect (by rank_by) within the strategy");
}

void write_sweep_attributes(h5::Id file, const SweepAttributes& a) {
  h5::write_attr(file, "axis", a.axis);
  if (a.axis == "none") {
    h5::write_attr(file, "objective", a.objective);
    return;
  }
  h5::write_attr(file, "axis_label", a.axis_label);
  h5::write_attr(file, "axis_units", a.axis_units);
  h5::write_attr(file, "base_strategy", a.base_strategy);
  h5::write_attr(file, "objective", a.objective);
  h5::write_attr(file, "best_point", a.best_point);
  h5::write_attr(file, "skipped_values", a.skipped_values);
}

}  // namespace microreach::io
