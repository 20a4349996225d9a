#include "microreach/distributions.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace microreach {

namespace detail {
namespace {
// 256-layer ziggurat for the standard normal: right edge of the base layer r and the area of
// each layer v (Marsaglia & Tsang 2000, values for 256 layers as used by NumPy's legacy
// gauss_zig).
constexpr double kZigR = 3.6541528853610088;
constexpr double kZigInvR = 1.0 / kZigR;
constexpr double kZigV = 0.00492867323399;
constexpr double kTwo52 = 4503599627370496.0;  // 2^52: the uniform part of the word
}  // namespace

ZigguratTables::ZigguratTables() {
  double dn = kZigR, tn = dn;
  const double q = kZigV / std::exp(-0.5 * dn * dn);
  k[0] = static_cast<std::uint64_t>((dn / q) * kTwo52);
  k[1] = 0;
  w[0] = q / kTwo52;
  w[255] = dn / kTwo52;
  f[0] = 1.0;
  f[255] = std::exp(-0.5 * dn * dn);
  for (int i = 254; i >= 1; --i) {
    dn = std::sqrt(-2.0 * std::log(kZigV / dn + std::exp(-0.5 * dn * dn)));
    k[i + 1] = static_cast<std::uint64_t>((dn / tn) * kTwo52);
    tn = dn;
    f[i] = std::exp(-0.5 * dn * dn);
    w[i] = dn / kTwo52;
  }
}

const ZigguratTables kZiggurat;

double normal_slow(Stream& s, std::uint64_t bits, std::size_t idx, double x) {
  if (idx == 0) {
    // Base layer beyond r: Marsaglia's exact tail algorithm.
    for (;;) {
      const double xx = -kZigInvR * std::log(s.uniform());
      const double yy = -std::log(s.uniform());
      if (yy + yy > xx * xx) return ((bits >> 8) & 1) ? -(kZigR + xx) : kZigR + xx;
    }
  }
  // Wedge between the rectangle and the curve: accept under the density.
  if ((kZiggurat.f[idx - 1] - kZiggurat.f[idx]) * s.uniform() + kZiggurat.f[idx] <
      std::exp(-0.5 * x * x))
    return x;
  return std_normal(s);  // rejected: a fresh draw
}
}  // namespace detail

// ---------------------------------------------------------------- log-factorial, Stirling

namespace {
// fc(k) for k = 0..9 (Hormann 1993, table in step 3.4 of BTRD); checked against lgamma in the
// tests.
constexpr double kStirlingTable[10] = {
    0.08106146679532726,  0.04134069595540929, 0.02767792568499834, 0.02079067210376509,
    0.01664469118982119,  0.01387612882307075, 0.01189670994589177, 0.01041126526197209,
    0.009255462182712733, 0.008330563433362871};
// log(k!) for k = 0..9.
constexpr double kLogFactorial[10] = {0.0,
                                      0.0,
                                      0.69314718055994530942,
                                      1.79175946922805500081,
                                      3.17805383034794561964,
                                      4.78749174278204599425,
                                      6.57925121201010099506,
                                      8.52516136106541430017,
                                      10.60460290274525022842,
                                      12.80182748008146961121};
const double kHalfLog2Pi = 0.5 * std::log(2.0 * std::numbers::pi);
}  // namespace

double stirling_correction(double k) {
  if (k < 10) return kStirlingTable[static_cast<int>(k)];
  // Asymptotic series in 1/(k+1) to the r^11 term: truncation error < 1e-15 for k >= 10.
  const double r = 1.0 / (k + 1.0), r2 = r * r;
  return (1.0 / 12.0 -
          (1.0 / 360.0 -
           (1.0 / 1260.0 - (1.0 / 1680.0 - (1.0 / 1188.0 - (691.0 / 360360.0) * r2) * r2) * r2) *
               r2) *
              r2) *
         r;
}

