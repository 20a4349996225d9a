#pragma once
// Counter-based random streams (Philox4x64-10, Random123). A stream is keyed by
// (seed, purpose) and positioned by (entity, sub-entity): the numbers a profile or a
// (trial, influencer) pair sees depend only on those keys, never on the thread that draws
// them or on how the work was chunked (cf. OpenMC's per-particle streams).
//
// Distributions are written here by hand rather than taken from <random>, whose
// distributions differ between standard libraries (results would not be portable).
#include <Random123/philox.h>

#include <cmath>
#include <cstdint>
#include <numbers>

namespace microreach {

__extension__ typedef unsigned __int128 uint128_t;

// Purposes: one named stream family per use, so adding draws to one never shifts another.
enum class Purpose : std::uint64_t {
  generator = 1,        // synthetic profile fields, entity = profile index
  generator_names = 2,  // handles
  sim_account = 10,     // per (trial, influencer) noise
  sim_shared = 11,      // per-trial shocks, entity = trial
  sim_pool = 12,        // building the synthetic candidate market
  audit = 20,           // follower sampling in audit tests/simulations
  user = 100,           // free for library users
};

class Stream {
 public:
  using Philox = r123::Philox4x64;
  Stream(std::uint64_t seed, Purpose purpose, std::uint64_t entity, std::uint64_t sub = 0) {
    key_ = {{seed, static_cast<std::uint64_t>(purpose)}};
    ctr_ = {{entity, sub, 0, 0}};
  }

  // 64 random bits.
  std::uint64_t next_u64() {
    if (pos_ == 4) refill();
    return buf_[pos_++];
  }
  // Uniform on the open interval (0, 1): never 0, never 1 (safe for log()).
  double uniform() { return (static_cast<double>(next_u64() >> 11) + 0.5) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [0, n) (Lemire's multiply-shift; bias < 2^-64 * n, negligible).
  std::uint64_t below(std::uint64_t n) {
    return static_cast<std::uint64_t>((static_cast<uint128_t>(next_u64()) * n) >> 64);
  }
  bool bernoulli(double p) { return uniform() < p; }

  // Standard normal, Box-Muller; the second variate is kept for the next call.
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = uniform(), u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double t = 2.0 * std::numbers::pi * u2;
    spare_ = r * std::sin(t);
    has_spare_ = true;
    return r * std::cos(t);
  }
  double normal(double mean, double sd) { return mean + sd * normal(); }
  // Lognormal with the given *mean* (not median) and log-sd sigma: E[X] = mean.
  double lognormal_mean(double mean, double sigma) {
    return mean * std::exp(sigma * normal() - 0.5 * sigma * sigma);
  }
  // Lognormal with the given median exp(mu).
  double lognormal_median(double median, double sigma) {
    return median * std::exp(sigma * normal());
  }

  // Index drawn from cumulative weights cdf[0..n-1] (cdf[n-1] == total).
  template <class Vec>
  std::size_t categorical(const Vec& cdf) {
    const double u = uniform() * cdf.back();
    std::size_t i = 0;
    while (i + 1 < cdf.size() && u >= cdf[i]) ++i;
    return i;
  }

 private:
  void refill() {
    const auto out = Philox()(ctr_, key_);
    ctr_.v[3]++;
    for (int i = 0; i < 4; ++i) buf_[i] = out.v[i];
    pos_ = 0;
  }
  Philox::key_type key_;
  Philox::ctr_type ctr_;
  std::uint64_t buf_[4] = {0, 0, 0, 0};
  int pos_ = 4;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace microreach
