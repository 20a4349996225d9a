#include "microreach/sim/engine.hpp"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

#include "microreach/cancel.hpp"
#include "microreach/dist.hpp"
#include "microreach/distributions.hpp"
#include "microreach/error.hpp"
#include "microreach/isa.hpp"
#include "microreach/vmath.hpp"

namespace microreach::sim {
namespace {
// Sub-stream of Purpose::sim_shared for the non-share engagements of a trial (sub 0 is the
// shocks, 1 + group code the conversion groups: group codes stay below 2^16).
constexpr std::uint64_t kEngagementStream = std::uint64_t{1} << 40;
}  // namespace

// ---------------------------------------------------------------- one trial

Shocks draw_shocks(std::uint64_t seed, std::uint64_t trial, const ModelParams& p) {
  Stream s(seed, Purpose::sim_shared, trial);
  Shocks k;
  k.conversion = lognormal_mean(s, 1.0, p.conversion_shock_sigma);
  k.reach = lognormal_mean(s, 1.0, p.reach_shock_sigma);
  return k;
}

namespace {
constexpr std::size_t kChunk = 128;       // accounts per batch: the words fit in L1 (12 KB)
constexpr std::size_t kPoissonLanes = 8;  // Poisson inversions searched in step (AVX2 copy)
constexpr std::size_t kSlots = kWordsPerTrial;
// Where each draw's words sit among an account's words of a trial (engine.hpp).
enum Slot : std::size_t {
  kSlotNoise = 0,     // 1 word
  kSlotReach = 1,     // 2 words
  kSlotShares = 3,    // 2 words
  kSlotIncident = 5,  // 1 word
  kSlotFake = 6,      // 4 words
};
enum Lane : std::uint64_t { kLaneNormal = 1, kLaneFake = 2, kLaneReach = 3, kLaneShares = 4 };
}  // namespace

Xoshiro256 block_generator(std::uint64_t seed, std::uint64_t block, std::uint64_t key) {
  Xoshiro256 x;
  philox_block(seed, Purpose::sim_block, block, key, 0, 0, x.s);
  if ((x.s[0] | x.s[1] | x.s[2] | x.s[3]) == 0) x.s[0] = 1;  // the one state xoshiro avoids
  return x;
}

TrialWorkspace::TrialWorkspace(const CampaignModel& m) {
  const std::size_t n = m.account_count();
  reached_.resize(n);
  impressions_.resize(n);
  shares_.resize(n);
  other_engagements_.resize(n);
  incident_.resize(n);
  // The accounts each beta method draws for, in BetaDist::Method order.
  std::vector<std::uint32_t>* const by_method[] = {&invert_a_, &invert_b_, &ratio_, &other_};
  for (std::size_t i = 0; i < n; ++i) {
    const AccountModel& a = m.account(i);
    if (!a.fake_random) continue;
    by_method[static_cast<std::size_t>(a.fake.method())]->push_back(static_cast<std::uint32_t>(i));
  }
  state_.resize(4 * n);
  const std::size_t c = std::min(n, kChunk);
  words_.resize(kSlots * kChunk);
  fake_.resize(c);
  authentic_.resize(c);
  rho_.resize(c);
  p_reach_.resize(c);
  count_.resize(c);
  accepted_.resize(c);
  gather_at_.resize(c);
  // Room to pad the Poisson inversions to whole groups of lanes.
  gather_u_.resize(c + kPoissonLanes);
  gather_e_.resize(c + kPoissonLanes);
  gather_n_.resize(c + kPoissonLanes);
  gather_p_.resize(c + kPoissonLanes);
}

void TrialWorkspace::draw_expectations(const CampaignModel& m) {
  noise_ = false;
  shocks_ = Shocks{};
  const ModelParams& p = m.params();
  for (std::size_t i = 0; i < m.account_count(); ++i) {
    const AccountModel& a = m.account(i);
    const AccountExpectation e = expect_account(a, p);
    reached_[i] = e.reached;
    impressions_[i] = e.impressions;
    shares_[i] = e.engagements * a.share_fraction;
    other_engagements_[i] = e.engagements * (1.0 - a.share_fraction);
    incident_[i] = a.incident_probability;  // expectation of the incident indicator
  }
}

void TrialWorkspace::draw(const CampaignModel& m, std::uint64_t seed, std::uint64_t trial) {
  const ModelParams& p = m.params();
  if (!p.noise) {
    draw_expectations(m);
    return;
  }
  noise_ = true;
  shocks_ = draw_shocks(seed, trial, p);
  const std::size_t n = m.account_count();
  // Each account's generator for this block of trials, positioned at this trial's words.
  const std::uint64_t block = trial / kBlockTrials;
  const bool fresh = !seeded_ || seed != seed_ || block != state_block_ || trial < next_trial_;
  if (fresh) {
    seeded_ = true;
    state_block_ = block;
    next_trial_ = block * kBlockTrials;
  }
  const std::uint64_t skip = (trial - next_trial_) * kWordsPerTrial;
  if (fresh || skip > 0) {
    for (std::size_t i = 0; i < n; ++i) {
      Xoshiro256 x;
      if (fresh) {
        x = block_generator(seed, block, m.account(i).key);
      } else {
        for (std::size_t k = 0; k < 4; ++k) x.s[k] = state_[k * n + i];
      }
      for (std::uint64_t k = 0; k < skip; ++k) x.next();
      for (std::size_t k = 0; k < 4; ++k) state_[k * n + i] = x.s[k];
    }
  }
  next_trial_ = trial + 1;
  seed_ = seed;
  trial_ = trial;
  Cursors at;
  for (std::size_t c0 = 0; c0 < n; c0 += kChunk) draw_chunk(m, c0, std::min(n, c0 + kChunk), at);
}

namespace {
// The accounts of `list` (ascending) in [c0, c1), advancing `pos`.
template <class F>
void for_each_in(const std::vector<std::uint32_t>& list, std::size_t c1, std::size_t& pos, F f) {
  for (; pos < list.size() && list[pos] < c1; ++pos) f(list[pos]);
}
}  // namespace

// ---------------------------------------------------------------- batch code per ISA

namespace {
// The ziggurat's first attempt on len words: z[j] the candidate, ok[j] 1 where it is the normal.
// Out of line with restrict parameters (inlined, GCC loses them and cannot prove that the stores
// miss the ziggurat tables): the v3 copy then runs the table look-ups as AVX2 gathers.
__attribute__((always_inline)) inline void normals_first_loop(const std::uint64_t* __restrict words,
                                                              double* __restrict z,
                                                              double* __restrict ok,
                                                              std::size_t len) {
  const std::uint64_t* __restrict tk = detail::kZiggurat.k;
  const double* __restrict tw = detail::kZiggurat.w;
  for (std::size_t j = 0; j < len; ++j) {
    double x;
    const bool inside = normal_first(words[j], x, tk, tw);
    z[j] = x;
    ok[j] = inside ? 1.0 : 0.0;
  }
}
MICROREACH_TARGET_V3 __attribute__((noinline)) void normals_first_v3(
    const std::uint64_t* __restrict words, double* __restrict z, double* __restrict ok,
    std::size_t len) {
  normals_first_loop(words, z, ok, len);
}
// The baseline copy has no gathers to gain: the loop inline.
template <bool kV3>
void normals_first(const std::uint64_t* words, double* z, double* ok, std::size_t len) {
  if constexpr (kV3) {
    normals_first_v3(words, z, ok, len);
  } else {
    normals_first_loop(words, z, ok, len);
  }
}

// btrd_attempt() for len draws: n, p (the success probability, either side of 1/2) and the
// iteration's uniforms u and w in; the status out in u, the variate in w.
__attribute__((always_inline)) inline void btrd_attempts_loop(const double* __restrict n,
                                                              const double* __restrict p,
                                                              double* __restrict u,
                                                              double* __restrict w,
                                                              std::size_t len) {
  for (std::size_t k = 0; k < len; ++k) {
    const double pr = p[k];
    const double pe = pr > 0.5 ? 1.0 - pr : pr;
    double kd;
    const double status = btrd_attempt(n[k], pe, u[k], w[k], kd);
    u[k] = status;
    w[k] = pr > 0.5 ? n[k] - kd : kd;
  }
}
MICROREACH_TARGET_V3 __attribute__((noinline)) void btrd_attempts(const double* __restrict n,
                                                                  const double* __restrict p,
                                                                  double* __restrict u,
                                                                  double* __restrict w,
                                                                  std::size_t len) {
  btrd_attempts_loop(n, p, u, w, len);
}

// poisson()'s inversion search for len (a multiple of kPoissonLanes) draws: uniforms u, means,
// out the variates or -1 (detail::poisson_search_lanes, lanes of 8 in the AVX2 copy).
__attribute__((always_inline)) inline void poisson_inversions_loop(const double* __restrict u,
                                                                   const double* __restrict mean,
                                                                   double* __restrict k,
                                                                   std::size_t len) {
  for (std::size_t i = 0; i < len; i += kPoissonLanes)
    detail::poisson_search_lanes<kPoissonLanes>(u + i, mean + i, k + i);
}
// With SSE2's two lanes the lockstep costs more than it saves: one search at a time.
inline void poisson_inversions_baseline(const double* u, const double* mean, double* k,
                                        std::size_t len) {
  for (std::size_t i = 0; i < len; ++i)
    k[i] = detail::poisson_search(u[i], mean[i], vmath::exp(-mean[i]));
}
MICROREACH_TARGET_V3 __attribute__((noinline)) void poisson_inversions_v3(
    const double* __restrict u, const double* __restrict mean, double* __restrict k,
    std::size_t len) {
  poisson_inversions_loop(u, mean, k, len);
}
template <bool kV3>
void poisson_inversions(const double* u, const double* mean, double* k, std::size_t len) {
  if constexpr (kV3) {
    poisson_inversions_v3(u, mean, k, len);
  } else {
    poisson_inversions_baseline(u, mean, k, len);
  }
}

std::atomic<bool> g_use_v3{v3_clone_by_default()};
}  // namespace

void set_batch_isa(BatchIsa isa) {
  // Without the clone (clang, other architectures) an explicit x86_64_v3 still runs the v3
  // copy's extra batch passes, in baseline instructions: the sanitizer builds test them so.
  const bool v3 = isa == BatchIsa::x86_64_v3 ? cpu_runs_v3_clone() || !MICROREACH_V3_CLONE
                                             : isa == BatchIsa::automatic && cpu_runs_v3_clone();
  g_use_v3.store(v3, std::memory_order_relaxed);
}
const char* batch_isa_name() {
  if (!g_use_v3.load(std::memory_order_relaxed)) return "baseline";
  return MICROREACH_V3_CLONE ? "x86-64-v3" : "v3-passes";
}

void TrialWorkspace::draw_chunk(const CampaignModel& m, std::size_t c0, std::size_t c1,
                                Cursors& at) {
  if (g_use_v3.load(std::memory_order_relaxed)) {
    draw_chunk_v3(m, c0, c1, at);
  } else {
    draw_chunk_baseline(m, c0, c1, at);
  }
}
void TrialWorkspace::draw_chunk_baseline(const CampaignModel& m, std::size_t c0, std::size_t c1,
                                         Cursors& at) {
  draw_chunk_loops<false>(m, c0, c1, at);
}
// Without the clone (other compilers, other architectures, an AVX2 build) both are one code.
MICROREACH_TARGET_V3 __attribute__((flatten)) void TrialWorkspace::draw_chunk_v3(
    const CampaignModel& m, std::size_t c0, std::size_t c1, Cursors& at) {
  draw_chunk_loops<true>(m, c0, c1, at);
}

template <bool kV3>
__attribute__((always_inline)) inline void TrialWorkspace::draw_chunk_loops(const CampaignModel& m,
                                                                            std::size_t c0,
                                                                            std::size_t c1,
                                                                            Cursors& at) {
  const ModelParams& p = m.params();
  const AccountModel* acc = m.accounts().data();
  const std::size_t len = c1 - c0;
  const std::uint64_t seed = seed_, trial = trial_;
  constexpr Purpose kPurpose = Purpose::sim_account;
  std::uint64_t* w = words_.data();  // word `slot` of account c0 + j at w[slot * kChunk + j]
  auto word = [&](std::size_t slot, std::size_t j) { return w[slot * kChunk + j]; };
  // The stream a draw continues on after its first attempt, replaying the words it used.
  auto resume = [&](std::size_t i, Lane lane, std::size_t slot0, int count) {
    std::uint64_t first[4];
    for (int k = 0; k < count; ++k) first[k] = word(slot0 + k, i - c0);
    return Stream::resume(seed, kPurpose, trial, acc[i].key, lane, first, count);
  };

  // The trial's 10 words of every account, from its generator of this block of trials.
  {
    const std::size_t n = m.account_count();
    std::uint64_t* s0 = state_.data() + c0;
    std::uint64_t *s1 = s0 + n, *s2 = s1 + n, *s3 = s2 + n;
    // Accounts in the vector lanes, the 10 words unrolled: the state stays in registers.
    for (std::size_t j = 0; j < len; ++j) {
      Xoshiro256 x{{s0[j], s1[j], s2[j], s3[j]}};
#pragma GCC unroll 16
      for (std::size_t k = 0; k < kSlots; ++k) w[k * kChunk + j] = x.next();
      s0[j] = x.s[0];
      s1[j] = x.s[1];
      s2[j] = x.s[2];
      s3[j] = x.s[3];
    }
  }

  // Real fake share around the estimate (words 6..9, lane 2).
  for (std::size_t j = 0; j < len; ++j) fake_[j] = acc[c0 + j].fake_mean;
  {
    // Beta(1, b) (most accounts: the 5 % floor at kappa 20): gathered, so that the inversion's
    // log and expm1 run as one vector loop, then scattered back.
    std::size_t n_inv = 0;
    for_each_in(invert_a_, c1, at.invert_a, [&](std::uint32_t i) {
      gather_at_[n_inv] = i - c0;
      gather_u_[n_inv] = Stream::to_uniform(word(kSlotFake, i - c0));
      gather_e_[n_inv] = acc[i].fake.inverse_shape();
      ++n_inv;
    });
    double* __restrict u = gather_u_.data();
    const double* __restrict e = gather_e_.data();
    for (std::size_t k = 0; k < n_inv; ++k) u[k] = BetaDist::invert_unit_a(u[k], e[k]);
    for (std::size_t k = 0; k < n_inv; ++k) fake_[gather_at_[k]] = u[k];
  }
  for_each_in(invert_b_, c1, at.invert_b, [&](std::uint32_t i) {
    fake_[i - c0] = acc[i].fake.invert(Stream::to_uniform(word(kSlotFake, i - c0)));
  });
  for_each_in(ratio_, c1, at.ratio, [&](std::uint32_t i) {
    const std::size_t j = i - c0;
    const BetaDist& beta = acc[i].fake;
    double zx, zy, gx, gy;
    const bool ok_x = normal_first(word(kSlotFake, j), zx);
    const bool ok_y = normal_first(word(kSlotFake + 2, j), zy);
    const bool ok =
        beta.gamma_a().first_attempt(zx, Stream::to_uniform(word(kSlotFake + 1, j)), gx) &
        beta.gamma_b().first_attempt(zy, Stream::to_uniform(word(kSlotFake + 3, j)), gy) & ok_x &
        ok_y;
    if (ok) {
      fake_[j] = gx / (gx + gy);
    } else {
      Stream s = resume(i, kLaneFake, kSlotFake, 4);
      fake_[j] = beta(s);
    }
  });
  for_each_in(other_, c1, at.other, [&](std::uint32_t i) {
    Stream s = resume(i, kLaneFake, kSlotFake, 4);
    fake_[i - c0] = acc[i].fake(s);
  });

  // Authentic followers; reach rate in this window: tier mean x shared shock x own lognormal
  // noise of mean 1 (word 0, lane 1).
  const double posts = p.posts;
  const bool one_post = posts == 1.0;
  const double sigma = p.reach_sigma;
  const double reach_scale = shocks_.reach * std::exp(-0.5 * sigma * sigma);
  for (std::size_t j = 0; j < len; ++j)
    authentic_[j] = std::floor(acc[c0 + j].followers * (1.0 - fake_[j]) + 0.5);
  normals_first<kV3>(w + kSlotNoise * kChunk, rho_.data(), accepted_.data(), len);
  for (std::size_t j = 0; j < len; ++j) {
    if (accepted_[j] != 0.0) continue;
    const std::uint64_t r = word(kSlotNoise, j);
    Stream s(seed, kPurpose, trial, acc[c0 + j].key, kLaneNormal);
    rho_[j] = detail::normal_slow(s, r, r & 0xff, rho_[j]);
  }
  {
    double* __restrict rho = rho_.data();  // the normals, turned into reach rates
    double* __restrict p_reach = p_reach_.data();
    for (std::size_t j = 0; j < len; ++j) {
      rho[j] = std::min(1.0, acc[c0 + j].reach_rate * reach_scale * vmath::exp(sigma * rho[j]));
      p_reach[j] = rho[j];
    }
  }
  if (!one_post)
    for (std::size_t j = 0; j < len; ++j) p_reach_[j] = 1.0 - std::pow(1.0 - rho_[j], posts);

  // Followers reached ~ Binomial(authentic, p_reach) (words 1-2, lane 3). BTRD's first step for
  // every account; a second pass over those it rejected runs steps 2 and 3.2 (the squeeze) on
  // the second word; the full sampler finishes the rest, and the draws BTRD does not apply to.
  // accepted: 1 drawn, 0 BTRD's first uniform rejected, -1 not BTRD (inversion, p = 0 or 1).
  {
    const double* __restrict authentic = authentic_.data();
    const double* __restrict p_reach = p_reach_.data();
    const std::uint64_t* __restrict w1 = w + kSlotReach * kChunk;
    double* __restrict accepted = accepted_.data();
    double* __restrict count = count_.data();
    for (std::size_t j = 0; j < len; ++j) {
      const double n = authentic[j], pr = p_reach[j];
      const double q = 1.0 - pr;
      const double pe = pr > 0.5 ? q : pr;
      const BtrdBox box(n, pe);
      const double v = Stream::to_uniform_packed(w1[j]);
      const double k = box.candidate_packed(v);
      const bool btrd = n * pe >= 10.0 && pr > 0.0 && pr < 1.0;
      accepted[j] = btrd ? (v <= box.u_rv_r ? 1.0 : 0.0) : -1.0;
      count[j] = pr > 0.5 ? n - k : k;
    }
  }
  if constexpr (kV3) {
    // Those BTRD rejected, gathered into contiguous arrays so the loops vectorize: n, p and the
    // iteration's two uniforms (gather_n_, gather_p_, gather_u_, gather_e_). Iteration 1 on
    // words 1 and 2; where it rejects, iteration 2 on the first two words of lane 3's Philox
    // block (what binomial() draws next). What is still open, and the exact tests, go to the
    // full sampler below. Only in the AVX2 copy: with SSE2's two lanes these passes cost more
    // than the scalar steps they save (and skipping them changes no result).
    std::size_t nt = 0;
    for (std::size_t j = 0; j < len; ++j) {
      if (accepted_[j] != 0.0) continue;
      gather_at_[nt] = static_cast<std::uint32_t>(j);
      gather_n_[nt] = authentic_[j];
      gather_p_[nt] = p_reach_[j];
      gather_u_[nt] = Stream::to_uniform(word(kSlotReach, j));
      gather_e_[nt] = Stream::to_uniform(word(kSlotReach + 1, j));
      ++nt;
    }
    for (int iteration = 1; iteration <= 2 && nt > 0; ++iteration) {
      btrd_attempts(gather_n_.data(), gather_p_.data(), gather_u_.data(), gather_e_.data(), nt);
      // gather_u_ now holds the status (1, 0, -1), gather_e_ the variate.
      std::size_t next = 0;
      for (std::size_t k = 0; k < nt; ++k) {
        const std::uint32_t j = gather_at_[k];
        if (gather_u_[k] == 1.0) {
          count_[j] = gather_e_[k];
          accepted_[j] = 1.0;
        } else if (gather_u_[k] == 0.0 && iteration == 1) {
          std::uint64_t words[4];
          philox_block(seed, kPurpose, trial, acc[c0 + j].key, kLaneReach, 0, words);
          gather_at_[next] = j;
          gather_n_[next] = gather_n_[k];
          gather_p_[next] = gather_p_[k];
          gather_u_[next] = Stream::to_uniform(words[0]);
          gather_e_[next] = Stream::to_uniform(words[1]);
          ++next;
        }
      }
      nt = next;
    }
  }
  for (std::size_t j = 0; j < len; ++j) {
    if (accepted_[j] == 1.0) continue;
    Stream s = resume(c0 + j, kLaneReach, kSlotReach, 2);
    count_[j] =
        static_cast<double>(binomial(s, static_cast<std::uint64_t>(authentic_[j]), p_reach_[j]));
  }
  const double audience = p.audience_size;
  const double vps = p.viewers_per_share;
  for (std::size_t j = 0; j < len; ++j) {
    const AccountModel& a = acc[c0 + j];
    const double imp = authentic_[j] * rho_[j] * posts;
    const double lambda = imp * a.engagement_per_view;
    reached_[c0 + j] = count_[j];  // followers reached; viewers added below
    impressions_[c0 + j] = imp;
    other_engagements_[c0 + j] = lambda * (1.0 - a.share_fraction);
    // Engagements split into shares and the rest (Poisson thinning). Shares bring viewers, so
    // they are drawn per account; the other engagements only add up, and a sum of independent
    // Poissons is Poisson: totals() draws them once per portfolio from the summed means.
    shares_[c0 + j] = lambda * a.share_fraction;  // the mean, replaced by the draw below
  }

  // Shares ~ Poisson (words 3 and 4, lane 4): PD's steps N, I and S (a ziggurat normal from
  // word 3, a uniform from word 4) for means from 10; below 10 the inversion on word 3; then the
  // full sampler for the rest.
  normals_first<kV3>(w + kSlotShares * kChunk, count_.data(), accepted_.data(), len);
  {
    const double* __restrict means = shares_.data() + c0;
    const std::uint64_t* __restrict w_u = w + (kSlotShares + 1) * kChunk;
    double* __restrict accepted = accepted_.data();
    double* __restrict count = count_.data();
    for (std::size_t j = 0; j < len; ++j) {
      const double mean = means[j];
      const PdBox box = PdBox::packed(mean);
      const double g = box.g(count[j]);
      const double k = detail::floor_small(g);
      // Bitwise & and |: no branches, so the loop vectorizes.
      const bool ok = box.immediate(k) | box.squeeze(k, Stream::to_uniform_packed(w_u[j]));
      const bool in_range = (mean >= 10.0) & (mean < 0x1.0p50) & (g >= 0.0) & (g < 0x1.0p51);
      accepted[j] = ((accepted[j] != 0.0) & in_range & ok) ? 1.0 : 0.0;
      count[j] = k;
    }
  }
  {
    // Means in (0, 10): poisson()'s inversion search on word 3, for 8 accounts at a time
    // (gathered, padded to a multiple of 8 with draws nobody reads).
    std::size_t ni = 0;
    for (std::size_t j = 0; j < len; ++j) {
      const double mean = shares_[c0 + j];
      if (accepted_[j] != 0.0 || !(mean > 0.0 && mean < 10.0)) continue;
      gather_at_[ni] = static_cast<std::uint32_t>(j);
      gather_n_[ni] = mean;
      gather_u_[ni] = Stream::to_uniform(word(kSlotShares, j));
      ++ni;
    }
    const std::size_t padded = (ni + kPoissonLanes - 1) / kPoissonLanes * kPoissonLanes;
    for (std::size_t k = ni; k < padded; ++k) {
      gather_n_[k] = 1.0;
      gather_u_[k] = 0.5;
    }
    poisson_inversions<kV3>(gather_u_.data(), gather_n_.data(), gather_e_.data(), padded);
    for (std::size_t k = 0; k < ni; ++k) {
      if (gather_e_[k] < 0.0) continue;  // the search ran off its end: the full sampler
      count_[gather_at_[k]] = gather_e_[k];
      accepted_[gather_at_[k]] = 1.0;
    }
  }
  for (std::size_t j = 0; j < len; ++j) {
    if (accepted_[j] != 0.0) continue;
    Stream s = resume(c0 + j, kLaneShares, kSlotShares, 2);
    count_[j] = static_cast<double>(poisson(s, shares_[c0 + j]));
  }
  for (std::size_t j = 0; j < len; ++j) {
    const AccountModel& a = acc[c0 + j];
    const std::size_t i = c0 + j;
    const double shares = count_[j];
    const double viewers = vps * shares;
    reached_[i] = std::min(reached_[i] + viewers, audience);
    impressions_[i] += viewers;
    shares_[i] = shares;
    incident_[i] = Stream::to_uniform(word(kSlotIncident, j)) < a.incident_probability ? 1.0 : 0.0;
  }
}

void TrialWorkspace::totals(const CampaignModel& m, std::size_t p, Totals& t) const {
  const ModelParams& par = m.params();
  const CampaignModel::Layout& l = m.layout(p);
  const double audience = par.audience_size;
  const double inv_audience = 1.0 / audience;
  const std::uint32_t* members = l.members.data();
  double unique = 0, imps = 0, shares = 0, other = 0, conv = 0, cost = 0;
  for (std::size_t s = 0; s + 1 < l.segments.size(); ++s) {
    // Sainsbury: U (1 - prod (1 - x_i / U)); phi = unique / gross scales each account's reach
    // to the people it alone adds (a person reached twice buys at most once).
    double miss = 1.0, gross = 0.0;
    for (std::uint32_t j = l.segments[s]; j < l.segments[s + 1]; ++j) {
      const double x = reached_[members[j]];
      miss *= 1.0 - x * inv_audience;
      gross += x;
    }
    const double uni = audience * (1.0 - miss);
    const double phi = gross > 0 ? uni / gross : 1.0;
    unique += uni;
    for (std::uint32_t g = l.segment_groups[s]; g < l.segment_groups[s + 1]; ++g) {
      // One tier in one audience: a common conversion probability.
      double relevant = 0.0, conv_prob = 0.0;
      for (std::uint32_t j = l.groups[g]; j < l.groups[g + 1]; ++j) {
        const std::uint32_t i = members[j];
        const AccountModel& a = m.account(i);
        imps += impressions_[i];
        shares += shares_[i];
        other += other_engagements_[i];
        cost += a.fee + incident_[i] * a.incident_cost;
        // An incident loses the account's conversions (noise off: with probability q).
        relevant += reached_[i] * a.relevance * (1.0 - incident_[i]);
        conv_prob = a.conversion_prob;
      }
      relevant *= phi;
      if (noise_) {
        // Sum of independent binomials with a common p: one binomial, drawn from a stream of
        // the trial and the (audience, tier) group, shared by every portfolio (CRN).
        Stream cs(seed_, Purpose::sim_shared, trial_, 1 + l.group_code[g]);
        const double pc = std::min(1.0, conv_prob * shocks_.conversion);
        conv += static_cast<double>(
            binomial(cs, static_cast<std::uint64_t>(std::floor(relevant + 0.5)), pc));
      } else {
        conv += relevant * std::min(1.0, conv_prob);
      }
    }
  }
  t[idx(Metric::unique_reach)] = unique;
  t[idx(Metric::impressions)] = imps;
  // Engagements other than shares: one Poisson of the summed means, from a stream of the
  // trial shared by every portfolio (common random numbers).
  if (noise_ && other > 0) {
    Stream es(seed_, Purpose::sim_shared, trial_, kEngagementStream);
    other = static_cast<double>(poisson(es, other));
  }
  t[idx(Metric::engagements)] = shares + other;
  t[idx(Metric::conversions)] = conv;
  t[idx(Metric::cost)] = cost;
  finish_totals(t, par);
}

// ---------------------------------------------------------------- accumulators

void Moments::merge(const Moments& o) {
  if (o.n == 0) return;
  if (n == 0) {
    *this = o;
    return;
  }
  const double total = n + o.n;
  const double d = o.mean - mean;
  mean += d * (o.n / total);
  m2 += o.m2 + d * d * (n * o.n / total);
  n = total;
}
double Moments::sd() const {
  return std::sqrt(variance());
}
double Moments::se() const {
  return n > 0 ? std::sqrt(variance() / n) : 0.0;
}

namespace {

struct BlockStats {
  std::vector<std::array<Moments, kMetricCount>> moments;
  std::vector<std::array<std::uint64_t, kMetricCount>> negatives;
  std::vector<PairStats> pairs;
};

void init_result(const CampaignModel& m, const SimOptions& opt, SimResult& r) {
  const std::size_t np = m.portfolio_count();
  r.moments.assign(np, {});
  r.negatives.assign(np, {});
  r.pairs.clear();
  if (!opt.compare.empty()) {
    for (auto [a, b] : opt.compare) {
      if (a >= np || b >= np)
        throw ConfigError("compare", std::to_string(a) + "," + std::to_string(b),
                          "indices of portfolios below " + std::to_string(np));
      r.pairs.push_back(PairStats{a, b, 0.0, {}});
    }
  } else if (np <= 64) {
    for (std::uint32_t a = 0; a < np; ++a)
      for (std::uint32_t b = a + 1; b < np; ++b) r.pairs.push_back(PairStats{a, b, 0.0, {}});
  }
  r.has_values = opt.keep_values;
  r.values.assign(opt.keep_values ? np : 0, {});
  r.conversion_shock.clear();
  r.reach_shock.clear();
}

}  // namespace

namespace {

// Runs blocks [b_lo, b_hi) of a round of n trials starting at trial `first` (block b = trials
// first + 256 b ...), in waves of 8 blocks per thread; hands every block's statistics to
// fold(block_stats) in block order. Per-trial values go straight into r.values (sized already).
template <class Fold>
void run_blocks(const CampaignModel& m, const SimOptions& opt, SimResult& r, std::uint64_t first,
                std::uint64_t n, std::uint64_t b_lo, std::uint64_t b_hi, Fold&& fold) {
  const std::size_t np = m.portfolio_count();
  tbb::enumerable_thread_specific<TrialWorkspace> workspaces([&] { return TrialWorkspace(m); });
  const std::uint64_t wave =
      8 * static_cast<std::uint64_t>(std::max(1, tbb::this_task_arena::max_concurrency()));
  std::vector<BlockStats> stats;

  for (std::uint64_t w0 = b_lo; w0 < b_hi; w0 += wave) {
    const std::uint64_t w1 = std::min(b_hi, w0 + wave);
    stats.assign(w1 - w0, BlockStats{});
    tbb::parallel_for(tbb::blocked_range<std::uint64_t>(w0, w1, 1), [&](const auto& range) {
      TrialWorkspace& ws = workspaces.local();
      Totals t{};
      std::vector<double> profit(np);
      for (std::uint64_t b = range.begin(); b != range.end(); ++b) {
        if (cancel_requested()) return;
        BlockStats& bs = stats[b - w0];
        bs.moments.assign(np, {});
        bs.negatives.assign(np, {});
        bs.pairs = std::vector<PairStats>(r.pairs.size());
        const std::uint64_t t0 = first + b * kBlockTrials;
        const std::uint64_t t1 = std::min(first + n, t0 + kBlockTrials);
        for (std::uint64_t trial = t0; trial < t1; ++trial) {
          ws.draw(m, opt.seed, trial);
          if (r.has_values) {
            r.conversion_shock[trial] = ws.shocks().conversion;
            r.reach_shock[trial] = ws.shocks().reach;
          }
          for (std::size_t p = 0; p < np; ++p) {
            ws.totals(m, p, t);
            for (std::size_t k = 0; k < kMetricCount; ++k) {
              bs.moments[p][k].add(t[k]);
              bs.negatives[p][k] += t[k] < 0.0;
              if (r.has_values) r.values[p][k][trial] = t[k];
            }
            profit[p] = t[idx(Metric::profit)];
          }
          for (std::size_t q = 0; q < r.pairs.size(); ++q) {
            const double d = profit[r.pairs[q].a] - profit[r.pairs[q].b];
            bs.pairs[q].wins_a += d > 0 ? 1.0 : (d == 0 ? 0.5 : 0.0);
            bs.pairs[q].difference.add(d);
          }
        }
      }
    });
    throw_if_cancelled();
    for (BlockStats& bs : stats) fold(bs);
  }
}

// Folds one block into the result. Called in trial order, so the sums do not depend on which
// thread, or which rank, ran which block.
void fold_block(const BlockStats& bs, SimResult& r) {
  for (std::size_t p = 0; p < r.moments.size(); ++p)
    for (std::size_t k = 0; k < kMetricCount; ++k) {
      r.moments[p][k].merge(bs.moments[p][k]);
      r.negatives[p][k] += bs.negatives[p][k];
    }
  for (std::size_t q = 0; q < r.pairs.size(); ++q) {
    r.pairs[q].wins_a += bs.pairs[q].wins_a;
    r.pairs[q].difference.merge(bs.pairs[q].difference);
  }
}

// Blocks and values of one rank as bytes (the numbers' own bits: nothing is rounded).
class Blob {
 public:
  template <class T>
  void put(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    bytes_.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  void put(const double* v, std::size_t n) {
    bytes_.append(reinterpret_cast<const char*>(v), n * sizeof(double));
  }
  std::string& bytes() { return bytes_; }

 private:
  std::string bytes_;
};
class BlobReader {
 public:
  explicit BlobReader(const std::string& b) : b_(b) {}
  template <class T>
  T get() {
    T v;
    take(&v, sizeof v);
    return v;
  }
  void get(double* v, std::size_t n) { take(v, n * sizeof(double)); }

