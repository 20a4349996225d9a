#pragma once
// Counter-based random streams (Philox4x64-10, Random123). A stream is keyed by
// (seed, purpose) and positioned by (entity, sub-entity): the numbers a profile or a
// (trial, influencer) pair sees depend only on those keys, never on the thread that draws
// them or on how the work was chunked (cf. OpenMC's per-particle streams).
//
// Distributions are written here by hand rather than taken from <random>, whose
// distributions differ between standard libraries (results would not be portable).
#include <Random123/philox.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <numbers>

namespace microreach {

__extension__ typedef unsigned __int128 uint128_t;

// Purposes: one named stream family per use, so adding draws to one never shifts another.
enum class Purpose : std::uint64_t {
  generator = 1,        // synthetic profiles, entity = profile index (version 2: Philox4x32's
                        // last counter word, src/synth.cpp)
  generator_names = 2,  // handles (generator version 1)
  sim_account = 10,     // per (trial, influencer) noise
  sim_shared = 11,      // per-trial shocks, entity = trial
  sim_pool = 12,        // building the synthetic candidate market
  sim_block = 13,       // per (block of trials, influencer): seeds of the engine's fast words
  audit = 20,           // follower sampling in audit tests/simulations
  user = 100,           // free for library users
};

// One Philox4x64-10 block: the 4 words a Stream(seed, purpose, entity, sub) on `lane` returns
// at positions 4 * block .. 4 * block + 3. Batch code computes blocks of many streams in one
// loop (independent, so the CPU overlaps them) and hands the words over with Stream::resume.
inline void philox_block(std::uint64_t seed, Purpose purpose, std::uint64_t entity,
                         std::uint64_t sub, std::uint64_t lane, std::uint64_t block,
                         std::uint64_t out[4]) {
  const r123::Philox4x64::key_type key = {{seed, static_cast<std::uint64_t>(purpose)}};
  const r123::Philox4x64::ctr_type ctr = {{entity, sub, lane, block}};
  const auto r = r123::Philox4x64()(ctr, key);
  for (int i = 0; i < 4; ++i) out[i] = r.v[i];
}

// Philox4x32-10 (Salmon et al. 2011, Random123's constants and round order): counter c (4 words)
// in, its random block out, key (k0, k1). The same words as r123::Philox4x32, written on plain
// 32-bit words and 64-bit products (SSE2's pmuludq) so that a loop over many counters vectorizes,
// which the 64-bit variant (128-bit products) does not.
inline void philox4x32_words(std::uint32_t c[4], std::uint32_t k0, std::uint32_t k1) {
  for (int round = 0; round < 10; ++round) {
    const std::uint64_t p0 = std::uint64_t{0xD2511F53u} * c[0];
    const std::uint64_t p1 = std::uint64_t{0xCD9E8D57u} * c[2];
    const auto n0 = static_cast<std::uint32_t>(p1 >> 32) ^ c[1] ^ k0;
    const auto n1 = static_cast<std::uint32_t>(p1);
    const auto n2 = static_cast<std::uint32_t>(p0 >> 32) ^ c[3] ^ k1;
    const auto n3 = static_cast<std::uint32_t>(p0);
    c[0] = n0;
    c[1] = n1;
    c[2] = n2;
    c[3] = n3;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
}

// xoshiro256++ (Blackman & Vigna 2019): 4 words of state, ~1 ns a word, period 2^256 - 1.
// The simulator runs one per (block of trials, influencer), its state the Philox block of that
// key, for the words every draw's first attempt needs (sim/engine.cpp): far cheaper than a
// Philox block per (trial, influencer), and still a function of the keys only.
struct Xoshiro256 {
  std::uint64_t s[4];
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t next() {
    const std::uint64_t r = rotl(s[0] + s[3], 23) + s[0];
    const std::uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return r;
  }
};

class Stream {
 public:
  using Philox = r123::Philox4x64;
  // Lane 0 is the stream proper; lanes 1, 2, ... are further independent streams of the same
  // key, for code that needs one continuation per draw (see resume()).
  Stream(std::uint64_t seed, Purpose purpose, std::uint64_t entity, std::uint64_t sub = 0,
         std::uint64_t lane = 0) {
    key_ = {{seed, static_cast<std::uint64_t>(purpose)}};
    ctr_ = {{entity, sub, lane, 0}};
  }
  // A stream that first returns words[0..n) (n <= 4; words drawn elsewhere, e.g. by
  // philox_block), then continues with the stream (seed, purpose, entity, sub) on `lane`.
  // Samplers run on it give exactly what they give on any stream yielding that sequence.
  static Stream resume(std::uint64_t seed, Purpose purpose, std::uint64_t entity, std::uint64_t sub,
                       std::uint64_t lane, const std::uint64_t* words, int n) {
    Stream s(seed, purpose, entity, sub, lane);
    s.pos_ = 4 - n;
    for (int i = 0; i < n; ++i) s.buf_[4 - n + i] = words[i];
    return s;
  }

  // 64 random bits.
  std::uint64_t next_u64() {
    if (pos_ == 4) refill();
    return buf_[pos_++];
  }
  // Uniform on the open interval (0, 1): never 0, never 1 (safe for log()).
  double uniform() { return to_uniform(next_u64()); }
  static double to_uniform(std::uint64_t w) {
    return (static_cast<double>(w >> 11) + 0.5) * 0x1.0p-53;
  }
  // Uniform on (0, 1) from 32 random bits, (w + 1/2) 2^-32 (exact), with operations SSE2 has in
  // packed form.
  static double to_uniform32(std::uint32_t w) {
    const double x = std::bit_cast<double>(0x4330000000000000ULL | w) - 0x1.0p52;  // exact
    return (x + 0.5) * 0x1.0p-32;
  }
  // The same value as to_uniform, written for loops that should vectorize on any x86-64: SSE2
  // has no packed 64-bit integer to double conversion (AVX-512 has), so it goes through
  // exact_double.
  static double to_uniform_packed(std::uint64_t w) {
    return (exact_double(w >> 11) + 0.5) * 0x1.0p-53;
  }
  // static_cast<double>(x) for x < 2^53 (exact), with integer and floating-point operations that
  // SSE2 has in packed form.
  static double exact_double(std::uint64_t x) {
    constexpr std::uint64_t kExp52 = 0x4330000000000000ULL;  // the bits of 2^52
    const double hi = std::bit_cast<double>(kExp52 | (x >> 32)) - 0x1.0p52;
    const double lo = std::bit_cast<double>(kExp52 | (x & 0xffffffffULL)) - 0x1.0p52;
    return hi * 0x1.0p32 + lo;
  }
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
