// Planning on top of the simulator: sweep specifications, the risk-return frontier,
// sweeps with common random numbers, histograms and the sensitivity tornado.
#include <tbb/global_control.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <numeric>

#include "microreach/error.hpp"
#include "microreach/random.hpp"
#include "microreach/sim/plan.hpp"
#include "sim_test_util.hpp"

namespace {

// A fixed list of micro accounts in one audience; point N hires the first N.
std::vector<Candidate> micro_market(std::size_t n) {
  std::vector<Candidate> v;
  for (std::size_t i = 0; i < n; ++i) {
    sim_test::CandidateSpec s;
    s.key = 100 + i;
    s.followers = 40'000 + 500.0 * static_cast<double>(i % 7);
    s.price = 200 + 10.0 * static_cast<double>(i % 5);
    v.push_back(sim_test::candidate(s));
  }
  return v;
}

PointBuilder first_n(const std::vector<Candidate>& market) {
  return [market](double value) {
    const auto n = static_cast<std::size_t>(value);
    return sim_test::portfolio("first:" + std::to_string(n),
                               std::vector<Candidate>(market.begin(), market.begin() + n));
  };
}

}  // namespace

TEST_CASE("A sweep specification lists every grid point of the axis", "[plan]") {
  SweepSpec s = parse_sweep_spec("--over", "micro-count=1..5");
  CHECK(s.axis == SweepAxis::micro_count);
  CHECK(s.values == std::vector<double>{1, 2, 3, 4, 5});
  s = parse_sweep_spec("--over", "mix=0..1:0.1");
  REQUIRE(s.values.size() == 11);
  CHECK(s.values[3] == 0.3);  // stored as the decimal meant, not 0.30000000000000004
  CHECK(s.values.back() == 1.0);
  s = parse_sweep_spec("--over", "budget=5000..100000:5000");
  CHECK(s.values.size() == 20);
  CHECK(s.values.front() == 5000);
  CHECK(s.values.back() == 100000);
  s = parse_sweep_spec("--over", "micro-count=10..100:25");  // hi not on the grid
  CHECK(s.values == std::vector<double>{10, 35, 60, 85});
}

TEST_CASE("A bad sweep specification is refused naming the option and what is allowed", "[plan]") {
  const char* bad[] = {"micro-count",        "count=1..5",      "micro-count=0..5",
                       "micro-count=1.5..5", "mix=0..2:0.1",    "mix=0..1",
                       "budget=-5..100:5",   "budget=100..5:5", "mix=0..1:0",
                       "micro-count=1..1e7", "mix=a..1:0.1",    "budget=1..1e9:1"};
  for (const char* text : bad) {
    INFO(text);
    try {
      parse_sweep_spec("--over", text);
      FAIL("accepted");
    } catch (const ConfigError& e) {
      CHECK(std::string(e.what()).find("--over") != std::string::npos);
      CHECK(std::string(e.what()).find(text) != std::string::npos);
    }
  }
  CHECK_THROWS_AS(parse_objective("--objective", "revenue"), ConfigError);
  CHECK(parse_objective("--objective", "reach") == Objective::reach);
}

TEST_CASE("The frontier marks exactly the non-dominated points of a hand-made set", "[plan]") {
  // (expected profit, expected shortfall): hand-made; the frontier read off by eye.
  const std::vector<FrontierInput> pts = {
      {100, -50},  // 0 frontier: most profit
      {80, -20},   // 1 frontier
      {80, -30},   // 2 dominated by 1 (same profit, more risk)
      {50, -10},   // 3 frontier
      {40, -10},   // 4 dominated by 3 (same risk, less profit)
      {10, 0},     // 5 frontier: least risk
      {60, -40},   // 6 dominated by 1
      {50, -10},   // 7 equal to 3: equal points do not dominate each other -> frontier
      {-5, -60},   // 8 dominated by everything above it
  };
  const Frontier f = risk_return_frontier(pts);
  CHECK(f.dominated == std::vector<std::uint8_t>{0, 0, 1, 0, 1, 0, 1, 0, 1});
  CHECK(f.dominated_by[2] == 1);
  CHECK(f.dominated_by[4] == 3);  // dominators 3, 5, 7: highest profit 3 = 7, lower index
  CHECK(f.dominated_by[6] == 1);
  CHECK(f.dominated_by[8] == 0);
  CHECK(f.dominated_by[0] == -1);
  // By increasing risk (decreasing shortfall), ties by index.
  CHECK(f.frontier == std::vector<std::size_t>{5, 3, 7, 1, 0});
  CHECK_THROWS_AS(risk_return_frontier({{1, std::nan("")}}), Error);
  CHECK(risk_return_frontier({}).frontier.empty());
}

