// Moments and probability masses of the hand-written samplers (distributions.hpp).
// Tolerances are 5 standard errors of the estimate: for a mean, sd / sqrt(N); for a
// variance, sqrt((mu4 - sigma^4) / N) with the distribution's own fourth central moment
// (mu4 = sigma^4 (3 + excess kurtosis)). Reference moments are the textbook closed forms
// (cited per test). Every case draws from its own stream, so the tests are deterministic.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

#include "microreach/distributions.hpp"
#include "microreach/vmath.hpp"

using microreach::Purpose;
using microreach::Stream;

namespace {

constexpr std::uint64_t kSeed = 20240611;

struct Moments {
  double mean = 0, var = 0;
};

template <class Draw>
Moments sample_moments(Draw&& draw, std::size_t n) {
  // Welford's update: stable for large means.
  double mean = 0, m2 = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = draw();
    const double d = x - mean;
    mean += d / static_cast<double>(i + 1);
    m2 += d * (x - mean);
  }
  return {mean, m2 / static_cast<double>(n - 1)};
}

// Checks sample mean and variance against (mean, var) with 5 standard errors.
void check_moments(const Moments& got, double mean, double var, double excess_kurtosis,
                   std::size_t n) {
  const double se_mean = std::sqrt(var / static_cast<double>(n));
  const double se_var = var * std::sqrt((2.0 + excess_kurtosis) / static_cast<double>(n));
  INFO("mean " << got.mean << " expected " << mean << " (se " << se_mean << ")");
  INFO("variance " << got.var << " expected " << var << " (se " << se_var << ")");
  CHECK(std::fabs(got.mean - mean) < 5.0 * se_mean + 1e-12);
  CHECK(std::fabs(got.var - var) < 5.0 * se_var + 1e-12);
}

double binomial_log_pmf(std::uint64_t n, double p, std::uint64_t k) {
  return std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0) + k * std::log(p) +
         (n - k) * std::log1p(-p);
}

double poisson_log_pmf(double mean, std::uint64_t k) {
  return -mean + k * std::log(mean) - std::lgamma(k + 1.0);
}

// Counts of each value against the exact mass: every value with an expected count of at
// least 30 must be within 5 binomial standard errors of it.
template <class Draw, class LogPmf>
void check_masses(Draw&& draw, LogPmf&& log_pmf, std::uint64_t lo, std::uint64_t hi,
                  std::size_t n) {
  std::vector<double> count(hi - lo + 1, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t k = draw();
    if (k >= lo && k <= hi) count[k - lo] += 1.0;
  }
  int checked = 0;
  for (std::uint64_t k = lo; k <= hi; ++k) {
    const double pk = std::exp(log_pmf(k));
    const double expected = pk * static_cast<double>(n);
    if (expected < 30) continue;
    ++checked;
    const double se = std::sqrt(expected * (1.0 - pk));
    INFO("k = " << k << ": " << count[k - lo] << " draws, expected " << expected);
    CHECK(std::fabs(count[k - lo] - expected) < 5.0 * se);
  }
  CHECK(checked >= 5);
}

}  // namespace

TEST_CASE("The ziggurat normal has mean 0, variance 1 and normal tails", "[distributions]") {
  Stream s(kSeed, Purpose::user, 1);
  const std::size_t n = 2'000'000;
  std::size_t beyond2 = 0, beyond3 = 0, beyond_r = 0;
  double mean = 0, m2 = 0, m3 = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = microreach::std_normal(s);
    mean += x;
    m2 += x * x;
    m3 += x * x * x;
    beyond2 += std::fabs(x) > 2.0;
    beyond3 += std::fabs(x) > 3.0;
    beyond_r += std::fabs(x) > 3.6541528853610088;  // the base-layer tail of the ziggurat
  }
  const double dn = static_cast<double>(n);
  // N(0,1): mean 0 (se 1/sqrt(n)), E[x^2] = 1 (se sqrt(2/n)), E[x^3] = 0 (se sqrt(15/n)).
  CHECK(std::fabs(mean / dn) < 5.0 / std::sqrt(dn));
  CHECK(std::fabs(m2 / dn - 1.0) < 5.0 * std::sqrt(2.0 / dn));
  CHECK(std::fabs(m3 / dn) < 5.0 * std::sqrt(15.0 / dn));
  // P(|Z| > 2) = 0.0455003, P(|Z| > 3) = 0.0026998, P(|Z| > 3.6542) = 2.5807e-4
  // (erfc(x / sqrt 2)); binomial standard errors.
  for (auto [got, p] : {std::pair{beyond2, 0.0455003}, std::pair{beyond3, 0.0026998},
                        std::pair{beyond_r, std::erfc(3.6541528853610088 / std::sqrt(2.0))}}) {
    const double se = std::sqrt(dn * p * (1 - p));
    CHECK(std::fabs(static_cast<double>(got) - dn * p) < 5.0 * se);
  }
}

