// Planning benchmarks: a micro-count sweep (100 nested portfolios, one CampaignModel, common
// random numbers) and the risk-return frontier. Items = portfolio-trials for the sweep (each
// is one Sainsbury union and one set of totals), points for the frontier.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "microreach/random.hpp"
#include "microreach/sim/plan.hpp"

using namespace microreach;
using namespace microreach::sim;

namespace {

std::vector<Candidate> market(std::size_t n) {
  std::vector<Candidate> v;
  for (std::size_t i = 0; i < n; ++i) {
    Candidate c;
    c.key = 1000 + i;
    c.id = i;
    c.platform = static_cast<std::uint8_t>(Platform::instagram);
    c.niche = static_cast<std::uint8_t>(Niche::fitness);
    c.tier = static_cast<std::uint8_t>(Tier::micro);
    c.followers = 20'000 + 700.0 * static_cast<double>(i % 50);
    c.fake_share = 0.1;
    c.engagement_per_view = 0.1;
    c.share_fraction = 0.05;
    c.price = 100 + 3.0 * static_cast<double>(i % 50);
    c.score = 60;
    v.push_back(c);
  }
  return v;
}

void BM_SweepMicroCount(benchmark::State& state) {
  const auto trials = static_cast<std::uint64_t>(state.range(0));
  const std::vector<Candidate> m = market(100);
  const SweepSpec spec = parse_sweep_spec("--over", "micro-count=1..100");
  const PointBuilder build = [&](double v) {
    Portfolio p;
    p.spec = p.label = "first:" + std::to_string(static_cast<int>(v));
    p.hired.assign(m.begin(), m.begin() + static_cast<std::ptrdiff_t>(v));
    return p;
  };
  SweepOptions opt;
  opt.trials = trials;
  for (auto _ : state) {
    SweepResult r = run_sweep(ModelParams{}, spec, build, opt);
    benchmark::DoNotOptimize(r.best);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * trials * 100));
}
BENCHMARK(BM_SweepMicroCount)->Arg(1000)->Arg(10000)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_Frontier(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::vector<FrontierInput> pts(n);
  Stream s(1, Purpose::user, 0);
  for (auto& p : pts) p = {s.uniform(-1e4, 1e4), s.uniform(-2e4, 0)};
  for (auto _ : state) {
    Frontier f = risk_return_frontier(pts);
    benchmark::DoNotOptimize(f.frontier.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}
BENCHMARK(BM_Frontier)->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
