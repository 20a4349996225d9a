#pragma once
// Random variates drawn by hand on a microreach::Stream (cf. OpenMC's random_dist.cpp):
// <random>'s distributions differ between standard libraries, so results would not be
// portable, and std::binomial_distribution costs ~145 ns a draw with varying parameters.
//
//   normal      ziggurat, 256 layers (Marsaglia & Tsang 2000): one 64-bit word per draw
//               99 % of the time
//   gamma       Marsaglia & Tsang (2000) squeeze; shape < 1 through Gamma(a+1) * U^(1/a)
//   beta        X / (X + Y) from two gammas (in log space when a shape is below 0.05);
//               by inversion when a shape is 1
//   binomial    inversion when n*min(p,1-p) < 10 (exact, small n or small mean);
//               BTRD otherwise (Hormann 1993, "The generation of binomial random variates",
//               J. Statist. Comput. Simul. 46), exact transformed rejection
//   poisson     inversion for mean < 10; PTRS otherwise (Hormann 1993, "The transformed
//               rejection method for generating Poisson random variables", IME 12)
//
// Every sampler is exact (no approximation beyond double rounding) and draws only from the
// Stream it is given, so results depend only on the stream's key. Moments are tested in
// tests/test_distributions.cpp, speed in bench/bench_sim.cpp.
#include <cmath>
#include <cstdint>

#include "microreach/random.hpp"

namespace microreach {

namespace detail {
// Ziggurat tables (256 layers), built once at static initialisation.
struct ZigguratTables {
  std::uint64_t k[256];
  double w[256];
  double f[256];
  ZigguratTables();
};
extern const ZigguratTables kZiggurat;
double normal_slow(Stream& s, std::uint64_t bits, std::size_t idx, double x);
}  // namespace detail

// Standard normal N(0, 1) by the ziggurat method.
inline double std_normal(Stream& s) {
  const std::uint64_t r = s.next_u64();
  const std::size_t idx = r & 0xff;
  const std::uint64_t rabs = (r >> 9) & 0x000fffffffffffffULL;  // 52 bits
  double x = static_cast<double>(rabs) * detail::kZiggurat.w[idx];
  if ((r >> 8) & 1) x = -x;
  if (rabs < detail::kZiggurat.k[idx]) return x;  // inside the rectangle: ~99 % of draws
  return detail::normal_slow(s, r, idx, x);
}
inline double normal(Stream& s, double mean, double sd) {
  return mean + sd * std_normal(s);
}
// Lognormal with the given mean (not median) and log-sd sigma: E[X] = mean.
inline double lognormal_mean(Stream& s, double mean, double sigma) {
  return mean * std::exp(sigma * std_normal(s) - 0.5 * sigma * sigma);
}

// Gamma(shape, scale 1). Constants precomputed: build once, draw many times.
class GammaDist {
 public:
  GammaDist() : GammaDist(1.0) {}
  explicit GammaDist(double shape);
  double shape() const { return shape_; }
  double operator()(Stream& s) const;
  // log of a Gamma(shape) variate, accurate also when the variate underflows (tiny shapes).
  double log_sample(Stream& s) const;

 private:
  double marsaglia_tsang(Stream& s) const;  // Gamma(max(shape, 1 + shape if < 1))
  double shape_ = 1.0, d_ = 2.0 / 3.0, c_ = 0.0;
  bool boost_ = false;  // shape < 1: Gamma(shape + 1) * U^(1/shape)
};
double gamma(Stream& s, double shape);

// Beta(a, b), a, b > 0.
class BetaDist {
 public:
  BetaDist() : BetaDist(1.0, 1.0) {}
  BetaDist(double a, double b);
  double operator()(Stream& s) const;
  double a() const { return x_.shape(); }
  double b() const { return y_.shape(); }

 private:
  GammaDist x_, y_;
  bool log_space_ = false;
  bool unit_a_ = false, unit_b_ = false;  // a shape of 1: inversion
  double inv_a_ = 1.0, inv_b_ = 1.0;
};
double beta(Stream& s, double a, double b);

// Binomial(n, p): inversion if n * min(p, 1 - p) < 10, BTRD otherwise. p is clamped to [0, 1].
std::uint64_t binomial(Stream& s, std::uint64_t n, double p);
// Poisson(mean): inversion if mean < 10, PTRS otherwise. mean <= 0 gives 0.
std::uint64_t poisson(Stream& s, double mean);

// log(k!) exactly from a table for k < 10, by the Stirling series with its correction term
// otherwise (relative error < 1e-15). Thread-safe (unlike lgamma, which sets signgam).
double log_factorial(double k);
// Stirling correction fc(k) = log(k!) - [(k + 1/2) log(k + 1) - (k + 1) + log(2 pi) / 2].
double stirling_correction(double k);

}  // namespace microreach
