// vmath's exp, expm1, log and log10 (vmath.hpp) against the C library's long double functions
// (64-bit mantissa: their own error is ~2^-11 of a double ulp), over the whole double range, with
// the special values C defines. The bounds are the header's promise: 1 ulp for exp and log (worst
// seen over 2e7 random arguments: 0.84 for both), 1.5 ulp for expm1 (1.49 at x ~ 0.39, where
// 2^k (1 + p) - 1 for k = 1 doubles the rounding of the reduced argument; below 1 ulp for
// |x| < 0.34, the range the samplers use).
#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "microreach/random.hpp"
#include "microreach/vmath.hpp"

namespace vm = microreach::vmath;

namespace {

// |got - ref| in units of the last place of the double nearest ref (subnormals: 2^-1074).
double ulp_error(double got, long double ref) {
  const double r = static_cast<double>(ref);
  if (std::isinf(r) || r == 0.0) return got == r ? 0.0 : std::numeric_limits<double>::infinity();
  int e = 0;
  std::frexp(r, &e);
  const double ulp = std::fabs(r) < 0x1p-1022 ? 0x1p-1074 : std::ldexp(1.0, e - 53);
  return static_cast<double>(std::fabs(static_cast<long double>(got) - ref) / ulp);
}

constexpr int kPoints = 400'000;

struct Worst {
  double ulp = 0.0, at = 0.0;
};

// The largest ulp error of f against ref (the long double function) over kPoints arguments
// draw(s) from the stream `id`.
template <class Draw, class F, class Ref>
Worst worst_error(std::uint64_t id, Draw draw, F f, Ref ref) {
  microreach::Stream s(7, microreach::Purpose::user, id);
  Worst w;
  for (int i = 0; i < kPoints; ++i) {
    const double x = draw(s);
    const double err = ulp_error(f(x), ref(static_cast<long double>(x)));
    if (err > w.ulp) w = {err, x};
  }
  return w;
}
// A uniform on (-h, h) scaled by 2^-j, j uniform in 0..59: every magnitude down to 2^-60 h.
double near_zero(microreach::Stream& s, double h) {
  return s.uniform(-h, h) * std::ldexp(1.0, -static_cast<int>(s.below(60)));
}
}  // namespace

TEST_CASE("vmath::exp is within 1 ulp of e^x from underflow to overflow", "[vmath]") {
  const auto f = [](double x) { return vm::exp(x); };
  const auto ref = [](long double x) { return std::exp(x); };
  const Worst all = worst_error(
      1, [](auto& s) { return s.uniform(-745.0, 709.7); }, f, ref);
  const Worst small = worst_error(
      2, [](auto& s) { return near_zero(s, 1.0); }, f, ref);
  INFO("worst " << all.ulp << " ulp at " << all.at << ", near 0: " << small.ulp << " at "
                << small.at);
  CHECK(all.ulp <= 1.0);
  CHECK(small.ulp <= 1.0);
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(vm::exp(0.0) == 1.0);
  CHECK(vm::exp(-0.0) == 1.0);
  CHECK(vm::exp(1.0) == Approx(2.718281828459045).epsilon(1e-15));
  CHECK(vm::exp(710.0) == inf);  // beyond the largest double
  CHECK(vm::exp(inf) == inf);
  CHECK(vm::exp(-inf) == 0.0);
  CHECK(vm::exp(-746.0) == 0.0);
  CHECK(vm::exp(-740.0) > 0.0);  // subnormal, not flushed
  CHECK(vm::exp(-740.0) ==
        Approx(static_cast<double>(std::exp(static_cast<long double>(-740.0)))).epsilon(1e-10));
  CHECK(std::isfinite(vm::exp(709.78)));
  CHECK(std::isnan(vm::exp(std::numeric_limits<double>::quiet_NaN())));
}

TEST_CASE("vmath::expm1 is within 1.5 ulp of e^x - 1, and within 1 ulp near 0", "[vmath]") {
  const auto f = [](double x) { return vm::expm1(x); };
  const auto ref = [](long double x) { return std::expm1(x); };
  const Worst all = worst_error(
      3, [](auto& s) { return s.uniform(-50.0, 709.7); }, f, ref);
  // What Beta(1, b) inversion feeds it: log(u) / b, small and negative.
  const Worst core = worst_error(
      4, [](auto& s) { return near_zero(s, 0.34); }, f, ref);
  INFO("worst " << all.ulp << " ulp at " << all.at << ", |x| < 0.34: " << core.ulp << " at "
                << core.at);
  CHECK(all.ulp <= 1.5);
  CHECK(core.ulp <= 1.0);
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(vm::expm1(0.0) == 0.0);
  CHECK(std::signbit(vm::expm1(-0.0)));
  CHECK(vm::expm1(1e-300) == 1e-300);
  CHECK(vm::expm1(-inf) == -1.0);
  CHECK(vm::expm1(-100.0) == -1.0);
  CHECK(vm::expm1(inf) == inf);
  CHECK(std::isfinite(vm::expm1(709.6)));  // 2^1024 alone would overflow here
  CHECK(vm::expm1(709.6) ==
        Approx(static_cast<double>(std::expm1(static_cast<long double>(709.6)))).epsilon(1e-15));
  CHECK(std::isnan(vm::expm1(std::numeric_limits<double>::quiet_NaN())));
}

