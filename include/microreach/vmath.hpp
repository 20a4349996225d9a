#pragma once
// exp, expm1 and log (and, built on them or on the same tricks, log10, pow_pos, rint, floor, round
// and sincos_2pi, the synthetic generator's transforms) written for loops that vectorize on any
// x86-64: no table look-ups, no branches (every special case is a select), only IEEE operations and
// 64-bit integer adds, ands and shifts, which SSE2 has in packed form. GCC turns a loop over them
// into SSE2 code (2 lanes) in a baseline build and AVX2 code (4 lanes) in the simulator's x86-64-v3
// clone; glibc's are scalar calls. Results depend only on the argument, never on the ISA, the
// compiler's vector width or the C library (the build passes -ffp-contract=off, so no
// multiply-add is fused): the simulator's draws are the same on every x86-64 machine.
//
// Accuracy (tests/test_vmath.cpp, against long double over the whole range): exp and log
// within 1 ulp (worst seen 0.84), log10 within 2 ulp, expm1 within 1.5 ulp (1 ulp for |x| < 0.34,
// where the samplers use it); infinities, zeros, NaN and subnormals as in C. Algorithms: Cody-Waite
// reduction x = k ln2 + r, |r| <= ln2/2, and the Taylor series of expm1(r) to degree 13
// (truncation < 2^-56 relative, evaluated by Estrin's scheme, its last rounding error carried);
// log as in fdlibm/musl (x = 2^k (1 + f), log(1 + f) = f - f^2/2 + s (f^2/2 + R(s^2)),
// s = f/(2 + f), with fdlibm's minimax coefficients Lg1..Lg7, Sun Microsystems 1993, freely
// usable with this notice).
#include <bit>
#include <cstdint>
#include <limits>