double log_factorial(double k) {
  if (k < 10) return kLogFactorial[static_cast<int>(k)];
  return (k + 0.5) * std::log(k + 1.0) - (k + 1.0) + kHalfLog2Pi + stirling_correction(k);
}

// ---------------------------------------------------------------- gamma and beta

GammaDist::GammaDist(double shape) : shape_(shape) {
  boost_ = shape < 1.0;
  d_ = (boost_ ? shape + 1.0 : shape) - 1.0 / 3.0;
  c_ = 1.0 / std::sqrt(9.0 * d_);
}

double GammaDist::marsaglia_tsang(Stream& s) const {
  for (;;) {
    double x, v;
    do {
      x = std_normal(s);
      v = 1.0 + c_ * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = s.uniform();
    const double x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2) return d_ * v;
    if (std::log(u) < 0.5 * x2 + d_ * (1.0 - v + std::log(v))) return d_ * v;
  }
}

double GammaDist::operator()(Stream& s) const {
  if (!(shape_ > 0.0)) return shape_ == 0.0 ? 0.0 : std::nan("");
  const double g = marsaglia_tsang(s);
  if (!boost_) return g;
  return g * std::pow(s.uniform(), 1.0 / shape_);
}

double GammaDist::log_sample(Stream& s) const {
  if (!(shape_ > 0.0)) return shape_ == 0.0 ? -HUGE_VAL : std::nan("");
  const double g = std::log(marsaglia_tsang(s));
  if (!boost_) return g;
  return g + std::log(s.uniform()) / shape_;
}

double gamma(Stream& s, double shape) {
  return GammaDist(shape)(s);
}

// Shapes below 0.05 go through log space: U^(1/a) with 1/a > 20 can underflow to 0 (and
// 0 / (0 + 0) is not a beta variate); above that the direct ratio is exact and cheaper.
BetaDist::BetaDist(double a, double b)
    : x_(a),
      y_(b),
      log_space_(a < 0.05 || b < 0.05),
      unit_a_(std::fabs(a - 1.0) <= 1e-12),
      unit_b_(!unit_a_ && std::fabs(b - 1.0) <= 1e-12),
      inv_a_(1.0 / a),
      inv_b_(1.0 / b) {}

double BetaDist::operator()(Stream& s) const {
  const double a = x_.shape(), b = y_.shape();
  if (!(a > 0.0) || !(b > 0.0)) {
    if (std::isnan(a) || std::isnan(b) || (a <= 0.0 && b <= 0.0)) return std::nan("");
    return a <= 0.0 ? 0.0 : 1.0;
  }
  // A shape of 1: the CDF inverts in closed form (Beta(1, b): 1 - (1 - x)^b), one uniform
  // instead of two gammas. Fake-share estimates at the 5 % floor give Beta(1, 19) (up to the
  // last bits: shapes within 1e-12 of 1 count as 1, a change far below double rounding).
  if (unit_a_ || unit_b_) return invert(s.uniform());
  if (log_space_) {
    // Tiny shapes: a gamma variate may underflow to 0; the ratio is exact in log space.
    const double lx = x_.log_sample(s);
    const double ly = y_.log_sample(s);
    return 1.0 / (1.0 + std::exp(ly - lx));
  }
  const double x = x_(s);
  const double y = y_(s);
  return x / (x + y);
}

BetaDist::Method BetaDist::method() const {
  if (!(a() > 0.0) || !(b() > 0.0)) return Method::other;
  if (unit_a_) return Method::invert_a;
  if (unit_b_) return Method::invert_b;
  if (log_space_ || a() < 1.0 || b() < 1.0) return Method::other;
  return Method::ratio;
}

double beta(Stream& s, double a, double b) {
  return BetaDist(a, b)(s);
}

// ---------------------------------------------------------------- binomial