TEST_CASE("The frontier agrees with the pairwise definition on random sets with ties", "[plan]") {
  // Brute force: i is dominated iff some j has profit >= and shortfall >= with one strict;
  // dominated_by is the dominator with the highest profit, then shortfall, then lowest index.
  Stream s(5, Purpose::user, 0);
  for (int round = 0; round < 50; ++round) {
    const std::size_t n = 1 + s.below(60);
    std::vector<FrontierInput> pts(n);
    for (auto& p : pts)  // few distinct values: many ties
      p = {static_cast<double>(s.below(8)), -static_cast<double>(s.below(8))};
    const Frontier f = risk_return_frontier(pts);
    for (std::size_t i = 0; i < n; ++i) {
      std::int64_t by = -1;
      for (std::size_t j = 0; j < n; ++j) {
        const auto& p = pts[i];
        const auto& q = pts[j];
        if (j == i || !(q.expected_profit >= p.expected_profit && q.shortfall >= p.shortfall &&
                        (q.expected_profit > p.expected_profit || q.shortfall > p.shortfall)))
          continue;
        if (by < 0) {
          by = static_cast<std::int64_t>(j);
          continue;
        }
        const auto& b = pts[static_cast<std::size_t>(by)];
        if (q.expected_profit > b.expected_profit ||
            (q.expected_profit == b.expected_profit && q.shortfall > b.shortfall))
          by = static_cast<std::int64_t>(j);
      }
      INFO("round " << round << " point " << i);
      CHECK(f.dominated[i] == (by >= 0 ? 1 : 0));
      CHECK(f.dominated_by[i] == by);
    }
  }
}

TEST_CASE("Unique reach grows with the number of micro accounts until overlap flattens it",
          "[plan]") {
  ModelParams p;
  p.audience_size = 1.5e6;  // small audience: 100 accounts of ~40k followers overlap strongly
  const auto market = micro_market(100);
  SweepOptions opt;
  opt.seed = 7;
  opt.trials = 2000;
  const SweepResult r =
      run_sweep(p, parse_sweep_spec("--over", "micro-count=1..100"), first_n(market), opt);
  REQUIRE(r.summary.size() == 100);
  std::vector<double> reach;
  for (const auto& s : r.summary) reach.push_back(s[idx(Metric::unique_reach)].mean);
  // Adding an account never lowers the union on any trial (common random numbers), so the
  // mean is non-decreasing; it strictly grows here as every account reaches someone.
  for (std::size_t i = 1; i < reach.size(); ++i) {
    INFO("point " << i);
    CHECK(reach[i] > reach[i - 1]);
  }
  // Overlap flattens it: the last ten accounts add less per account than the first ten,
  // and the union stays below the sum of what each account reaches alone.
  const double first_gain = (reach[9] - reach[0]) / 9.0;
  const double last_gain = (reach[99] - reach[89]) / 10.0;
  CHECK(last_gain < 0.9 * first_gain);
  double alone = 0;
  for (std::size_t i = 0; i < 100; ++i) alone += r.portfolios[99].hired[i].followers;
  CHECK(reach[99] < alone);
  // Cost is the sum of the hired fees at every point.
  for (std::size_t i = 0; i < r.points.size(); ++i) {
    double fees = 0;
    for (const auto& c : r.portfolios[i].hired) fees += c.price * p.posts;
    CHECK(r.points[i].cost == Approx(fees).epsilon(1e-12));
    CHECK(r.points[i].hired == i + 1);
  }
  // Histograms account for every trial of every point.
  for (std::size_t i = 0; i < r.points.size(); ++i) {
    const auto& h = r.profit_hist;
    const std::uint64_t total =
        std::accumulate(h.counts[i].begin(), h.counts[i].end(), std::uint64_t{0}) + h.underflow[i] +
        h.overflow[i];
    CHECK(total == opt.trials);
  }
  // The best point for reach is the largest portfolio; the frontier is not empty.
  CHECK(best_point(r.summary, Objective::reach) == 99);
  CHECK(!r.frontier.frontier.empty());
}