namespace microreach::vmath {

namespace detail {
inline constexpr double kRound = 0x1.8p52;               // 1.5 * 2^52: rounds to an integer
inline constexpr double kLn2Hi = 0x1.62e42fee00000p-1;   // ln 2, high 32 bits (k ln2hi exact)
inline constexpr double kLn2Lo = 0x1.a39ef35793c76p-33;  // ln 2 - kLn2Hi
inline constexpr double kInvLn2 = 0x1.71547652b82fep0;   // 1 / ln 2

// 2^i for an integer-valued i in [-1022, 1023], by writing the exponent field.
inline double pow2i(double i) {
  const std::uint64_t biased =
      std::bit_cast<std::uint64_t>(i + (1023.0 + kRound)) - std::bit_cast<std::uint64_t>(kRound);
  return std::bit_cast<double>(biased << 52);
}

// x = k ln2 + r with k = round(x / ln2) (|x| < 2^40), |r| <= ln2/2 + 2^-40.
struct Reduced {
  double k, r;
};
inline Reduced reduce(double x) {
  const double k = (x * kInvLn2 + kRound) - kRound;
  return {k, (x - k * kLn2Hi) - k * kLn2Lo};
}

// expm1(r) for |r| <= 0.35 as an unevaluated sum hi + lo: Taylor to degree 13 (truncation below
// 2^-56 relative), r + r^2 q with the rounding error of that last sum kept in lo (Fast2Sum:
// |r| >= r^2 q), so callers can add 1 or scale by 2^k without losing it.
struct Kernel {
  double hi, lo;
};
inline Kernel expm1_kernel(double r) {
  constexpr double c13 = 1.0 / 6227020800.0, c12 = 1.0 / 479001600.0, c11 = 1.0 / 39916800.0,
                   c10 = 1.0 / 3628800.0, c9 = 1.0 / 362880.0, c8 = 1.0 / 40320.0,
                   c7 = 1.0 / 5040.0, c6 = 1.0 / 720.0, c5 = 1.0 / 120.0, c4 = 1.0 / 24.0,
                   c3 = 1.0 / 6.0;
  // q = c2 + c3 r + ... + c13 r^11 by Estrin's scheme: independent pairs, so a vector loop is
  // not one chain of 22 dependent operations.
  const double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
  const double p01 = 0.5 + c3 * r, p23 = c4 + c5 * r, p45 = c6 + c7 * r, p67 = c8 + c9 * r,
               p89 = c10 + c11 * r, pab = c12 + c13 * r;
  const double q03 = p01 + p23 * r2, q47 = p45 + p67 * r2, q8b = p89 + pab * r2;
  const double t = r2 * ((q03 + q47 * r4) + q8b * r8);
  const double hi = r + t;
  return {hi, (r - hi) + t};
}

// a + b = s + e exactly (Knuth's TwoSum: no condition on the magnitudes).
struct Sum {
  double s, e;
};
inline Sum two_sum(double a, double b) {
  const double s = a + b;
  const double bb = s - a;
  return {s, (a - (s - bb)) + (b - bb)};
}

// 2^k as two factors, so that k in [-1077, 1025] (subnormal and overflowing results) needs no
// branch: s1 * s2 = 2^k, each factor a normal number.
struct Scale {
  double s1, s2;
};
inline Scale scale(double k) {
  const double half = k * 0.5;
  const double h = (half + kRound) - kRound;  // round(k / 2)
  return {pow2i(h), pow2i(k - h)};
}

// What exp and expm1 share: x clamped to [lo, 710] (beyond, the result is 0 or -1, or +inf; the
// clamp keeps k in scale()'s range; a NaN fails both comparisons and stays NaN), x = k ln2 + r,
// expm1(r) and 2^k.
struct Split {
  double x, k;
  Kernel p;
  Scale sc;
};
inline Split split(double x, double lo) {
  x = x < lo ? lo : x;
  x = x > 710.0 ? 710.0 : x;
  const Reduced red = reduce(x);
  return {x, red.k, expm1_kernel(red.r), scale(red.k)};
}
}  // namespace detail

// e^x.
inline double exp(double x) {
  const detail::Split t = detail::split(x, -746.0);
  // 1 + hi + lo, the error of 1 + hi kept (Fast2Sum: 1 >= |hi|); the scaling is exact.
  const double s = 1.0 + t.p.hi;
  const double e = ((1.0 - s) + t.p.hi) + t.p.lo;
  return ((s + e) * t.sc.s1) * t.sc.s2;
}

// e^x - 1, accurate also for x near 0.
inline double expm1(double x) {
  // Below -40, e^x - 1 rounds to -1.
  const detail::Split t = detail::split(x, -40.0);
  // 2^k (1 + p) - 1 = (2^k - 1) + 2^k hi + 2^k lo, the first sum's error kept (TwoSum); for
  // k = 0 that is hi + lo. From k = 60 on, 1 is below half an ulp of 2^k (1 + p), and 2^k alone
  // could overflow where the result does not (k = 1024): there (2^k (1 + hi + lo)) - 1.
  const double s1 = t.sc.s1, s2 = t.sc.s2;
  const detail::Sum a = detail::two_sum(s1 * s2 - 1.0, (t.p.hi * s1) * s2);
  const double mid = a.s + (a.e + (t.p.lo * s1) * s2);
  const double large = (((1.0 + t.p.hi) + t.p.lo) * s1) * s2 - 1.0;
  const double y = t.k < 60.0 ? mid : large;
  return t.x == 0.0 ? t.x : y;  // -0 stays -0
}

// Natural logarithm.
inline double log(double x) {
  constexpr double Lg1 = 0x1.5555555555593p-1, Lg2 = 0x1.999999997fa04p-2,
                   Lg3 = 0x1.2492494229359p-2, Lg4 = 0x1.c71c51d8e78afp-3,
                   Lg5 = 0x1.7466496cb03dep-3, Lg6 = 0x1.39a09d078c69fp-3,
                   Lg7 = 0x1.2f112df3e5244p-3;
  // Subnormals: scale into the normal range first (2^54), take 54 ln2 off at the end.
  const bool tiny = x < 0x1p-1022;
  const double xs = tiny ? x * 0x1p54 : x;
  // x = 2^k m with m in [sqrt(2)/2, sqrt(2)): shift the exponent split point to sqrt(2)/2.
  std::uint64_t ix = std::bit_cast<std::uint64_t>(xs);
  ix += 0x3ff0000000000000ULL - 0x3fe6a09e00000000ULL;
  const std::uint64_t biased = ix >> 52;  // k + 1023
  const double m = std::bit_cast<double>((ix & 0x000fffffffffffffULL) + 0x3fe6a09e00000000ULL);
  // k as a double without an integer conversion: 2^52 + biased, minus 2^52 + 1023.
  const double k = (std::bit_cast<double>(0x4330000000000000ULL | biased) - 0x1p52) - 1023.0 -
                   (tiny ? 54.0 : 0.0);
  const double f = m - 1.0;
  const double hfsq = 0.5 * f * f;
  const double s = f / (2.0 + f);
  const double z = s * s;
  const double w = z * z;
  const double t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
  const double t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
  const double r = t2 + t1;
  double y = s * (hfsq + r) + k * detail::kLn2Lo - hfsq + f + k * detail::kLn2Hi;
  constexpr double inf = std::numeric_limits<double>::infinity();
  y = x == inf ? inf : y;
  y = x == 0.0 ? -inf : y;
  y = x < 0.0 ? std::numeric_limits<double>::quiet_NaN() : y;
  return x != x ? x : y;  // NaN in, NaN out
}

// Decimal logarithm: log(x) times 1/ln 10 (rounded), so within 2 ulp (log's 1 ulp, the
// constant's and the product's roundings); special values as log's.
inline double log10(double x) {
  constexpr double kInvLn10 = 0x1.bcb7b1526e50ep-2;  // 1 / ln 10
  return log(x) * kInvLn10;
}

// x^y for x > 0 as exp(y log x): not correctly rounded (log's error is scaled by y log x: within
// 12 ulp for |y log x| < 7, tests/test_vmath.cpp), the same bits in every lane width. x = 0,
// negative x and NaN give what exp(y log x) gives (0 or inf, NaN, NaN).
inline double pow_pos(double x, double y) {
  return exp(y * log(x));
}

// Rounding by adding and subtracting 2^52 with x's sign (a packed add and subtract on SSE2, which
// has no packed round instruction): exact for |x| < 2^52; larger values (already integers),
// infinities and NaN pass through. Zero results are +0.0 here (C: the sign of x).
inline double rint(double x) {
  const double c = x < 0.0 ? -0x1p52 : 0x1p52;
  const double ax = x < 0.0 ? -x : x;
  const double t = (x + c) - c;  // to nearest, ties to even
  return ax < 0x1p52 ? t : x;
}
inline double floor(double x) {
  const double t = rint(x);
  return t > x ? t - 1.0 : t;
}
// Half-way cases away from zero, as std::round.
inline double round(double x) {
  const double t = rint(x);
  const double d = t - x;  // exact
  const double up = ((x >= 0.0) & (d == -0.5)) ? t + 1.0 : t;
  return ((x < 0.0) & (d == 0.5)) ? t - 1.0 : up;
}

// sin(2 pi u) and cos(2 pi u) for u in [0, 1] (the angle of Box-Muller's transform): 4u = q + 4v
// with q = round(4u) and |v| <= 1/8, both exact; a = 2 pi v in [-pi/4, pi/4] (one rounding);
// Taylor series of sin a to degree 15 and cos a to degree 16 (truncation < 2^-56), then the
// quadrant q by swaps and sign changes. Within 2 ulp of sin/cos of the exact 2 pi u plus the
// rounding of a (tests/test_vmath.cpp); no table, no branch.
struct SinCos {
  double s, c;
};
inline SinCos sincos_2pi(double u) {
  constexpr double kTwoPi = 0x1.921fb54442d18p2;
  const double q = (u * 4.0 + detail::kRound) - detail::kRound;
  const double v = u - q * 0.25;
  const double a = v * kTwoPi;
  const double a2 = a * a;
  constexpr double s3 = -1.0 / 6.0, s5 = 1.0 / 120.0, s7 = -1.0 / 5040.0, s9 = 1.0 / 362880.0,
                   s11 = -1.0 / 39916800.0, s13 = 1.0 / 6227020800.0, s15 = -1.0 / 1307674368000.0;
  constexpr double c4 = 1.0 / 24.0, c6 = -1.0 / 720.0, c8 = 1.0 / 40320.0, c10 = -1.0 / 3628800.0,
                   c12 = 1.0 / 479001600.0, c14 = -1.0 / 87178291200.0,
                   c16 = 1.0 / 20922789888000.0;
  const double ps = s3 + a2 * (s5 + a2 * (s7 + a2 * (s9 + a2 * (s11 + a2 * (s13 + a2 * s15)))));
  const double sa = a + (a * a2) * ps;
  const double pc = c4 + a2 * (c6 + a2 * (c8 + a2 * (c10 + a2 * (c12 + a2 * (c14 + a2 * c16)))));
  const double hc = 0.5 * a2;
  const double ca = (1.0 - hc) + ((1.0 - (1.0 - hc)) - hc) + (a2 * a2) * pc;
  // Quadrant: 0 and 4 as is, 1 (+pi/2): (c, -s), 2 (+pi): (-s, -c), 3 (+3pi/2): (-c, s).
  const bool swap = (q == 1.0) | (q == 3.0);
  const double s0 = swap ? ca : sa, c0 = swap ? sa : ca;
  const double s1 = ((q == 2.0) | (q == 3.0)) ? -s0 : s0;
  const double c1 = ((q == 1.0) | (q == 2.0)) ? -c0 : c0;
  return {s1, c1};
}

}  // namespace microreach::vmath