namespace {

using detail::kRecip;

// Inversion (sequential search from 0), for n * p < 10 with p <= 1/2. Exact: the
// probabilities are built by the recurrence f(x) = f(x-1) (n-x+1) p / (x q). The search is
// cut at a bound 10 standard deviations above the mean (probability < 1e-20; at most 44 since
// n p < 10) and restarted, which guards against rounding in the subtracted uniform.
std::uint64_t binomial_inversion(Stream& s, std::uint64_t n, double p) {
  const double q = 1.0 - p;
  const double dn = static_cast<double>(n);
  const double qn = std::exp(dn * std::log1p(-p));
  const double ratio = p / q;
  for (;;) {
    double px = qn, u = s.uniform();
    int x = 0;
    while (u > px) {
      u -= px;
      ++x;
      if (x > 44) break;
      px *= (dn - x + 1.0) * ratio * kRecip.v[x];
    }
    if (x <= 44 && x <= dn) return static_cast<std::uint64_t>(x);
    // Fell off the end through rounding (probability < 1e-20): draw again.
  }
}

// BTRD (Hormann 1993), for n * p >= 10 with p <= 1/2. Exact transformed rejection with a
// squeeze; ~1.1 uniform pairs per draw on average.
std::uint64_t binomial_btrd(Stream& s, std::uint64_t n, double p) {
  const double dn = static_cast<double>(n);
  // Constants of step 1 (accepted at once 40-75 % of the time, see BtrdBox)...
  const BtrdBox box(dn, p);
  const double npq = box.npq;
  // ... and of the rejection steps, computed on first use.
  BtrdTail tail;
  bool slow = false;

  for (;;) {
    double v = s.uniform();
    double u;
    // Step 1: inside the box under the hat, accepted at once.
    if (v <= box.u_rv_r) return static_cast<std::uint64_t>(box.candidate(v));
    if (!slow) {
      tail = BtrdTail(box, dn, p, std::floor((dn + 1.0) * p));
      slow = true;
    }
    BtrdTail::point(box, v, s.uniform(), u, v);
    const double kd = std::floor(BtrdTail::candidate_raw(box, u));
    if (kd < 0.0 || kd > dn) continue;
    v = tail.scaled_v(box, u, v);
    const double m = tail.m, r = tail.r, nr = tail.nr;
    const double km = std::fabs(kd - m);
    if (km <= 15.0) {
      // Step 3.1: f(k)/f(m) by the recurrence.
      double f = 1.0;
      if (m < kd) {
        for (double i = m + 1.0; i <= kd; i += 1.0) f *= nr / i - r;
      } else if (m > kd) {
        for (double i = kd + 1.0; i <= m; i += 1.0) v *= nr / i - r;
      }
      if (v <= f) return static_cast<std::uint64_t>(kd);
      continue;
    }
    // Step 3.2: squeeze on log f(k)/f(m).
    v = vmath::log(v);
    const double rho = BtrdTail::squeeze_rho(km, npq);
    const double t = BtrdTail::squeeze_t(km, npq);
    if (v < t - rho) return static_cast<std::uint64_t>(kd);
    if (v > t + rho) continue;
    // Step 3.3-3.4: the exact test with Stirling corrections.
    const double nm = dn - m + 1.0;
    const double h = (m + 0.5) * std::log((m + 1.0) / (r * nm)) + stirling_correction(m) +
                     stirling_correction(dn - m);
    const double nk = dn - kd + 1.0;
    if (v <= h + (dn + 1.0) * std::log(nm / nk) + (kd + 0.5) * std::log(nk * r / (kd + 1.0)) -
                 stirling_correction(kd) - stirling_correction(dn - kd))
      return static_cast<std::uint64_t>(kd);
  }
}

}  // namespace

std::uint64_t binomial(Stream& s, std::uint64_t n, double p) {
  if (n == 0 || !(p > 0.0)) return 0;  // also p NaN
  if (p >= 1.0) return n;
  if (p > 0.5) return n - binomial(s, n, 1.0 - p);
  if (static_cast<double>(n) * p < 10.0) return binomial_inversion(s, n, p);
  return binomial_btrd(s, n, p);
}

// ---------------------------------------------------------------- poisson