TEST_CASE("A sweep gives bit-identical tables for 1 and 2 threads", "[plan]") {
  ModelParams p;
  const auto market = micro_market(30);
  SweepOptions opt;
  opt.seed = 11;
  opt.trials = 1500;
  const SweepSpec spec = parse_sweep_spec("--over", "micro-count=1..30:3");
  SweepResult a, b;
  {
    tbb::global_control c(tbb::global_control::max_allowed_parallelism, 1);
    a = run_sweep(p, spec, first_n(market), opt);
  }
  {
    tbb::global_control c(tbb::global_control::max_allowed_parallelism, 2);
    b = run_sweep(p, spec, first_n(market), opt);
  }
  REQUIRE(a.summary.size() == b.summary.size());
  for (std::size_t i = 0; i < a.summary.size(); ++i)
    for (std::size_t k = 0; k < kMetricCount; ++k) {
      CHECK(a.summary[i][k].mean == b.summary[i][k].mean);
      CHECK(a.summary[i][k].p5 == b.summary[i][k].p5);
      CHECK(a.summary[i][k].shortfall == b.summary[i][k].shortfall);
    }
  CHECK(a.best == b.best);
  CHECK(a.profit_hist.counts == b.profit_hist.counts);
}

TEST_CASE("A sweep that would keep too many trial values is refused before running", "[plan]") {
  SweepOptions opt;
  opt.trials = 1'000'000;
  opt.max_memory_bytes = 1 << 20;
  CHECK_THROWS_AS(run_sweep(ModelParams{}, parse_sweep_spec("--over", "micro-count=1..10"),
                            first_n(micro_market(10)), opt),
                  ConfigError);
}

TEST_CASE("Sensitivity ranks a parameter with no effect last", "[plan]") {
  ModelParams p;
  // No incidents: the incident probability and cost cannot matter; every candidate has a share
  // fraction, so the default share fraction cannot matter either.
  p.incident_probability.fill(0.0);
  auto market = micro_market(20);
  std::vector<Portfolio> ps = {
      sim_test::portfolio("five", std::vector<Candidate>(market.begin(), market.begin() + 5)),
      sim_test::portfolio("twenty", market)};
  SensitivityOptions opt;
  opt.seed = 3;
  opt.trials = 2000;
  opt.range = 0.2;
  const auto rows = run_sensitivity(p, ps, opt);
  const std::size_t inputs = default_sensitivity_inputs().size();
  REQUIRE(rows.size() == 2 * inputs);
  for (std::size_t pf = 0; pf < 2; ++pf) {
    std::vector<SensitivityRow> mine;
    for (const auto& r : rows)
      if (r.portfolio == pf) mine.push_back(r);
    REQUIRE(mine.size() == inputs);
    for (std::size_t i = 0; i < inputs; ++i) CHECK(mine[i].rank == i + 1);
    // The three inputs without effect: exactly zero, and the last three ranks.
    std::vector<std::string> last;
    for (std::size_t i = inputs - 3; i < inputs; ++i) {
      CHECK(mine[i].effect_mean == 0.0);
      CHECK(mine[i].roi_mean_low == mine[i].roi_mean_base);
      last.push_back(mine[i].parameter);
    }
    std::sort(last.begin(), last.end());
    CHECK(last == std::vector<std::string>{"model.default_share_fraction",
                                           "model.incident_cost_factor",
                                           "model.incident_probability"});
    // Conversion rate moves ROI: more conversions, more profit per dollar.
    const auto conv = std::find_if(mine.begin(), mine.end(), [](const SensitivityRow& r) {
      return r.parameter == "campaign.conversion_rate";
    });
    REQUIRE(conv != mine.end());
    CHECK(conv->roi_mean_high > conv->roi_mean_base);
    CHECK(conv->roi_mean_low < conv->roi_mean_base);
    CHECK(conv->rank <= 4);
    CHECK(conv->low_value == Approx(0.8 * p.base_conversion_rate));
    CHECK(conv->high_value == Approx(1.2 * p.base_conversion_rate));
  }
}