TEST_CASE("Lognormal draws have the requested mean", "[distributions]") {
  // E[X] = mean, Var[X] = mean^2 (exp(sigma^2) - 1) (lognormal moments).
  for (double sigma : {0.2, 0.35, 0.5}) {
    Stream s(kSeed, Purpose::user, 2, static_cast<std::uint64_t>(sigma * 100));
    const double mean = 0.22;
    const double var = mean * mean * (std::exp(sigma * sigma) - 1.0);
    const double w = std::exp(sigma * sigma);
    const double kurt = w * w * w * w + 2 * w * w * w + 3 * w * w - 6;
    const std::size_t n = 1'000'000;
    auto got = sample_moments([&] { return microreach::lognormal_mean(s, mean, sigma); }, n);
    check_moments(got, mean, var, kurt, n);
  }
}

TEST_CASE("Gamma draws have mean k and variance k for shapes below and above 1",
          "[distributions]") {
  // Gamma(k, 1): mean k, variance k, excess kurtosis 6/k.
  std::uint64_t sub = 0;
  for (double k : {0.05, 0.3, 0.999, 1.0, 2.5, 7.0, 50.0, 1000.0}) {
    Stream s(kSeed, Purpose::user, 3, ++sub);
    microreach::GammaDist g(k);
    const std::size_t n = 1'000'000;
    INFO("shape " << k);
    auto got = sample_moments([&] { return g(s); }, n);
    check_moments(got, k, k, 6.0 / k, n);
  }
}

TEST_CASE("The log of a gamma variate stays finite for tiny shapes", "[distributions]") {
  // E[log X] for X ~ Gamma(k) is digamma(k); for k = 0.01, digamma(0.01) = -100.5608
  // (series -1/k - gamma_E + (pi^2/6) k). The draws themselves underflow to 0 often.
  Stream s(kSeed, Purpose::user, 4);
  microreach::GammaDist g(0.01);
  const std::size_t n = 400'000;
  double sum = 0, sum2 = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double l = g.log_sample(s);
    REQUIRE(std::isfinite(l));
    sum += l;
    sum2 += l * l;
  }
  const double mean = sum / n, sd = std::sqrt(sum2 / n - mean * mean);
  const double digamma =
      -1.0 / 0.01 - 0.5772156649015329 + (std::numbers::pi * std::numbers::pi / 6.0) * 0.01;
  CHECK(std::fabs(mean - digamma) < 5.0 * sd / std::sqrt(static_cast<double>(n)));
}

TEST_CASE("Beta draws match the beta mean and variance, also with shapes below 1",
          "[distributions]") {
  // Beta(a, b): mean a/(a+b), variance ab/((a+b)^2 (a+b+1)), excess kurtosis
  // 6[(a-b)^2 (a+b+1) - ab(a+b+2)] / [ab(a+b+2)(a+b+3)].
  struct Case {
    double a, b;
  };
  std::uint64_t sub = 0;
  for (Case c :
       {Case{2.0, 18.0}, Case{0.1, 19.9}, Case{19.0, 1.0}, Case{0.5, 0.5}, Case{10.0, 10.0},
        Case{1.0, 1.0}, Case{1.0, 19.0}, Case{3.0, 1.0}, Case{300.0, 700.0}, Case{0.02, 3.0}}) {
    Stream s(kSeed, Purpose::user, 5, ++sub);
    microreach::BetaDist d(c.a, c.b);
    const double t = c.a + c.b;
    const double mean = c.a / t;
    const double var = c.a * c.b / (t * t * (t + 1));
    const double kurt = 6.0 * ((c.a - c.b) * (c.a - c.b) * (t + 1) - c.a * c.b * (t + 2)) /
                        (c.a * c.b * (t + 2) * (t + 3));
    const std::size_t n = 1'000'000;
    INFO("beta(" << c.a << ", " << c.b << ")");
    auto got = sample_moments(
        [&] {
          const double x = d(s);
          REQUIRE(x >= 0.0);
          REQUIRE(x <= 1.0);
          return x;
        },
        n);
    check_moments(got, mean, var, kurt, n);
  }
}