TEST_CASE("vmath::log is within 1 ulp of log x for every positive double", "[vmath]") {
  const auto f = [](double x) { return vm::log(x); };
  const auto ref = [](long double x) { return std::log(x); };
  // Random bit patterns: every binade, subnormals included, equally often.
  const Worst all = worst_error(
      5, [](auto& s) { return std::bit_cast<double>(s.next_u64() & 0x7fefffffffffffffULL); }, f,
      ref);
  const Worst near1 = worst_error(
      6, [](auto& s) { return 1.0 + s.uniform(-0.3, 0.3); }, f, ref);
  // What the samplers pass.
  const Worst uniforms = worst_error(
      7, [](auto& s) { return microreach::Stream::to_uniform(s.next_u64()); }, f, ref);
  INFO("worst " << all.ulp << " ulp at " << all.at << "; near 1: " << near1.ulp << " at "
                << near1.at << "; uniforms: " << uniforms.ulp << " at " << uniforms.at);
  CHECK(all.ulp <= 1.0);
  CHECK(near1.ulp <= 1.0);
  CHECK(uniforms.ulp <= 1.0);
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(vm::log(1.0) == 0.0);
  CHECK(vm::log(2.0) == Approx(0.6931471805599453).epsilon(1e-16));
  CHECK(vm::log(0.0) == -inf);
  CHECK(vm::log(-0.0) == -inf);
  CHECK(std::isnan(vm::log(-1.0)));
  CHECK(vm::log(inf) == inf);
  CHECK(std::isnan(vm::log(std::numeric_limits<double>::quiet_NaN())));
  CHECK(vm::log(0x1p-1074) == Approx(-744.4400719213812).epsilon(1e-15));  // smallest subnormal
  CHECK(vm::log(std::numeric_limits<double>::max()) == Approx(709.782712893384).epsilon(1e-15));
}

TEST_CASE("vmath::log10 is within 2 ulp of log10 x", "[vmath]") {
  const auto f = [](double x) { return vm::log10(x); };
  const auto ref = [](long double x) { return std::log10(x); };
  const Worst all = worst_error(
      8, [](auto& s) { return std::bit_cast<double>(s.next_u64() & 0x7fefffffffffffffULL); }, f,
      ref);
  // The scoring's ratios: around 1 and over a few decades either side.
  const Worst ratios = worst_error(
      9, [](auto& s) { return std::exp(s.uniform(-12.0, 12.0)); }, f, ref);
  INFO("worst " << all.ulp << " ulp at " << all.at << "; ratios: " << ratios.ulp << " at "
                << ratios.at);
  CHECK(all.ulp <= 2.0);
  CHECK(ratios.ulp <= 2.0);
  CHECK(vm::log10(1.0) == 0.0);
  CHECK(vm::log10(10.0) == Approx(1.0).epsilon(1e-15));
  CHECK(vm::log10(0.0) == -std::numeric_limits<double>::infinity());
  CHECK(std::isnan(vm::log10(-1.0)));
}

TEST_CASE("vmath gives the same bits in a vectorized loop as in a scalar call", "[vmath]") {
  // The loop below vectorizes (SSE2 here; the simulator's AVX2 clone is compared in
  // test_sim_engine.cpp); the scalar calls go through a volatile function pointer, so they are
  // not vectorized. The samplers rely on both giving one value.
  std::vector<double> x(1024), e(1024), m(1024), l(1024);
  microreach::Stream s(7, microreach::Purpose::user, 4);
  for (double& v : x) v = s.uniform(-30.0, 30.0);
  for (std::size_t i = 0; i < x.size(); ++i) {
    e[i] = vm::exp(x[i]);
    m[i] = vm::expm1(x[i]);
    l[i] = vm::log(std::fabs(x[i]));
  }
  double (*volatile f_exp)(double) = vm::exp;
  double (*volatile f_expm1)(double) = vm::expm1;
  double (*volatile f_log)(double) = vm::log;
  for (std::size_t i = 0; i < x.size(); ++i) {
    REQUIRE(std::bit_cast<std::uint64_t>(e[i]) == std::bit_cast<std::uint64_t>(f_exp(x[i])));
    REQUIRE(std::bit_cast<std::uint64_t>(m[i]) == std::bit_cast<std::uint64_t>(f_expm1(x[i])));
    REQUIRE(std::bit_cast<std::uint64_t>(l[i]) ==
            std::bit_cast<std::uint64_t>(f_log(std::fabs(x[i]))));
  }
}

