// Sweeps built with the simulator's real strategies on a small synthetic market: fees never
// exceed the budget along any axis, and the default micro-count family is nested (reach never
// falls as accounts are added).
#include <catch2/catch.hpp>
#include <cmath>
#include <map>

#include "microreach/error.hpp"
#include "microreach/sim/candidates.hpp"
#include "microreach/sim/plan.hpp"

using namespace microreach;
using namespace microreach::sim;

namespace {

const CandidatePool& small_market() {
  static const CandidatePool pool = [] {
    CandidateOptions co;
    co.niche = Niche::fitness;
    return synthetic_market(20000, 7, GeneratorConfig{}, co);
  }();
  return pool;
}

StrategyContext context(double budget) {
  StrategyContext ctx;
  ctx.pool = &small_market();
  ctx.niche = Niche::fitness;
  ctx.budget = budget;
  return ctx;
}

double fees(const Portfolio& p, double posts) {
  double f = 0;
  for (const auto& c : p.hired) f += c.price * posts;
  return f;
}

}  // namespace

TEST_CASE("Fees never exceed the budget along a sweep, on every axis and family", "[plan]") {
  const double budget = 25000;
  const std::pair<const char*, const char*> cases[] = {
      {"micro-count=1..60", "micro-even"},      {"micro-count=1..60", "micro-even-split"},
      {"micro-count=1..60", "micro-top"},       {"mix=0..1:0.1", ""},
      {"budget=2000..40000:2000", "micro-top"}, {"budget=2000..40000:2000", "micro-even:20"},
      {"budget=2000..40000:2000", "optimize"}};
  for (const auto& [over, family] : cases) {
    INFO(over << " " << family);
    const SweepSpec spec = parse_sweep_spec("--over", over);
    const SweepPoints pts = build_sweep_points(spec, family, context(budget));
    REQUIRE(!pts.portfolios.empty());
    REQUIRE(pts.portfolios.size() + pts.skipped.size() == spec.values.size());
    for (std::size_t i = 0; i < pts.portfolios.size(); ++i) {
      const Portfolio& p = pts.portfolios[i];
      const double v = pts.spec.values[i];
      const double cap = spec.axis == SweepAxis::budget ? v : budget;
      INFO("point " << v << " " << p.label);
      CHECK(p.budget <= cap * (1 + 1e-12));
      CHECK(fees(p, 1.0) <= p.budget * (1 + 1e-12));
      if (spec.axis == SweepAxis::micro_count) CHECK(p.hired.size() == v);
    }
  }
}

TEST_CASE("The default micro-count sweep is nested, so reach never falls as N grows", "[plan]") {
  const SweepSpec spec = parse_sweep_spec("--over", "micro-count=1..40");
  const SweepPoints pts = build_sweep_points(spec, "micro-even", context(25000));
  REQUIRE(pts.portfolios.size() == 40);
  for (std::size_t i = 1; i < pts.portfolios.size(); ++i) {
    const auto& prev = pts.portfolios[i - 1].hired;
    const auto& cur = pts.portfolios[i].hired;
    for (std::size_t k = 0; k < prev.size(); ++k) CHECK(cur[k].key == prev[k].key);
  }
  // The largest point may spend up to the whole budget; every account within budget / N_max.
  for (const auto& c : pts.portfolios.back().hired) CHECK(c.price <= 25000.0 / 40 + 1e-9);
  ModelParams params;
  SweepOptions opt;
  opt.trials = 1000;
  std::map<double, Portfolio> by_value;
  for (std::size_t i = 0; i < pts.portfolios.size(); ++i)
    by_value.emplace(pts.spec.values[i], pts.portfolios[i]);
  const SweepResult r = run_sweep(
      params, pts.spec, [&](double v) { return by_value.at(v); }, opt);
  for (std::size_t i = 1; i < r.summary.size(); ++i)
    CHECK(r.summary[i][idx(Metric::unique_reach)].mean >=
          r.summary[i - 1][idx(Metric::unique_reach)].mean);
}

TEST_CASE("A sweep strategy that does not fit the axis is refused", "[plan]") {
  const SweepSpec spec = parse_sweep_spec("--over", "micro-count=1..3");
  CHECK_THROWS_AS(build_sweep_points(spec, "macro", context(25000)), ConfigError);
  const SweepSpec b = parse_sweep_spec("--over", "budget=1000..2000:1000");
  CHECK_THROWS_AS(build_sweep_points(b, "nonsense", context(25000)), ConfigError);
}
