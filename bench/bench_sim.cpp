// Speed of the simulator: per-draw cost of the hand-written samplers (distributions.hpp) and
// influencer-trials per second of the campaign engine (sim/engine.hpp).
// Compare with scripts/sim_numpy.py (NumPy draws and the same model vectorised).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <ctime>
#include <vector>

#include "microreach/distributions.hpp"
#include "microreach/random.hpp"
#include "microreach/sim/engine.hpp"
#include "microreach/sim/model.hpp"
#include "microreach/vmath.hpp"

using microreach::Purpose;
using microreach::Stream;

namespace {

constexpr std::size_t kParams = 4096;

// Parameters varying draw to draw, as in the simulator: n log-uniform in [1e3, 1e6],
// p uniform in [0.01, 0.5] (the same ranges scripts/sim_numpy.py times NumPy on).
struct BinomialParams {
  std::vector<std::uint64_t> n;
  std::vector<double> p;
  BinomialParams(double n_lo, double n_hi, double p_lo, double p_hi) {
    Stream s(1, Purpose::user, 99);
    for (std::size_t i = 0; i < kParams; ++i) {
      n.push_back(static_cast<std::uint64_t>(std::exp(s.uniform(std::log(n_lo), std::log(n_hi)))));
      p.push_back(s.uniform(p_lo, p_hi));
    }
  }
};

void BM_Normal(benchmark::State& state) {
  Stream s(1, Purpose::user, 1);
  for (auto _ : state) benchmark::DoNotOptimize(microreach::std_normal(s));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Normal);

void BM_NormalBoxMuller(benchmark::State& state) {
  Stream s(1, Purpose::user, 1);
  for (auto _ : state) benchmark::DoNotOptimize(s.normal());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NormalBoxMuller);

void BM_Lognormal(benchmark::State& state) {
  Stream s(1, Purpose::user, 2);
  for (auto _ : state) benchmark::DoNotOptimize(microreach::lognormal_mean(s, 0.22, 0.35));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Lognormal);

void BM_Gamma(benchmark::State& state) {
  Stream s(1, Purpose::user, 3);
  const microreach::GammaDist g(static_cast<double>(state.range(0)) / 10.0);
  for (auto _ : state) benchmark::DoNotOptimize(g(s));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Gamma)->Arg(3)->Arg(25);  // shapes 0.3 and 2.5

void BM_Beta(benchmark::State& state) {
  Stream s(1, Purpose::user, 4);
  const microreach::BetaDist d(2.0, 18.0);  // fake share 0.1 at concentration 20
  for (auto _ : state) benchmark::DoNotOptimize(d(s));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Beta);

// Fake share at the estimator's 5 % floor: Beta(1, 19), by inversion.
void BM_BetaUnitShape(benchmark::State& state) {
  Stream s(1, Purpose::user, 4);
  const microreach::BetaDist d(1.0, 19.0);
  for (auto _ : state) benchmark::DoNotOptimize(d(s));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BetaUnitShape);

// Draws draw(n, p) with the parameters cycling through `par`, as a campaign's accounts do.
template <class Draw>
void bench_varying(benchmark::State& state, const BinomialParams& par, Draw draw) {
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(draw(par.n[i], par.p[i]));
    i = (i + 1) & (kParams - 1);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_BinomialVarying(benchmark::State& state) {
  Stream s(1, Purpose::user, 5);
  bench_varying(state, BinomialParams(1e3, 1e6, 0.01, 0.5),
                [&](std::uint64_t n, double p) { return microreach::binomial(s, n, p); });
}
BENCHMARK(BM_BinomialVarying);

// Conversions: n ~ 1e4 reached, p ~ 0.07 %: the inversion path.
void BM_BinomialSmallMean(benchmark::State& state) {
  Stream s(1, Purpose::user, 6);
  bench_varying(state, BinomialParams(3e3, 3e4, 0.0002, 0.0012),
                [&](std::uint64_t n, double p) { return microreach::binomial(s, n, p); });
}
BENCHMARK(BM_BinomialSmallMean);

void BM_PoissonVarying(benchmark::State& state) {
  Stream s(1, Purpose::user, 7);
  bench_varying(state, BinomialParams(1e3, 1e6, 0.01, 0.5), [&](std::uint64_t n, double p) {
    return microreach::poisson(s, 0.1 * static_cast<double>(n) * p);
  });
}
BENCHMARK(BM_PoissonVarying);

// The cost of opening a fresh stream per (trial, influencer) and drawing one word.
void BM_StreamOpen(benchmark::State& state) {
  std::uint64_t t = 0;
  for (auto _ : state) {
    Stream s(1, Purpose::sim_account, t++, 17);
    benchmark::DoNotOptimize(s.next_u64());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StreamOpen);

// exp, expm1 and log over an array of 1,024 arguments, as the engine's batch loops call them:
// vmath's, vectorized by the compiler (SSE2 in this baseline build; ...V3: the loop compiled for
// x86-64-v3, AVX2, as in the engine's AVX2 copy), against glibc's (a call per element).
std::vector<double> arguments(double lo, double hi) {
  std::vector<double> x(1024);
  Stream s(1, Purpose::user, 7);
  for (double& v : x) v = s.uniform(lo, hi);
  return x;
}
enum class Fn { exp, expm1, log };
constexpr double kLo[] = {-2.0, -0.3, 1e-9}, kHi[] = {2.0, 0.0, 1.0};

template <Fn F>
void vmath_loop(const double* __restrict x, double* __restrict y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    if constexpr (F == Fn::exp) y[i] = microreach::vmath::exp(x[i]);
    if constexpr (F == Fn::expm1) y[i] = microreach::vmath::expm1(x[i]);
    if constexpr (F == Fn::log) y[i] = microreach::vmath::log(x[i]);
  }
}
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
template <Fn F>
__attribute__((target("arch=x86-64-v3"))) __attribute__((flatten)) void vmath_loop_v3(
    const double* __restrict x, double* __restrict y, std::size_t n) {
  vmath_loop<F>(x, y, n);
}
#endif
template <Fn F>
void glibc_loop(const double* __restrict x, double* __restrict y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    if constexpr (F == Fn::exp) y[i] = std::exp(x[i]);
    if constexpr (F == Fn::expm1) y[i] = std::expm1(x[i]);
    if constexpr (F == Fn::log) y[i] = std::log(x[i]);
  }
}

// which: 0 glibc, 1 vmath baseline, 2 vmath x86-64-v3.
template <Fn F>
void BM_Elementwise(benchmark::State& state) {
  const int which = static_cast<int>(state.range(0));
  const std::vector<double> x = arguments(kLo[static_cast<int>(F)], kHi[static_cast<int>(F)]);
  std::vector<double> y(x.size());
  void (*loop)(const double*, double*, std::size_t) = which == 0 ? glibc_loop<F> : vmath_loop<F>;
  state.SetLabel(which == 0 ? "glibc" : which == 1 ? "vmath, SSE2" : "vmath, AVX2");
  if (which == 2) {
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
    if (!__builtin_cpu_supports("avx2")) {
      state.SkipWithError("this CPU has no AVX2");
      return;
    }
    loop = vmath_loop_v3<F>;
#else
    state.SkipWithError("the x86-64-v3 copy is built by GCC on x86-64 only");
    return;
#endif
  }
  for (auto _ : state) {
    loop(x.data(), y.data(), x.size());
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(x.size()));
}
BENCHMARK_TEMPLATE(BM_Elementwise, Fn::exp)->DenseRange(0, 2);
BENCHMARK_TEMPLATE(BM_Elementwise, Fn::expm1)->DenseRange(0, 2);
BENCHMARK_TEMPLATE(BM_Elementwise, Fn::log)->DenseRange(0, 2);

// A portfolio of `accounts` micro accounts spread over 4 platforms x 3 niches (so overlap is
// computed), with the default parameters: what `simulate` does per strategy.
microreach::sim::CampaignModel bench_model(std::size_t accounts) {
  using namespace microreach;
  sim::Portfolio pf;
  pf.spec = pf.label = "micro-top";
  Stream s(3, Purpose::user, 1);
  const Niche niches[] = {Niche::fitness, Niche::sports, Niche::lifestyle};
  for (std::size_t i = 0; i < accounts; ++i) {
    sim::Candidate c;
    c.key = 1000 + i;
    c.platform = static_cast<std::uint8_t>(i % 4);
    c.niche = static_cast<std::uint8_t>(niches[(i / 4) % 3]);
    c.tier = static_cast<std::uint8_t>(Tier::micro);
    c.followers = std::exp(s.uniform(std::log(1e4), std::log(1e5)));
    c.fake_share = s.uniform(0.02, 0.3);
    c.engagement_per_view = s.uniform(0.05, 0.2);
    c.share_fraction = 0.05;
    c.relevance = c.niche == static_cast<std::uint8_t>(Niche::fitness) ? 1.0 : 0.6;
    c.price = c.followers * 0.005;
    pf.hired.push_back(c);
  }
  return sim::CampaignModel(sim::ModelParams{}, {pf});
}

// Influencer-trials per second of the whole engine (draws, overlap, totals, accumulators), with
// the batch code the CPU allows (x86-64-v3 where it has AVX2); BM_SimulatePortfolioBaseline forces
// the SSE2 copy (the same results).
void BM_SimulatePortfolio(benchmark::State& state) {
  const std::size_t accounts = static_cast<std::size_t>(state.range(0));
  state.SetLabel(microreach::sim::batch_isa_name());
  const auto m = bench_model(accounts);
  microreach::sim::SimOptions opt;
  opt.trials = 20'000;
  const std::clock_t cpu0 = std::clock();  // process CPU time, every thread
  for (auto _ : state) {
    auto r = microreach::sim::simulate(m, opt);
    benchmark::DoNotOptimize(r.moments.data());
  }
  const double cpu = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;
  const double work = static_cast<double>(state.iterations()) * opt.trials * accounts;
  state.SetItemsProcessed(static_cast<std::int64_t>(work));
  state.counters["influencer_trials_per_s"] = benchmark::Counter(
      static_cast<double>(opt.trials * accounts), benchmark::Counter::kIsIterationInvariantRate);
  // CPU time of all threads per influencer-trial: what two free cores would divide by two.
  state.counters["cpu_ns_per_influencer_trial"] = cpu / work * 1e9;
}
BENCHMARK(BM_SimulatePortfolio)
    ->Arg(1)
    ->Arg(40)
    ->Arg(200)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_SimulatePortfolioBaseline(benchmark::State& state) {
  microreach::sim::set_batch_isa(microreach::sim::BatchIsa::baseline);
  BM_SimulatePortfolio(state);
  microreach::sim::set_batch_isa(microreach::sim::BatchIsa::automatic);
}
BENCHMARK(BM_SimulatePortfolioBaseline)->Arg(200)->UseRealTime()->Unit(benchmark::kMillisecond);

// Trials of one account, single-threaded: the per-account cost of one trial.
void BM_TrialWorkspaceDraw(benchmark::State& state) {
  const auto m = bench_model(200);
  microreach::sim::TrialWorkspace ws(m);
  microreach::sim::Totals t{};
  std::uint64_t trial = 0;
  for (auto _ : state) {
    ws.draw(m, 1, trial++);
    ws.totals(m, 0, t);
    benchmark::DoNotOptimize(t.data());
  }
  state.SetItemsProcessed(state.iterations() * 200);
}
BENCHMARK(BM_TrialWorkspaceDraw);

}  // namespace

BENCHMARK_MAIN();
