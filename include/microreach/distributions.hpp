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
//   poisson     inversion for mean < 10; PD otherwise (Ahrens & Dieter 1982, "Computer
//               generation of Poisson deviates from modified normal distributions", ACM TOMS
//               8): a rounded normal accepted at once ~97 % of the time at mean 10 (one
//               normal and at most one uniform), with the normal proposal's masses computed
//               exactly (erfc) where the paper approximates them
//
// Every sampler is exact (no approximation beyond the rounding of double arithmetic and of the
// elementary functions: glibc's, or vmath's in the steps batch code shares, within 1 ulp) and
// draws only from the Stream it is given, so results depend only on the stream's key. Moments are
// tested in tests/test_distributions.cpp, speed in bench/bench_sim.cpp.
#include <bit>
#include <cmath>
#include <cstdint>

#include "microreach/random.hpp"
#include "microreach/vmath.hpp"

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

// The ziggurat's first attempt on one 64-bit word r: sets x and returns true when r falls
// inside a layer's rectangle (~99 % of words); otherwise x is the candidate that
// detail::normal_slow(s, r, idx, x) takes further. Batch code (sim/engine.cpp) runs this on
// words drawn ahead and falls back to normal_slow for the rest, with identical results.
// Written without branches or 64-bit integer conversions (rabs < 2^52 converts exactly through
// the bits of 2^52 + rabs; bit 8 of r becomes the sign bit), so that loops over many words
// vectorize (with table gathers on AVX2).
// (The tables as arguments: batch code passes them as restrict pointers, see sim/engine.cpp.)
inline bool normal_first(std::uint64_t r, double& x, const std::uint64_t* k, const double* w) {
  const std::size_t idx = r & 0xff;
  const std::uint64_t rabs = (r >> 9) & 0x000fffffffffffffULL;  // 52 bits
  const double mag = (std::bit_cast<double>(0x4330000000000000ULL | rabs) - 0x1.0p52) * w[idx];
  x = std::bit_cast<double>(std::bit_cast<std::uint64_t>(mag) ^ ((r << 55) & (1ULL << 63)));
  return rabs < k[idx];
}
inline bool normal_first(std::uint64_t r, double& x) {
  return normal_first(r, x, detail::kZiggurat.k, detail::kZiggurat.w);
}

// Standard normal N(0, 1) by the ziggurat method.
inline double std_normal(Stream& s) {
  const std::uint64_t r = s.next_u64();
  double x;
  if (normal_first(r, x)) return x;  // inside the rectangle: ~99 % of draws
  return detail::normal_slow(s, r, r & 0xff, x);
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
  // Marsaglia-Tsang's first attempt from a standard normal x and a uniform u, for shape >= 1:
  // sets g and returns true when the squeeze accepts (what operator() returns when its first
  // normal and uniform are x and u); false when the sampler would go on.
  bool first_attempt(double x, double u, double& g) const {
    double v = 1.0 + c_ * x;
    const bool positive = v > 0.0;
    v = v * v * v;
    const double x2 = x * x;
    g = d_ * v;
    return positive && u < 1.0 - 0.0331 * x2 * x2 && !boost_;
  }

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
  // How operator() draws: by inversion when a (invert_a) or b (invert_b) is 1, as X / (X + Y)
  // from two Marsaglia-Tsang gammas (ratio: both shapes >= 1, 4 words when the squeezes
  // accept), or otherwise (other: shapes below 1, log space, invalid shapes).
  enum class Method : std::uint8_t { invert_a, invert_b, ratio, other };
  Method method() const;
  // Inversion: Beta(1, b) = 1 - U^(1/b), Beta(a, 1) = U^(1/a), from one uniform, with
  // vmath's exp, expm1 and log (so batch loops over many accounts vectorize; sim/engine.cpp).
  double invert(double u) const {
    return unit_a_ ? invert_unit_a(u, inv_b_) : invert_unit_b(u, inv_a_);
  }
  // 1 / b for Beta(1, b), 1 / a for Beta(a, 1): the exponent invert() uses.
  double inverse_shape() const { return unit_a_ ? inv_b_ : inv_a_; }
  static double invert_unit_a(double u, double inv_b) {
    return -vmath::expm1(vmath::log(u) * inv_b);
  }
  static double invert_unit_b(double u, double inv_a) { return vmath::exp(vmath::log(u) * inv_a); }
  const GammaDist& gamma_a() const { return x_; }
  const GammaDist& gamma_b() const { return y_; }

 private:
  GammaDist x_, y_;
  bool log_space_ = false;
  bool unit_a_ = false, unit_b_ = false;  // a shape of 1: inversion
  double inv_a_ = 1.0, inv_b_ = 1.0;
};
double beta(Stream& s, double a, double b);

// Binomial(n, p): inversion if n * min(p, 1 - p) < 10, BTRD otherwise. p is clamped to [0, 1].
std::uint64_t binomial(Stream& s, std::uint64_t n, double p);
// Poisson(mean): inversion if mean < 10, PD otherwise. mean <= 0 gives 0.
std::uint64_t poisson(Stream& s, double mean);