TEST_CASE("Sensitivity with a hand-made input that changes nothing ranks it last", "[plan]") {
  ModelParams p;
  std::vector<Portfolio> ps = {sim_test::portfolio("ten", micro_market(10))};
  SensitivityInput noop;
  noop.name = "nothing";
  noop.base_value = [](const ModelParams&, const Portfolio&) { return 1.0; };
  noop.scale = [](double, ModelParams&, std::vector<Portfolio>&) {};
  auto inputs = default_sensitivity_inputs();
  inputs.insert(inputs.begin(), noop);  // first in the list, last in the ranking
  SensitivityOptions opt;
  opt.trials = 1000;
  opt.rank_by = RankBy::spread;
  const auto rows = run_sensitivity(p, ps, opt, inputs);
  REQUIRE(rows.size() == inputs.size());
  CHECK(rows.back().effect_spread == 0.0);
  // Several inputs may have no effect on the spread; "nothing" is among the tied last ones.
  const auto it = std::find_if(rows.begin(), rows.end(),
                               [](const SensitivityRow& r) { return r.parameter == "nothing"; });
  REQUIRE(it != rows.end());
  CHECK(it->effect_spread == 0.0);
  for (auto j = it; j != rows.end(); ++j) CHECK(j->effect_spread == 0.0);
  CHECK(rows.front().effect_spread > 0.0);
  CHECK_THROWS_AS(run_sensitivity(p, ps, SensitivityOptions{1, 100, 1.5, RankBy::mean}),
                  ConfigError);
}

TEST_CASE("Sensitivity shows each strategy's own base value for tier inputs and estimates",
          "[plan]") {
  // A macro-only and a micro-only plan: the trust row shows the macro tier's 1.0 and the
  // micro tier's 1.4 (the defaults), the reach-rate row 0.10 and 0.22, and the fake-share row
  // each plan's own mean estimate (0.3 and 0.1), not one value for every strategy.
  ModelParams p;
  Portfolio big, small;
  big.hired = {sim_test::candidate(
      {.key = 1, .tier = Tier::macro, .followers = 600'000, .fake = 0.3, .price = 3'000})};
  small.hired = {sim_test::candidate({.key = 2}), sim_test::candidate({.key = 3})};
  const auto rows = run_sensitivity(p, {big, small}, SensitivityOptions{1, 256, 0.2, RankBy::mean});
  auto base = [&](std::size_t portfolio, const std::string& name) {
    for (const auto& r : rows)
      if (r.portfolio == portfolio && r.parameter == name) return r.base_value;
    FAIL("no row " << name);
    return 0.0;
  };
  CHECK(base(0, "model.trust") == 1.0);
  CHECK(base(1, "model.trust") == 1.4);
  CHECK(base(0, "model.reach_rate") == 0.10);
  CHECK(base(1, "model.reach_rate") == 0.22);
  CHECK(base(0, "candidates.fake_share") == Approx(0.3));
  CHECK(base(1, "candidates.fake_share") == Approx(0.1));
  // The table labels the effects in points and the base column as the plan's own.
  const std::string table = format_sensitivity_table(rows, {big, small}, 0.2);
  CHECK(table.find("base value (this plan)") != std::string::npos);
  CHECK(table.find(" pts") != std::string::npos);
  CHECK(table.find("effect on mean ROI") != std::string::npos);
}