 private:
  void take(void* out, std::size_t n) {
    if (at_ + n > b_.size()) throw Error("simulate: short block data from another rank");
    std::memcpy(out, b_.data() + at_, n);
    at_ += n;
  }
  const std::string& b_;
  std::size_t at_ = 0;
};

void put_moments(Blob& out, const Moments& mo) {
  out.put(mo.n);
  out.put(mo.mean);
  out.put(mo.m2);
}
Moments get_moments(BlobReader& in) {
  Moments mo;
  mo.n = in.get<double>();
  mo.mean = in.get<double>();
  mo.m2 = in.get<double>();
  return mo;
}

// One block's statistics, written and read back field by field in the same order.
void put_block(Blob& out, const BlockStats& bs) {
  for (std::size_t p = 0; p < bs.moments.size(); ++p)
    for (std::size_t k = 0; k < kMetricCount; ++k) {
      put_moments(out, bs.moments[p][k]);
      out.put(bs.negatives[p][k]);
    }
  for (const PairStats& q : bs.pairs) {
    out.put(q.wins_a);
    put_moments(out, q.difference);
  }
}
void get_block(BlobReader& in, BlockStats& bs) {  // bs already sized like the sender's
  for (std::size_t p = 0; p < bs.moments.size(); ++p)
    for (std::size_t k = 0; k < kMetricCount; ++k) {
      bs.moments[p][k] = get_moments(in);
      bs.negatives[p][k] = in.get<std::uint64_t>();
    }
  for (PairStats& q : bs.pairs) {
    q.wins_a = in.get<double>();
    q.difference = get_moments(in);
  }
}

// The per-trial values of trials [t0, t1): every (portfolio, metric) column, then the shocks.
void put_values(Blob& out, const SimResult& r, std::uint64_t t0, std::uint64_t t1) {
  for (const auto& pv : r.values)
    for (const auto& v : pv) out.put(v.data() + t0, t1 - t0);
  out.put(r.conversion_shock.data() + t0, t1 - t0);
  out.put(r.reach_shock.data() + t0, t1 - t0);
}
void get_values(BlobReader& in, SimResult& r, std::uint64_t t0, std::uint64_t t1) {
  for (auto& pv : r.values)
    for (auto& v : pv) in.get(v.data() + t0, t1 - t0);
  in.get(r.conversion_shock.data() + t0, t1 - t0);
  in.get(r.reach_shock.data() + t0, t1 - t0);
}

// Splits blocks [b0, b1) between the ranks in proportion to `speed` (blocks a second each rank
// ran in the stage before; all equal at first): contiguous shares in rank order. Every rank
// computes the same split from the same gathered numbers.
std::vector<dist::Range> split_stage(std::uint64_t b0, std::uint64_t b1,
                                     const std::vector<double>& speed) {
  const std::size_t ranks = speed.size();
  double total = 0;
  for (double v : speed) total += v;
  std::vector<dist::Range> out(ranks);
  std::uint64_t at = b0;
  double cum = 0;
  for (std::size_t r = 0; r < ranks; ++r) {
    cum += speed[r];
    const std::uint64_t end =
        r + 1 == ranks ? b1
                       : b0 + std::min(b1 - b0, static_cast<std::uint64_t>(
                                                    static_cast<double>(b1 - b0) * (cum / total)));
    out[r] = {at, std::max(at, end)};
    at = out[r].end;
  }
  return out;
}

// A round over several ranks, in stages of blocks (the same blocks the one-process run makes).
// In each stage every rank runs a contiguous share; then every rank receives every block's
// statistics and trial values in rank order = block order, and folds them exactly as the
// one-process run does, so which rank ran a block changes nothing. The first stage is split
// evenly, each later one in proportion to the speed each rank showed in the stage before: a
// rank whose core runs slower (a busy neighbour on a VM, an older node) gets fewer blocks
// instead of keeping the others waiting at the end of the round. Stages shrink toward the end
// (a quarter of the blocks, then half of what is left, at least 4 blocks a rank), so the last
// wait is short.
void simulate_round_distributed(const CampaignModel& m, const SimOptions& opt, SimResult& r,
                                std::uint64_t first, std::uint64_t n, std::uint64_t blocks) {
  const std::size_t np = m.portfolio_count();
  const std::size_t nq = r.pairs.size();
  const auto ranks = static_cast<std::size_t>(dist::size());
  const std::uint64_t min_stage = 4 * ranks;
  auto trials_of = [&](const dist::Range& b) {
    const std::uint64_t t0 = std::min(first + n, first + b.begin * kBlockTrials);
    const std::uint64_t t1 = std::min(first + n, first + b.end * kBlockTrials);
    return std::pair{t0, t1};
  };
  std::vector<double> speed(ranks, 1.0);
  for (std::uint64_t b0 = 0; b0 < blocks;) {
    const std::uint64_t left = blocks - b0;
    std::uint64_t size = b0 == 0 ? left / 4 : left / 2;
    if (size < min_stage || left - size < min_stage) size = left;
    const std::vector<dist::Range> split = split_stage(b0, b0 + size, speed);
    const dist::Range share = split[static_cast<std::size_t>(dist::rank())];
    Blob out;
    std::vector<BlockStats> mine;
    const auto t_start = std::chrono::steady_clock::now();
    dist::guarded([&] {
      run_blocks(m, opt, r, first, n, share.begin, share.end,
                 [&](BlockStats& bs) { mine.push_back(std::move(bs)); });
    });
    out.put(std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count());
    out.put(static_cast<std::uint64_t>(mine.size()));
    for (const BlockStats& bs : mine) put_block(out, bs);
    if (r.has_values) {
      const auto [t0, t1] = trials_of(share);
      put_values(out, r, t0, t1);
    }
    const std::vector<std::string> all = dist::allgather(out.bytes());
    for (std::size_t rank = 0; rank < all.size(); ++rank) {
      BlobReader in(all[rank]);
      const auto seconds = in.get<double>();
      const auto count = in.get<std::uint64_t>();
      if (count != split[rank].size())
        throw Error("simulate: rank " + std::to_string(rank) + " sent " + std::to_string(count) +
                    " blocks, expected " + std::to_string(split[rank].size()));
      // Blocks a second; a rank with no blocks (or no measurable time) keeps its last speed.
      if (count > 0 && seconds > 0) speed[rank] = static_cast<double>(count) / seconds;
      BlockStats bs;
      bs.moments.assign(np, {});
      bs.negatives.assign(np, {});
      bs.pairs = std::vector<PairStats>(nq);
      for (std::uint64_t i = 0; i < count; ++i) {
        get_block(in, bs);
        fold_block(bs, r);
      }
      if (r.has_values && rank != static_cast<std::size_t>(dist::rank())) {
        const auto [t0, t1] = trials_of(split[rank]);
        get_values(in, r, t0, t1);
      }
    }
    b0 += size;
  }
}

}  // namespace

void simulate_more(const CampaignModel& m, const SimOptions& opt, std::uint64_t n, SimResult& r) {
  if (r.trials == 0 && r.moments.size() != m.portfolio_count()) init_result(m, opt, r);
  if (n == 0) return;
  if (n > kMaxTrials || r.trials + n > kMaxTrials)
    throw ConfigError("trials", std::to_string(r.trials + n),
                      "at most " + std::to_string(kMaxTrials) + " trials");
  const std::uint64_t first = r.trials;
  if (r.has_values) {
    for (auto& pv : r.values)
      for (auto& v : pv) v.resize(first + n);
    r.conversion_shock.resize(first + n);
    r.reach_shock.resize(first + n);
  }
  const std::uint64_t blocks = (n + kBlockTrials - 1) / kBlockTrials;
  if (dist::distributed())
    simulate_round_distributed(m, opt, r, first, n, blocks);
  else
    run_blocks(m, opt, r, first, n, 0, blocks, [&](const BlockStats& bs) { fold_block(bs, r); });
  r.trials += n;
}

SimResult simulate(const CampaignModel& m, const SimOptions& opt) {
  SimResult r;
  init_result(m, opt, r);
  simulate_more(m, opt, opt.trials, r);
  return r;
}

// ---------------------------------------------------------------- summaries

SummaryTable summary_table(const std::vector<PortfolioSummary>& s) {
  SummaryTable t;
  for (std::size_t i = 0; i < s.size(); ++i)
    for (std::size_t k = 0; k < kMetricCount; ++k) {
      const MetricSummary& x = s[i][k];
      t.strategy.push_back(static_cast<std::uint32_t>(i));
      t.metric.push_back(static_cast<std::uint8_t>(k));
      t.mean.push_back(x.mean);
      t.se.push_back(x.se);
      t.sd.push_back(x.sd);
      t.p5.push_back(x.p5);
      t.p50.push_back(x.p50);
      t.p95.push_back(x.p95);
      t.shortfall.push_back(x.shortfall);
      t.p_negative.push_back(x.p_negative);
      t.expected.push_back(x.expected);
    }
  return t;
}

Comparisons comparisons(const SimResult& r) {
  Comparisons c;
  for (const PairStats& q : r.pairs) {
    c.a.push_back(q.a);
    c.b.push_back(q.b);
    c.p_a_beats_b.push_back(q.p_a_beats_b());
    c.mean_difference.push_back(q.difference.mean);
    c.se_difference.push_back(q.difference.se());
    c.a.push_back(q.b);
    c.b.push_back(q.a);
    c.p_a_beats_b.push_back(q.difference.n > 0 ? 1.0 - q.p_a_beats_b() : 0.0);
    c.mean_difference.push_back(-q.difference.mean);
    c.se_difference.push_back(q.difference.se());
  }
  return c;
}

namespace {

// The value of ascending rank k of v, given that every element before `from` ranks below every
// element from `from` on (true for from = 0), and that v[from - 1] holds its rank; afterwards
// the same holds for from = k + 1.
double select_rank(std::vector<double>& v, std::size_t from, std::size_t k) {
  if (k >= from)
    std::nth_element(v.begin() + static_cast<std::ptrdiff_t>(from),
                     v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

// stats::quantile_sorted(sorted v, q) by selection: the same two order statistics, the same
// interpolation, so the same bits, in O(n) rather than a sort's O(n log n).
double quantile_by_selection(std::vector<double>& v, std::size_t& from, double q) {
  const double h = (static_cast<double>(v.size()) - 1.0) * q;
  const std::size_t lo = static_cast<std::size_t>(std::floor(h));
  const double a = select_rank(v, from, lo);
  from = lo + 1;
  if (lo + 1 >= v.size()) return a;  // the largest value
  const double b = *std::min_element(v.begin() + static_cast<std::ptrdiff_t>(lo + 1), v.end());
  return a + (h - static_cast<double>(lo)) * (b - a);
}

// Quantiles and the expected shortfall of one metric's per-trial values (a copy, reordered).
// The worst 5 % are brought to their end of the vector by selection, then sorted and summed in
// ascending order, as a sort of the whole vector would sum them.
void tail_statistics(std::vector<double> v, bool worst_is_high, MetricSummary& s) {
  const std::size_t n = v.size();
  const std::size_t tail =
      std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(0.05 * static_cast<double>(n))));
  const auto b = v.begin(), e = v.end();
  const auto cut =
      worst_is_high ? e - static_cast<std::ptrdiff_t>(tail) : b + static_cast<std::ptrdiff_t>(tail);
  if (tail < n) std::nth_element(b, cut, e);
  const auto t0 = worst_is_high ? cut : b, t1 = worst_is_high ? e : cut;
  std::sort(t0, t1);
  double sum = 0;
  for (auto it = t0; it != t1; ++it) sum += *it;
  s.shortfall = sum / static_cast<double>(tail);
  std::size_t from = 0;
  s.p5 = quantile_by_selection(v, from, 0.05);
  s.p50 = quantile_by_selection(v, from, 0.50);
  s.p95 = quantile_by_selection(v, from, 0.95);
}

MetricSummary summarize_metric(const SimResult& r, std::size_t p, std::size_t k) {
  MetricSummary s;
  const Moments& mo = r.moments[p][k];
  s.mean = mo.mean;
  s.sd = mo.sd();
  s.se = mo.se();
  s.p_negative = r.trials ? static_cast<double>(r.negatives[p][k]) / r.trials : 0.0;
  s.p5 = s.p50 = s.p95 = s.shortfall = std::numeric_limits<double>::quiet_NaN();
  if (r.has_values && r.trials > 0)
    tail_statistics(r.values[p][k], static_cast<Metric>(k) == Metric::cost, s);
  return s;
}

}  // namespace

std::vector<PortfolioSummary> summarize(const CampaignModel& m, const SimResult& r) {
  const std::size_t np = m.portfolio_count();
  std::vector<PortfolioSummary> out(np);
  const std::size_t jobs = np * kMetricCount;
  // Distributed: every rank holds every per-trial value, so each summarises its share of the
  // (portfolio, metric) jobs and the shares are gathered in rank order; each job's numbers are
  // computed by one rank exactly as one process computes them.
  const dist::Range mine = dist::my_share(jobs);  // all of them in one process
  tbb::parallel_for(mine.begin, mine.end, [&](std::uint64_t job) {
    out[job / kMetricCount][job % kMetricCount] =
        summarize_metric(r, job / kMetricCount, job % kMetricCount);
  });
  static_assert(std::is_trivially_copyable_v<MetricSummary>);
  if (dist::distributed()) {
    std::string blob(mine.size() * sizeof(MetricSummary), '\0');
    for (std::uint64_t job = mine.begin; job < mine.end; ++job)
      std::memcpy(blob.data() + (job - mine.begin) * sizeof(MetricSummary),
                  &out[job / kMetricCount][job % kMetricCount], sizeof(MetricSummary));
    const std::vector<std::string> all = dist::allgather(blob);
    for (int rank = 0; rank < static_cast<int>(all.size()); ++rank) {
      const dist::Range theirs = dist::share(jobs, rank, static_cast<int>(all.size()));
      if (all[rank].size() != theirs.size() * sizeof(MetricSummary))
        throw std::logic_error("summaries of rank " + std::to_string(rank) + ": wrong size");
      for (std::uint64_t job = theirs.begin; job < theirs.end; ++job)
        std::memcpy(&out[job / kMetricCount][job % kMetricCount],
                    all[rank].data() + (job - theirs.begin) * sizeof(MetricSummary),
                    sizeof(MetricSummary));
    }
  }
  for (std::size_t p = 0; p < np; ++p) {
    const Totals e = m.expected(p);
    for (std::size_t k = 0; k < kMetricCount; ++k) out[p][k].expected = e[k];
  }
  return out;
}

double relative_se(const SimResult& r, std::size_t p, Metric metric) {
  const Moments& mo = r.moments[p][idx(metric)];
  const double se = mo.se();
  if (se == 0.0) return 0.0;
  if (metric == Metric::roi) return se;
  double scale = std::fabs(mo.mean);
  if (metric == Metric::profit) scale = std::fabs(r.moments[p][idx(Metric::cost)].mean);
  return scale > 0 ? se / scale : std::numeric_limits<double>::infinity();
}

double max_relative_se(const SimResult& r) {
  double worst = 0.0;
  for (std::size_t p = 0; p < r.moments.size(); ++p)
    for (std::size_t k = 0; k < kMetricCount; ++k)
      worst = std::max(worst, relative_se(r, p, static_cast<Metric>(k)));
  return worst;
}

PrecisionReport simulate_to_precision(const CampaignModel& m, const SimOptions& opt,
                                      const PrecisionOptions& prec, SimResult& r) {
  if (!(prec.target > 0.0 && prec.target < 1.0))
    throw ConfigError("--precision", std::to_string(prec.target),
                      "a relative standard error in (0, 1), e.g. 0.005");
  if (prec.max_trials < 1 || prec.max_trials > kMaxTrials)
    throw ConfigError("--max-trials", std::to_string(prec.max_trials),
                      "from 1 to " + std::to_string(kMaxTrials));
  auto round_up = [](double x) {
    const double b = static_cast<double>(kBlockTrials);
    return static_cast<std::uint64_t>(std::ceil(x / b) * b);
  };
  PrecisionReport rep;
  std::uint64_t next = std::min(prec.max_trials, round_up(std::max<double>(1.0, prec.first_round)));
  for (;;) {
    simulate_more(m, opt, next, r);
    rep.rounds++;
    rep.max_relative_se = max_relative_se(r);
    if (rep.max_relative_se < prec.target) {
      rep.reached = true;
      break;
    }
    if (r.trials >= prec.max_trials) break;
    // se ~ 1/sqrt(n): n_needed = n (rse / target)^2, with 10 % to spare.
    const double ratio = rep.max_relative_se / prec.target;
    const double needed = static_cast<double>(r.trials) * ratio * ratio * 1.1;
    const double want = std::min(needed, static_cast<double>(prec.max_trials));
    next = std::min(
        prec.max_trials - r.trials,
        std::max<std::uint64_t>(kBlockTrials, round_up(want - static_cast<double>(r.trials))));
  }
  return rep;
}

}  // namespace microreach::sim