namespace detail {
// floor(x) for |x| < 2^51 by rounding through 1.5 * 2^52 (round-to-nearest, the default mode),
// then a step down where that rounded up; x itself beyond (no sampler accepts such a
// candidate). Unlike std::floor it needs no SSE4.1, so batch loops vectorize on any x86-64;
// scalar code keeps std::floor, which is faster there.
inline double floor_small(double x) {
  constexpr double kRound = 6755399441055744.0;  // 1.5 * 2^52
  const double t = (x + kRound) - kRound;
  const double f = t > x ? t - 1.0 : t;
  return std::fabs(x) < 2251799813685248.0 ? f : x;  // 2^51
}
}  // namespace detail

namespace detail {
// 1/x for x = 0..63 (entry 0 unused): the inversion loops multiply instead of dividing.
struct Reciprocals {
  double v[64];
  constexpr Reciprocals() : v() {
    v[0] = 0.0;
    for (int i = 1; i < 64; ++i) v[i] = 1.0 / i;
  }
};
inline constexpr Reciprocals kRecip;

// poisson()'s inversion for mean < 10 on one uniform u, with p0 = vmath::exp(-mean): sequential
// search from 0 by p_k = p_(k-1) mean / k. Returns the variate, or -1 when the search passes 44
// (> mean + 10 sd: probability < 1e-20, only through rounding), where poisson() draws again.
// Shared with the engine's batch code, which computes p0 for many accounts in one vector loop.
inline int poisson_search(double u, double mean, double p0) {
  double pk = p0;
  int k = 0;
  while (u > pk) {
    u -= pk;
    ++k;
    if (k > 44) return -1;
    pk *= mean * kRecip.v[k];
  }
  return k;
}

// poisson_search for L draws at once (batch code: the inner loops vectorize): every lane does
// poisson_search's operations, the lanes stepping together until none goes on (a lane that
// stopped keeps u <= p_k, so later steps leave it alone). u: the uniforms; k: the variates,
// or -1 where poisson_search returns -1.
template <std::size_t L>
inline void poisson_search_lanes(const double* __restrict u_in, const double* __restrict mean,
                                 double* __restrict k_out) {
  double u[L], pk[L], k[L];
  for (std::size_t l = 0; l < L; ++l) {
    u[l] = u_in[l];
    pk[l] = vmath::exp(-mean[l]);
    k[l] = 0.0;
  }
  for (int step = 1; step <= 45; ++step) {
    long going = 0;  // an integer count: a floating-point sum would not vectorize
    // Kept a loop (not unrolled into scalar branches) with every value computed and then
    // selected, so the vectorizer turns it into blends.
#pragma GCC unroll 1
    for (std::size_t l = 0; l < L; ++l) {
      const double next_pk = pk[l] * (mean[l] * kRecip.v[step]);
      const double next_u = u[l] - pk[l];
      const bool go = u[l] > pk[l];
      u[l] = go ? next_u : u[l];
      k[l] = go ? k[l] + 1.0 : k[l];
      pk[l] = go ? next_pk : pk[l];
      going += go;
    }
    if (going == 0) break;
  }
  for (std::size_t l = 0; l < L; ++l) k_out[l] = k[l] > 44.0 ? -1.0 : k[l];
}
}  // namespace detail

// The first steps of BTRD and PD, shared by binomial() and poisson() and by batch code that
// runs them for many draws at once on words drawn ahead (sim/engine.cpp). Same operations in
// the same order, so a batch acceptance equals what the sampler returns on those words.
struct BtrdBox {
  double npq, sqrt_npq, v_r, u_rv_r, a, b, c;
  // For n * p >= 10, p <= 1/2.
  BtrdBox(double n, double p) {
    npq = n * p * (1.0 - p);
    sqrt_npq = std::sqrt(npq);
    b = 1.15 + 2.53 * sqrt_npq;
    a = -0.0873 + 0.0248 * b + 0.01 * p;
    c = n * p + 0.5;
    v_r = 0.92 - 4.2 / b;
    u_rv_r = 0.86 * v_r;
  }
  // The variate when the first uniform v is accepted at once (v <= u_rv_r: 40 % of draws at
  // n p q = 10, 75 % at 1,000; the rest go on to BTRD's rejection steps).
  double candidate(double v) const { return std::floor(candidate_raw(v)); }
  // The same for batch loops (no SSE4.1 floor on baseline x86-64): equal to candidate(v)
  // whenever v is accepted (the variate is then far below 2^51).
  double candidate_packed(double v) const { return detail::floor_small(candidate_raw(v)); }
  double candidate_raw(double v) const {
    const double u = v / v_r - 0.43;
    return (2.0 * a / (0.5 - std::fabs(u)) + b) * u + c;
  }
};
// BTRD's steps 2 and 3.2 after a first uniform v the box did not accept, shared by binomial()
// and the engine's second batch pass (sim/engine.cpp): with the next uniform w, the point
// (u, v) under the hat, the candidate k and, when |k - m| > 15, the squeeze on log f(k)/f(m)
// that accepts most candidates without the exact test (steps 3.1 and 3.3 stay in binomial()).
struct BtrdTail {
  double m = 0, r = 0, nr = 0, alpha = 0;
  BtrdTail() = default;
  BtrdTail(const BtrdBox& box, double n, double p, double mode)
      : m(mode), r(p / (1.0 - p)), nr((n + 1.0) * r), alpha((2.83 + 5.1 / box.b) * box.sqrt_npq) {}
  // Step 2. (Both branches written as selects, so batch loops stay branch-free.)
  static void point(const BtrdBox& box, double v, double w, double& u, double& v_out) {
    const bool edge = v >= box.v_r;
    const double inner = v / box.v_r - 0.93;
    const double u_inner = (inner < 0.0 ? -0.5 : 0.5) - inner;
    u = edge ? w - 0.5 : u_inner;
    v_out = edge ? v : w * box.v_r;
  }
  // The candidate before flooring, and v scaled to the hat at u.
  static double candidate_raw(const BtrdBox& box, double u) {
    const double us = 0.5 - std::fabs(u);
    return (2.0 * box.a / us + box.b) * u + box.c;
  }
  double scaled_v(const BtrdBox& box, double u, double v) const {
    const double us = 0.5 - std::fabs(u);
    return v * alpha / (box.a / (us * us) + box.b);
  }
  // Step 3.2 for km = |k - m| > 15: accept at once when log v < t - rho, reject when
  // log v > t + rho (log v from vmath::log).
  static double squeeze_rho(double km, double npq) {
    return (km / npq) * (((km / 3.0 + 0.625) * km + 1.0 / 6.0) / npq + 0.5);
  }
  static double squeeze_t(double km, double npq) { return -km * km / (2.0 * npq); }
};