TEST_CASE("vmath::sincos_2pi is within 2.5e-16 of sin and cos of 2 pi u on [0, 1]", "[vmath]") {
  // Box-Muller's angle: the absolute error counts (the radius scales it), against the long
  // double functions of the exact 2 pi u; quadrant boundaries and the ends included.
  microreach::Stream s(7, microreach::Purpose::user, 5);
  const long double two_pi = 6.283185307179586476925286766559L;
  double worst = 0.0;
  auto check = [&](double u) {
    const vm::SinCos r = vm::sincos_2pi(u);
    const long double a = two_pi * static_cast<long double>(u);
    const double es = static_cast<double>(std::fabs(r.s - std::sin(a)));
    const double ec = static_cast<double>(std::fabs(r.c - std::cos(a)));
    worst = std::max({worst, es, ec});
  };
  for (int i = 0; i < kPoints; ++i) check(s.uniform());
  for (double u : {0.0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1.0, 0x1p-33, 1 - 0x1p-33})
    check(u);
  CHECK(worst < 2.5e-16);
  CHECK(vm::sincos_2pi(0.25).s == 1.0);
  CHECK(vm::sincos_2pi(0.5).c == -1.0);
}

TEST_CASE("vmath::floor, round and rint agree with the C library", "[vmath]") {
  microreach::Stream s(7, microreach::Purpose::user, 6);
  std::vector<double> xs = {
      0.5,    1.5,        2.5,   -0.5,   -1.5, -2.5, 0.49999999999999994, 4503599627370495.5,
      0x1p51, 0x1p52 + 1, 1e300, -1e300, 7.0,  -7.0};
  for (int i = 0; i < kPoints; ++i) {
    const double x = s.uniform(-1e6, 1e6);
    xs.push_back(x);
    xs.push_back(std::floor(x) + 0.5);  // half-way cases
  }
  for (double x : xs) {
    INFO(x);
    REQUIRE(vm::floor(x) == std::floor(x));
    REQUIRE(vm::round(x) == std::round(x));
    REQUIRE(vm::rint(x) == std::nearbyint(x));
  }
  CHECK(std::isnan(vm::floor(std::numeric_limits<double>::quiet_NaN())));
  CHECK(vm::floor(std::numeric_limits<double>::infinity()) ==
        std::numeric_limits<double>::infinity());
}

TEST_CASE("vmath::pow_pos is exp(y log x) within 12 ulp where |y log x| < 7", "[vmath]") {
  microreach::Stream s(7, microreach::Purpose::user, 8);
  double worst = 0.0;
  for (int i = 0; i < kPoints; ++i) {
    const double x = s.uniform(0.01, 100.0), y = s.uniform(-1.5, 1.5);
    worst = std::max(worst, ulp_error(vm::pow_pos(x, y), std::pow(static_cast<long double>(x),
                                                                  static_cast<long double>(y))));
  }
  // |y log x| <= 6.9: log's error (<= 1 ulp of log x) scaled by up to 6.9 in exp's argument
  // (whose ulp is up to 2x that of y log x), plus exp's ulp: 9.4 seen.
  CHECK(worst < 12.0);
  CHECK(vm::pow_pos(2.0, 10.0) == Approx(1024.0).epsilon(1e-15));
}

TEST_CASE("vmath's generator functions give the same bits vectorized as in a scalar call",
          "[vmath]") {
  std::vector<double> u(1024), s1(1024), c1(1024), f(1024), r(1024), p(1024);
  microreach::Stream s(7, microreach::Purpose::user, 9);
  for (double& v : u) v = s.uniform();
  for (std::size_t i = 0; i < u.size(); ++i) {
    const vm::SinCos sc = vm::sincos_2pi(u[i]);
    s1[i] = sc.s;
    c1[i] = sc.c;
    f[i] = vm::floor(u[i] * 1e6 - 5e5);
    r[i] = vm::round(u[i] * 1e6 - 5e5);
    p[i] = vm::pow_pos(u[i], -1.25);
  }
  vm::SinCos (*volatile f_sc)(double) = vm::sincos_2pi;
  double (*volatile f_floor)(double) = vm::floor;
  double (*volatile f_round)(double) = vm::round;
  double (*volatile f_pow)(double, double) = vm::pow_pos;
  auto bits = [](double x) { return std::bit_cast<std::uint64_t>(x); };
  for (std::size_t i = 0; i < u.size(); ++i) {
    REQUIRE(bits(s1[i]) == bits(f_sc(u[i]).s));
    REQUIRE(bits(c1[i]) == bits(f_sc(u[i]).c));
    REQUIRE(bits(f[i]) == bits(f_floor(u[i] * 1e6 - 5e5)));
    REQUIRE(bits(r[i]) == bits(f_round(u[i] * 1e6 - 5e5)));
    REQUIRE(bits(p[i]) == bits(f_pow(u[i], -1.25)));
  }
}