namespace {

// Inversion for mean < 10 (detail::poisson_search), restarted when the search runs off its end.
std::uint64_t poisson_inversion(Stream& s, double mean) {
  const double p0 = vmath::exp(-mean);
  for (;;) {
    const int k = detail::poisson_search(s.uniform(), mean, p0);
    if (k >= 0) return static_cast<std::uint64_t>(k);
  }
}

// PD (Ahrens & Dieter 1982) for mean >= 10, as in R's rpois but exact: where the paper
// approximates the Poisson masses (a polynomial for log(1 + v), two terms of Stirling's series)
// and the rounded normal's masses (a Hermite expansion), this computes both to double rounding
// (poisson_log_mass, rounded_normal_mass). The three inequalities the method rests on -- the
// Poisson mass exceeds the rounded normal's for k >= L, step S's squeeze lies below p_k / f_k,
// the Laplace hat with c = 0.1069 / mean majorizes p_k - f_k -- are checked for the exact masses
// on a grid of means in tests/test_distributions.cpp.
std::uint64_t poisson_pd(Stream& s, double mean) {
  const PdBox box(mean);
  // Step N: a rounded normal; steps I and S accept it at once.
  const double g = box.g(std_normal(s));
  double k = 0.0, u = 0.0;
  if (g >= 0.0) {
    k = std::floor(g);
    if (box.immediate(k)) return static_cast<std::uint64_t>(k);
    u = s.uniform();
    if (box.squeeze(k, u)) return static_cast<std::uint64_t>(k);
  }
  const double loglam = std::log(mean);
  // Step Q: accept k with probability p_k / f_k (below 1 here, k < L).
  if (g >= 0.0 && (1.0 - u) * rounded_normal_mass(k, mean, box.s) <=
                      std::exp(poisson_log_mass(k, mean, loglam)))
    return static_cast<std::uint64_t>(k);
  // Steps E and H: the rest of the mass, max(p_k - f_k, 0) (all of it at t > -0.6744), by
  // rejection from a Laplace hat around 1.8: t = 1.8 +- e, k = floor(mean + sqrt(mean) t),
  // accepted with probability e^e (p_k - f_k) / c.
  const double c = 0.1069 / mean;
  for (;;) {
    const double e = -std::log(s.uniform());
    const double v = 2.0 * s.uniform() - 1.0;
    const double t = 1.8 + (v >= 0.0 ? e : -e);
    if (t <= -0.6744) continue;
    const double kt = std::floor(box.g(t));
    const double excess =
        std::exp(poisson_log_mass(kt, mean, loglam)) - rounded_normal_mass(kt, mean, box.s);
    if (c * std::fabs(v) <= std::exp(e) * excess) return static_cast<std::uint64_t>(kt);
  }
}

}  // namespace

std::uint64_t poisson(Stream& s, double mean) {
  if (!(mean > 0.0)) return 0;
  if (mean < 10.0) return poisson_inversion(s, mean);
  return poisson_pd(s, mean);
}

double poisson_log_mass(double k, double mean, double loglam) {
  if (k < 10.0) return -mean + k * loglam - log_factorial(k);
  // log k! = k log k - k + log(2 pi k) / 2 + fc(k - 1).
  return k * std::log1p((mean - k) / k) - (mean - k) - 0.5 * std::log(2.0 * std::numbers::pi * k) -
         stirling_correction(k - 1.0);
}

double rounded_normal_mass(double k, double mean, double s) {
  // Phi(b) - Phi(a) from the tail on the interval's side, so nothing near 1 cancels.
  const double a = (k - mean) / s, b = (k + 1.0 - mean) / s;
  constexpr double r = 0.70710678118654752440;  // 1 / sqrt(2)
  if (a >= 0.0) return 0.5 * (std::erfc(a * r) - std::erfc(b * r));
  if (b <= 0.0) return 0.5 * (std::erfc(-b * r) - std::erfc(-a * r));
  return 1.0 - 0.5 * (std::erfc(-a * r) + std::erfc(b * r));
}

}  // namespace microreach