// One iteration of BTRD (n p >= 10, p <= 1/2) on its two uniforms v and w, without the exact
// steps 3.1 and 3.3, for batch loops (no branches): returns 1 with k the variate where step 1
// or the squeeze accepts; 0 where the iteration rejects (k out of range, or the squeeze) and
// binomial() would go on with the next two uniforms; -1 where the exact test would decide.
// binomial() on a stream starting v, w returns k in the first case.
inline double btrd_attempt(double n, double p, double v, double w, double& k) {
  const BtrdBox box(n, p);
  const BtrdTail tail(box, n, p, detail::floor_small((n + 1.0) * p));
  double u, vv;
  BtrdTail::point(box, v, w, u, vv);
  const double kd = detail::floor_small(BtrdTail::candidate_raw(box, u));
  vv = tail.scaled_v(box, u, vv);
  const double km = std::fabs(kd - tail.m);
  const double lv = vmath::log(vv);
  const double t = BtrdTail::squeeze_t(km, box.npq), rho = BtrdTail::squeeze_rho(km, box.npq);
  const bool in_range = (kd >= 0.0) & (kd <= n);
  const bool far = km > 15.0;
  const bool box_ok = v <= box.u_rv_r;
  k = box_ok ? box.candidate_packed(v) : kd;
  const double tail_status =
      !in_range ? 0.0 : (!far ? -1.0 : (lv < t - rho ? 1.0 : (lv > t + rho ? 0.0 : -1.0)));
  return box_ok ? 1.0 : tail_status;
}

// PD's steps N, I and S (Ahrens & Dieter 1982) for mean >= 10: g = mean + sqrt(mean) z from a
// standard normal z; k = floor(g) is accepted at once when g >= 0 and k >= L = floor(mean -
// 1.1484) (step I: there the Poisson mass exceeds the rounded normal's), or when a uniform u
// has 6 mean^2 u >= (mean - k)^3 (step S, a squeeze). ~97 % of draws at mean 10, ~99 % at 100.
struct PdBox {
  double mean, s, d, big_l;
  explicit PdBox(double m) : PdBox(m, std::floor(m - 1.1484)) {}
  // The same for batch loops (floor without SSE4.1); equal to PdBox(m) for m < 2^50.
  static PdBox packed(double m) { return PdBox(m, detail::floor_small(m - 1.1484)); }
  double g(double z) const { return mean + s * z; }
  bool immediate(double k) const { return k >= big_l; }
  bool squeeze(double k, double u) const {
    const double dm = mean - k;
    return d * u >= dm * dm * dm;
  }

 private:
  PdBox(double m, double l) : mean(m), s(std::sqrt(m)), d(6.0 * m * m), big_l(l) {}
};

// log of the Poisson(mean) mass at k (loglam = log(mean)); for k >= 10 in Stirling's form
// k log(mean / k) - (mean - k) - log(2 pi k) / 2 - fc(k - 1), which cancels no large terms.
double poisson_log_mass(double k, double mean, double loglam);
// P(floor(mean + s Z) = k) for a standard normal Z: the mass PD's normal proposal puts on k.
double rounded_normal_mass(double k, double mean, double s);

// log(k!) exactly from a table for k < 10, by the Stirling series with its correction term
// otherwise (relative error < 1e-15). Thread-safe (unlike lgamma, which sets signgam).
double log_factorial(double k);
// Stirling correction fc(k) = log(k!) - [(k + 1/2) log(k + 1) - (k + 1) + log(2 pi) / 2].
double stirling_correction(double k);

}  // namespace microreach