TEST_CASE("Binomial draws match mean np and variance np(1-p) on every path", "[distributions]") {
  // Binomial(n, p): mean np, variance npq, excess kurtosis (1 - 6pq)/(npq).
  struct Case {
    std::uint64_t n;
    double p;
  };
  std::uint64_t sub = 0;
  for (Case c : {Case{1, 0.3},              // Bernoulli, inversion
                 Case{20, 0.2},             // small n, inversion
                 Case{10000, 0.0007},       // small mean (conversions), inversion
                 Case{19, 0.5},             // n p = 9.5 < 10: inversion at p = 1/2
                 Case{20, 0.5},             // n p = 10: BTRD at its threshold
                 Case{50, 0.9},             // p > 1/2: n - Binomial(n, 1 - p), BTRD
                 Case{1000, 0.05},          // BTRD, |k - m| <= 15 mostly
                 Case{50'000, 0.22},        // BTRD, reach of a micro account
                 Case{3'000'000, 0.1},      // BTRD, reach of a mega account
                 Case{1'000'000'000, 0.3},  // BTRD, huge n
                 Case{7, 0.999}}) {         // p near 1
    Stream s(kSeed, Purpose::user, 6, ++sub);
    const double np = c.n * c.p, npq = np * (1 - c.p);
    const std::size_t n = 1'000'000;
    INFO("binomial(" << c.n << ", " << c.p << ")");
    auto got = sample_moments(
        [&] {
          const std::uint64_t k = microreach::binomial(s, c.n, c.p);
          REQUIRE(k <= c.n);
          return static_cast<double>(k);
        },
        n);
    check_moments(got, np, npq, (1 - 6 * c.p * (1 - c.p)) / npq, n);
  }
}

TEST_CASE("Binomial draws follow the binomial mass function value by value", "[distributions]") {
  // Exact masses from lgamma; this catches errors in the BTRD squeeze and the Stirling
  // corrections that moments alone would miss.
  struct Case {
    std::uint64_t n;
    double p;
    std::uint64_t lo, hi;
  };
  std::uint64_t sub = 0;
  for (Case c : {Case{40, 0.1, 0, 20}, Case{100, 0.3, 0, 100}, Case{1000, 0.5, 400, 600},
                 Case{100'000, 0.02, 1700, 2300}, Case{12000, 0.0005, 0, 30}}) {
    Stream s(kSeed, Purpose::user, 7, ++sub);
    INFO("binomial(" << c.n << ", " << c.p << ")");
    check_masses([&] { return microreach::binomial(s, c.n, c.p); },
                 [&](std::uint64_t k) { return binomial_log_pmf(c.n, c.p, k); }, c.lo, c.hi,
                 2'000'000);
  }
}

TEST_CASE("Binomial edge cases return the only possible value", "[distributions]") {
  Stream s(kSeed, Purpose::user, 8);
  CHECK(microreach::binomial(s, 0, 0.5) == 0);
  CHECK(microreach::binomial(s, 100, 0.0) == 0);
  CHECK(microreach::binomial(s, 100, 1.0) == 100);
  CHECK(microreach::binomial(s, 100, -0.5) == 0);
  CHECK(microreach::binomial(s, 100, 1.5) == 100);
  CHECK(microreach::binomial(s, 100, std::nan("")) == 0);
}

TEST_CASE("Poisson draws match mean and variance lambda on both paths", "[distributions]") {
  // Poisson(lambda): mean = variance = lambda, excess kurtosis 1/lambda.
  std::uint64_t sub = 0;
  for (double lambda : {0.01, 0.7, 4.0, 9.99, 10.0, 37.5, 1000.0, 2.5e6}) {
    Stream s(kSeed, Purpose::user, 9, ++sub);
    const std::size_t n = 1'000'000;
    INFO("poisson(" << lambda << ")");
    auto got =
        sample_moments([&] { return static_cast<double>(microreach::poisson(s, lambda)); }, n);
    check_moments(got, lambda, lambda, 1.0 / lambda, n);
  }
  Stream s(kSeed, Purpose::user, 10);
  CHECK(microreach::poisson(s, 0.0) == 0);
  CHECK(microreach::poisson(s, -3.0) == 0);
}

TEST_CASE("Poisson draws follow the Poisson mass function value by value", "[distributions]") {
  std::uint64_t sub = 0;
  // 10 and 10.464 are PD's edge (10.464: where its hat is tightest, see the next test).
  for (double lambda : {3.0, 10.0, 10.464, 12.0, 150.0}) {
    Stream s(kSeed, Purpose::user, 11, ++sub);
    INFO("poisson(" << lambda << ")");
    check_masses([&] { return microreach::poisson(s, lambda); },
                 [&](std::uint64_t k) { return poisson_log_pmf(lambda, k); }, 0,
                 static_cast<std::uint64_t>(lambda * 3 + 20), 2'000'000);
  }
}

TEST_CASE("PD's acceptance steps rest on inequalities that hold for the exact masses",
          "[distributions]") {
  // Ahrens & Dieter (1982) prove these for their approximated masses; poisson() computes the
  // masses exactly, so they are checked here for those, within 12 sd of the mean, over means
  // from 10 to 10^6: (I) p_k >= f_k for k >= L = floor(mean - 1.1484); (S) the squeeze's
  // acceptance 1 - (mean - k)^3 / (6 mean^2) is at most p_k / f_k below L; (cut) p_k <= f_k
  // where the hat is cut (t <= -0.6744); (H) e^|t - 1.8| (p_k - f_k) <= c = 0.1069 / mean on
  // every t of k's interval, so the hat majorizes (tightest at mean 10.464, k = 14: 0.99948).
  std::vector<double> means;
  for (double m = 10.0; m < 20.0; m += 0.004) means.push_back(m);
  for (double m = 20.0; m < 1e6; m *= 1.05) means.push_back(m);
  double worst_hat = 0.0;
  for (double mean : means) {
    const double s = std::sqrt(mean), loglam = std::log(mean), c = 0.1069 / mean;
    const microreach::PdBox box(mean);
    const double lo = std::max(0.0, std::floor(mean - 12.0 * s));
    for (double k = lo; k <= mean + 12.0 * s; k += 1.0) {
      const double p = std::exp(microreach::poisson_log_mass(k, mean, loglam));
      const double f = microreach::rounded_normal_mass(k, mean, s);
      const double t0 = (k - mean) / s, t1 = (k + 1.0 - mean) / s;
      INFO("mean " << mean << ", k " << k << ": p_k " << p << ", f_k " << f);
      if (box.immediate(k)) {
        REQUIRE(p >= f);
      } else {
        REQUIRE(1.0 - std::pow(mean - k, 3) / box.d <= p / f);
      }
      if (t0 < -0.6744) REQUIRE(p <= f);
      if (t1 > -0.6744) {
        const double e = std::max(std::fabs(std::max(t0, -0.6744) - 1.8), std::fabs(t1 - 1.8));
        worst_hat = std::max(worst_hat, std::exp(e) * (p - f) / c);
      }
    }
  }
  CHECK(worst_hat <= 1.0);
  CHECK(worst_hat > 0.999);  // the grid reaches the tight spot
}

TEST_CASE("Poisson and rounded-normal masses agree with lgamma and erfc", "[distributions]") {
  for (double mean : {10.0, 37.5, 1000.0, 2.5e6}) {
    const double s = std::sqrt(mean);
    double total = 0.0;
    for (double k = std::floor(mean - 15 * s); k <= mean + 15 * s; k += 1.0) {
      INFO("mean " << mean << ", k " << k);
      total += microreach::rounded_normal_mass(k, mean, s);
      if (k < 0.0) continue;
      const double ref = poisson_log_pmf(mean, static_cast<std::uint64_t>(k));
      // lgamma(k + 1) itself is rounded to ~1e-16 log k!; the Stirling form is finer.
      CHECK(microreach::poisson_log_mass(k, mean, std::log(mean)) ==
            Approx(ref).margin(4e-16 * std::max(1.0, std::lgamma(k + 1.0))));
    }
    // The rounded normal's masses over mean +- 15 sd sum to 1 (the rest is below 1e-50).
    CHECK(total == Approx(1.0).epsilon(1e-13));
  }
  // Spot values: Phi(1) - Phi(0) and Phi(-2) - Phi(-3) (mean 0, s 1).
  CHECK(microreach::rounded_normal_mass(0.0, 0.0, 1.0) == Approx(0.341344746068543).epsilon(1e-14));
  CHECK(microreach::rounded_normal_mass(-3.0, 0.0, 1.0) ==
        Approx(0.021400233916549).epsilon(1e-13));
}

TEST_CASE("log_factorial and the Stirling correction agree with lgamma", "[distributions]") {
  // Reference: lgamma(k + 1) from the C library.
  for (double k : {0.0, 1.0, 2.0, 5.0, 9.0, 10.0, 11.0, 57.0, 1000.0, 123456.0, 1e9}) {
    INFO("k = " << k);
    CHECK(microreach::log_factorial(k) ==
          Approx(std::lgamma(k + 1.0)).epsilon(1e-14).margin(1e-14));
    if (k > 1000) continue;  // lgamma's own rounding (~1e-16 x log k!) would dominate fc
    const double fc = std::lgamma(k + 1.0) - ((k + 0.5) * std::log(k + 1.0) - (k + 1.0) +
                                              0.5 * std::log(2 * std::numbers::pi));
    CHECK(microreach::stirling_correction(k) == Approx(fc).epsilon(1e-9).margin(1e-11));
  }
}

TEST_CASE("Samplers are reproducible from the stream key alone", "[distributions]") {
  Stream a(kSeed, Purpose::user, 12, 3), b(kSeed, Purpose::user, 12, 3);
  for (int i = 0; i < 1000; ++i) {
    REQUIRE(microreach::binomial(a, 50000, 0.2) == microreach::binomial(b, 50000, 0.2));
    REQUIRE(microreach::beta(a, 1.0, 19.0) == microreach::beta(b, 1.0, 19.0));
    REQUIRE(microreach::poisson(a, 123.0) == microreach::poisson(b, 123.0));
  }
}

TEST_CASE("The batch forms of BTRD and the Poisson inversion decide as the scalar samplers",
          "[distributions]") {
  Stream s(kSeed, Purpose::user, 40);
  // Poisson inversion, 8 lanes in step: the same variate (or -1) as poisson_search, also for
  // uniforms next to 1, where the search runs longest.
  for (int round = 0; round < 2000; ++round) {
    double u[8], mean[8], k[8];
    for (int l = 0; l < 8; ++l) {
      mean[l] = s.uniform(1e-3, 10.0);
      u[l] = l == 7 ? 1.0 - 0x1p-53 * static_cast<double>(s.below(4) + 1) : s.uniform();
    }
    microreach::detail::poisson_search_lanes<8>(u, mean, k);
    for (int l = 0; l < 8; ++l) {
      const int scalar =
          microreach::detail::poisson_search(u[l], mean[l], microreach::vmath::exp(-mean[l]));
      REQUIRE(k[l] == static_cast<double>(scalar));
    }
  }
  // One BTRD iteration: where btrd_attempt settles a draw, binomial() on a stream that starts
  // with the same two uniforms returns the same variate.
  int settled = 0, open = 0;
  for (int i = 0; i < 20000; ++i) {
    const auto n = static_cast<std::uint64_t>(std::exp(s.uniform(std::log(100.0), std::log(1e6))));
    const double p = s.uniform(0.01, 0.5);
    if (static_cast<double>(n) * p < 10.0) continue;
    std::uint64_t words[2] = {s.next_u64(), s.next_u64()};
    double kd = 0;
    const double status = microreach::btrd_attempt(
        static_cast<double>(n), p, Stream::to_uniform(words[0]), Stream::to_uniform(words[1]), kd);
    if (status == 1.0) {
      Stream replay = Stream::resume(kSeed, Purpose::user, 41, i, 0, words, 2);
      REQUIRE(static_cast<double>(microreach::binomial(replay, n, p)) == kd);
      ++settled;
    } else {
      ++open;
    }
  }
  CHECK(settled > 3 * open);  // most are settled in one iteration (77 % over these sizes)
}
