#include "microreach/synth.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <memory>
#include <utility>
#include <vector>

#include "microreach/isa.hpp"

#include "microreach/random.hpp"
#include "microreach/vmath.hpp"

namespace microreach {
namespace {

template <std::size_t N>
std::array<double, N> cumulative(const std::array<double, N>& w) {
  std::array<double, N> c{};
  double s = 0;
  for (std::size_t i = 0; i < N; ++i) c[i] = (s += w[i]);
  return c;
}

constexpr std::array<const char*, 13> kCountries = {"US", "IN", "BR", "GB", "DE", "FR", "ID",
                                                    "MX", "ES", "IT", "CA", "AU", "JP"};
constexpr std::array<double, 13> kCountryCdf = {0.30, 0.42, 0.52, 0.60, 0.66, 0.71, 0.76,
                                                0.81, 0.85, 0.89, 0.93, 0.96, 1.00};
constexpr std::array<const char*, 24> kSyllables = {"la", "mi", "ko", "ra", "ne", "su", "ta", "vi",
                                                    "lo", "ma", "ri", "zo", "ka", "nu", "pe", "li",
                                                    "do", "sa", "mo", "fi", "ba", "ye", "ru", "ti"};

inline double clamp01(double v) {
  return std::min(1.0, std::max(0.0, v));
}

// Typical fake share of an honest account (median of its logit-normal prior).
constexpr double kHonestFakeMedian = 0.06;

}  // namespace

namespace {

// Version 1: one Philox4x64 stream per row, drawn in the order the fields are computed, and a
// second stream for the handle. Kept verbatim so files written with it can be reproduced.
void generate_v1(std::uint64_t seed, std::uint64_t first, std::size_t count,
                 const GeneratorConfig& gen, const ScoringConfig& sc, ProfileChunk& out) {
  const auto platform_cdf = cumulative(gen.platform_mix);
  const auto niche_cdf = cumulative(gen.niche_mix);
  const double honest_logit = std::log(kHonestFakeMedian / (1 - kHonestFakeMedian));

  for (std::size_t r = 0; r < count; ++r) {
    const std::uint64_t i = first + r;
    Stream s(seed, Purpose::generator, i);
    const auto platform = static_cast<std::uint8_t>(s.categorical(platform_cdf));
    const auto niche = static_cast<std::uint8_t>(s.categorical(niche_cdf));
    // Followers: Pareto(follower_min, alpha), capped.
    double F = gen.follower_min * std::pow(s.uniform(), -1.0 / gen.pareto_alpha);
    F = std::floor(std::min(F, gen.follower_max));
    double like_b = 0, comment_b = 0;
    benchmark_rates(F, platform, sc, like_b, comment_b);

    // Fraud: more likely on larger accounts (an industry audit of 12M accounts, docs/model.md
    // "Sources": ~42 % of 1k-5k and ~66 % of 1M+ accounts show *some* fraud; here only the
    // heavy cases are "fraudulent").
    const double decades = std::max(0.0, std::log10(F / 1000.0));
    const double p_fraud = std::min(0.5, gen.fraud_base + gen.fraud_per_decade * decades);
    const bool fraud = s.bernoulli(p_fraud);
    const double fake =
        fraud ? s.uniform(0.25, 0.75) : 1.0 / (1.0 + std::exp(-(honest_logit + 0.6 * s.normal())));

    // Engagement around the benchmark, produced by the authentic followers only.
    const double authentic_scale = (1.0 - fake) / (1.0 - kHonestFakeMedian);
    const double e = s.lognormal_mean(1.0, gen.engagement_sigma);
    double likes = F * like_b * e * authentic_scale;
    const double comments = F * comment_b * e * s.lognormal_mean(1.0, 0.3) * authentic_scale;
    const double shares = likes * 0.04 * s.lognormal_mean(1.0, 0.5);
    // Fraud patterns: bought likes (few comments), follow-for-follow, a growth spike.
    const bool bought_likes = fraud && s.bernoulli(0.4);
    const bool follow_for_follow = fraud && s.bernoulli(0.6);
    const bool growth_spike = fraud && s.bernoulli(0.5);
    if (bought_likes) likes += F * like_b * s.uniform(3.0, 7.0);
    double following = s.lognormal_median(400.0, 0.8);
    if (follow_for_follow) following = F * s.uniform(1.2, 3.0) + 200.0;
    following = std::floor(std::min(following, 7500.0));
    double growth = s.normal(0.02, 0.015);
    if (growth_spike) growth = s.uniform(0.15, 0.6);

    const double posts = std::max(1.0, std::floor(s.lognormal_median(350.0, 0.9)));
    const double reply =
        clamp01(std::clamp(0.55 - 0.08 * decades, 0.02, 0.9) * s.lognormal_mean(1.0, 0.3));
    // Price: what an advertiser sees sets it — followers and platform (the price model), the
    // engagement the account shows against its size benchmark (bought likes included: they are
    // visible, fake followers' missing engagement too) and the niche — plus a residual. An
    // account engaging exactly at its benchmark in a niche of factor 1 has the model's price as
    // its median. Bargains that are bargains only by price noise are rare; cheap accounts are
    // mostly cheap because they engage less.
    const double shown = (likes + comments) / (F * (like_b + comment_b));
    const double price =
        std::round(
            std::max(sc.min_price, model_price(F, platform, sc) * gen.niche_price_factor[niche] *
                                       std::pow(shown, gen.price_engagement_elasticity) *
                                       s.lognormal_median(1.0, gen.price_sigma)) *
            100.0) /
        100.0;
    const bool video = platform == static_cast<std::uint8_t>(Platform::tiktok) ||
                       platform == static_cast<std::uint8_t>(Platform::youtube);
    const double views =
        video ? std::floor(F * (1 - fake) * 0.3 * s.lognormal_mean(1.0, 0.5)) : kMissing;
    const bool fake_known = s.bernoulli(gen.known_fake_share);
    const char* country = kCountries[s.categorical(kCountryCdf)];

    out.id[r] = i;
    out.platform[r] = platform;
    out.niche[r] = niche;
    out.followers[r] = F;
    out.following[r] = following;
    out.posts[r] = posts;
    out.avg_likes[r] = std::round(likes);
    out.avg_comments[r] = std::round(comments);
    out.avg_shares[r] = std::round(shares);
    out.avg_views[r] = views;
    out.reply_rate[r] = reply;
    out.fake_follower_share[r] = fake_known ? fake : kMissing;
    out.follower_growth_30d[r] = growth;
    out.price_per_post[r] = price;
    out.country[r] = country;
    out.true_fake_share[r] = fake;

    // A pronounceable handle from its own stream (so names never shift the numbers above),
    // made unique by the row index.
    Stream ns(seed, Purpose::generator_names, i);
    std::string h;
    const int syl = 2 + static_cast<int>(ns.below(2));
    for (int k = 0; k < syl; ++k) h += kSyllables[ns.below(kSyllables.size())];
    h += '.';
    h += kNicheNames[niche];
    h += '.';
    h += std::to_string(i);
    out.handle[r] = std::move(h);
  }
}

// Version 2: the same model drawn from a fixed layout of random words, for blocks of rows at a
// time, in loops the compiler vectorizes (docs/model.md "Synthetic population", "Random stream
// layout"). Row i gets kSlots Philox4x32-10 blocks, counter (i mod 2^32, i / 2^32, slot,
// kPurpose), key the seed's two halves: 28 words, words 0..23 read as 24 uniforms
// ((w + 1/2) 2^-32), words 24 and 25 the handle's 64 bits (high half first), 26 and 27 unused.
// Every variate is drawn whether the row uses it or not, and branches are selects, so a row's
// words never depend on another field's value.
constexpr std::size_t kRows = 128;  // rows per block
constexpr int kSlots = 7;           // Philox4x32 blocks per row
constexpr int kWords = 4 * kSlots;
constexpr int kUniforms = 24;
constexpr int kHandleWord = 24;
constexpr int kNormals = 10;  // from uniforms 14..23, Box-Muller in pairs
constexpr std::uint32_t kPurpose = static_cast<std::uint32_t>(Purpose::generator);

// The uniforms' roles.
enum U : int {
  u_platform,
  u_niche,
  u_followers,
  u_fraud,
  u_fraud_fake,
  u_bought_likes,
  u_follow_for_follow,
  u_growth_spike,
  u_bought_amount,
  u_follow_ratio,
  u_spike_growth,
  u_fake_known,
  u_country,
  u_unused,
  u_normals  // 14..23: (radius, angle) pairs of Box-Muller
};
// The normals' roles (z[2m] = r cos, z[2m + 1] = r sin of pair m).
enum Z : int {
  z_honest_fake,
  z_engagement,
  z_comments,
  z_shares,
  z_following,
  z_growth,
  z_posts,
  z_reply,
  z_price,
  z_views
};

// A row's benchmark segment (docs/model.md: interpolated linearly in log-log between the
// platform's points), in logs: rates exp(ln_a + t d), t = (ln F - ln_fa) inv_span clamped to
// [0, 1] (so the first and last point's rates hold beyond the table).
struct Segment {
  double upper;  // the segment's upper point's followers
  double ln_fa, inv_span, ln_like_a, d_like, ln_com_a, d_com;
};
struct Tables {
  std::array<std::vector<Segment>, kPlatformCount> seg;
  std::array<double, kPlatformCount> price_factor{};
  std::array<double, kPlatformCount> platform_cdf{};
  std::array<double, kNicheCount> niche_cdf{};
};

Tables make_tables(const GeneratorConfig& gen, const ScoringConfig& sc) {
  Tables t;
  for (std::size_t p = 0; p < kPlatformCount; ++p) {
    const auto& pts = sc.benchmark[p];
    t.price_factor[p] = sc.platform_price_factor[p];
    if (pts.size() == 1) {
      const auto& a = pts[0];
      t.seg[p].push_back({a.followers, vmath::log(a.followers), 0.0, vmath::log(a.like_rate), 0.0,
                          vmath::log(a.comment_rate), 0.0});
    }
    for (std::size_t i = 1; i < pts.size(); ++i) {
      const auto& a = pts[i - 1];
      const auto& b = pts[i];
      const double ln_fa = vmath::log(a.followers);
      t.seg[p].push_back(
          {b.followers, ln_fa, 1.0 / (vmath::log(b.followers) - ln_fa), vmath::log(a.like_rate),
           vmath::log(b.like_rate) - vmath::log(a.like_rate), vmath::log(a.comment_rate),
           vmath::log(b.comment_rate) - vmath::log(a.comment_rate)});
    }
  }
  t.platform_cdf = cumulative(gen.platform_mix);
  t.niche_cdf = cumulative(gen.niche_mix);
  return t;
}

// Index drawn from cumulative weights by a uniform: the number of bounds u * total reaches
// (the same index as Stream::categorical), as a double.
template <std::size_t N>
inline double pick(double u, const std::array<double, N>& cdf) {
  const double x = u * cdf[N - 1];
  double k = 0;
  for (std::size_t i = 0; i + 1 < N; ++i) k += x >= cdf[i] ? 1.0 : 0.0;
  return k;
}

// The block's working arrays (one per generate_chunk call, reused block after block).
struct Work {
  alignas(64) std::uint32_t w[kWords][kRows];
  alignas(64) double u[kUniforms][kRows];
  alignas(64) double z[kNormals][kRows];
  alignas(64) std::uint64_t handle_bits[kRows];
  alignas(64) double platform[kRows], niche[kRows], country[kRows], followers[kRows],
      ln_followers[kRows];
  // The row's benchmark segment and price factor (filled by the scalar look-up).
  alignas(64) double ln_fa[kRows], inv_span[kRows], ln_like_a[kRows], d_like[kRows],
      ln_com_a[kRows], d_com[kRows], price_factor[kRows], niche_factor[kRows];
  // The block's numeric columns (copied out to the chunk: written here, in the same object as
  // the inputs, the compiler sees that they do not overlap and vectorizes without checks).
  alignas(64) double following[kRows], posts[kRows], likes[kRows], comments[kRows], shares[kRows],
      views[kRows], reply[kRows], fake_known[kRows], growth[kRows], price[kRows], true_fake[kRows];
};

struct Params {
  std::uint64_t seed;
  GeneratorConfig gen;
  double min_price, price_per_1000;
};

// Words, uniforms, normals, categories and followers of rows first .. first + n.
__attribute__((always_inline)) inline void draw_block(const Params& prm, const Tables& tab,
                                                      std::uint64_t first, std::size_t n,
                                                      Work& wk) {
  const auto k0 = static_cast<std::uint32_t>(prm.seed);
  const auto k1 = static_cast<std::uint32_t>(prm.seed >> 32);
  for (int slot = 0; slot < kSlots; ++slot) {
    std::uint32_t* __restrict w0 = wk.w[4 * slot];
    std::uint32_t* __restrict w1 = wk.w[4 * slot + 1];
    std::uint32_t* __restrict w2 = wk.w[4 * slot + 2];
    std::uint32_t* __restrict w3 = wk.w[4 * slot + 3];
    for (std::size_t j = 0; j < n; ++j) {
      const std::uint64_t i = first + j;
      std::uint32_t c[4] = {static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i >> 32),
                            static_cast<std::uint32_t>(slot), kPurpose};
      philox4x32_words(c, k0, k1);
      w0[j] = c[0];
      w1[j] = c[1];
      w2[j] = c[2];
      w3[j] = c[3];
    }
  }
  for (int k = 0; k < kUniforms; ++k)
    for (std::size_t j = 0; j < n; ++j) wk.u[k][j] = Stream::to_uniform32(wk.w[k][j]);
  for (std::size_t j = 0; j < n; ++j)
    wk.handle_bits[j] = (std::uint64_t{wk.w[kHandleWord][j]} << 32) | wk.w[kHandleWord + 1][j];
  for (int m = 0; m < kNormals / 2; ++m) {
    const double* __restrict u1 = wk.u[u_normals + 2 * m];
    const double* __restrict u2 = wk.u[u_normals + 2 * m + 1];
    double* __restrict za = wk.z[2 * m];
    double* __restrict zb = wk.z[2 * m + 1];
    for (std::size_t j = 0; j < n; ++j) {
      const double r = std::sqrt(-2.0 * vmath::log(u1[j]));
      const vmath::SinCos sc = vmath::sincos_2pi(u2[j]);
      za[j] = r * sc.c;
      zb[j] = r * sc.s;
    }
  }
  const double fmin = prm.gen.follower_min, fmax = prm.gen.follower_max;
  const double inv_alpha = -1.0 / prm.gen.pareto_alpha;
  const auto pcdf = tab.platform_cdf;
  const auto ncdf = tab.niche_cdf;
  for (std::size_t j = 0; j < n; ++j) {
    wk.platform[j] = pick(wk.u[u_platform][j], pcdf);
    wk.niche[j] = pick(wk.u[u_niche][j], ncdf);
    wk.country[j] = pick(wk.u[u_country][j], kCountryCdf);
    // Followers: Pareto(follower_min, alpha), capped.
    const double f =
        vmath::floor(std::min(fmin * vmath::pow_pos(wk.u[u_followers][j], inv_alpha), fmax));
    wk.followers[j] = f;
    wk.ln_followers[j] = vmath::log(f);
  }
}

// The benchmark segment and price factor of each row (scalar: table look-ups by platform).
void look_up(const Tables& tab, const GeneratorConfig& gen, std::size_t n, Work& wk) {
  for (std::size_t j = 0; j < n; ++j) {
    const auto p = static_cast<std::size_t>(wk.platform[j]);
    const auto& segs = tab.seg[p];
    std::size_t i = 0;
    while (i + 1 < segs.size() && segs[i].upper < wk.followers[j]) ++i;
    const Segment& s = segs[i];
    wk.ln_fa[j] = s.ln_fa;
    wk.inv_span[j] = s.inv_span;
    wk.ln_like_a[j] = s.ln_like_a;
    wk.d_like[j] = s.d_like;
    wk.ln_com_a[j] = s.ln_com_a;
    wk.d_com[j] = s.d_com;
    wk.price_factor[j] = tab.price_factor[p];
    wk.niche_factor[j] = gen.niche_price_factor[static_cast<std::size_t>(wk.niche[j])];
  }
}

__attribute__((always_inline)) inline void model_block(const Params& prm, std::size_t n, Work& wk) {
  const GeneratorConfig& g = prm.gen;
  const double honest_logit = vmath::log(kHonestFakeMedian / (1 - kHonestFakeMedian));
  constexpr double kLn1000 = 0x1.ba18a998fffap2;     // ln 1000
  constexpr double kInvLn10 = 0x1.bcb7b1526e50ep-2;  // 1 / ln 10
  const double es = g.engagement_sigma, ps = g.price_sigma;
  const double tiktok = static_cast<double>(Platform::tiktok);
  const double youtube = static_cast<double>(Platform::youtube);
  for (std::size_t j = 0; j < n; ++j) {
    const double F = wk.followers[j];
    const double lnF = wk.ln_followers[j];
    // Benchmark rates, log-log interpolation.
    const double t = std::clamp((lnF - wk.ln_fa[j]) * wk.inv_span[j], 0.0, 1.0);
    const double like_b = vmath::exp(wk.ln_like_a[j] + t * wk.d_like[j]);
    const double comment_b = vmath::exp(wk.ln_com_a[j] + t * wk.d_com[j]);
    // Fraud: more likely on larger accounts.
    const double decades = std::max(0.0, (lnF - kLn1000) * kInvLn10);
    const double p_fraud = std::min(0.5, g.fraud_base + g.fraud_per_decade * decades);
    // Every value loaded whether used or not (a conditional load would keep the loop scalar).
    const double u_fake = wk.u[u_fraud_fake][j], u_bought = wk.u[u_bought_likes][j],
                 u_f4f = wk.u[u_follow_for_follow][j], u_spike = wk.u[u_growth_spike][j],
                 u_amount = wk.u[u_bought_amount][j], u_ratio = wk.u[u_follow_ratio][j],
                 u_growth = wk.u[u_spike_growth][j], z_grow = wk.z[z_growth][j];
    const bool fraud = wk.u[u_fraud][j] < p_fraud;
    const double honest_fake =
        1.0 / (1.0 + vmath::exp(-(honest_logit + 0.6 * wk.z[z_honest_fake][j])));
    const double fake = fraud ? 0.25 + 0.5 * u_fake : honest_fake;
    wk.true_fake[j] = fake;
    wk.fake_known[j] = wk.u[u_fake_known][j] < g.known_fake_share ? fake : kMissing;
    // Engagement around the benchmark, produced by the authentic followers only.
    const double authentic_scale = (1.0 - fake) / (1.0 - kHonestFakeMedian);
    const double e = vmath::exp(es * wk.z[z_engagement][j] - 0.5 * es * es);
    double likes = F * like_b * e * authentic_scale;
    const double comments = F * comment_b * e *
                            vmath::exp(0.3 * wk.z[z_comments][j] - 0.5 * 0.3 * 0.3) *
                            authentic_scale;
    const double shares = likes * 0.04 * vmath::exp(0.5 * wk.z[z_shares][j] - 0.5 * 0.5 * 0.5);
    // Fraud patterns: bought likes (few comments), follow-for-follow, a growth spike.
    const bool bought_likes = fraud & (u_bought < 0.4);
    const bool follow_for_follow = fraud & (u_f4f < 0.6);
    const bool growth_spike = fraud & (u_spike < 0.5);
    const double bought = F * like_b * (3.0 + 4.0 * u_amount);
    likes += bought_likes ? bought : 0.0;
    wk.likes[j] = vmath::round(likes);
    wk.comments[j] = vmath::round(comments);
    wk.shares[j] = vmath::round(shares);
    const double following_honest = 400.0 * vmath::exp(0.8 * wk.z[z_following][j]);
    const double following_f4f = F * (1.2 + 1.8 * u_ratio) + 200.0;
    wk.following[j] =
        vmath::floor(std::min(follow_for_follow ? following_f4f : following_honest, 7500.0));
    wk.growth[j] = growth_spike ? 0.15 + 0.45 * u_growth : 0.02 + 0.015 * z_grow;
    wk.posts[j] = std::max(1.0, vmath::floor(350.0 * vmath::exp(0.9 * wk.z[z_posts][j])));
    wk.reply[j] =
        std::min(1.0, std::max(0.0, std::clamp(0.55 - 0.08 * decades, 0.02, 0.9) *
                                        vmath::exp(0.3 * wk.z[z_reply][j] - 0.5 * 0.3 * 0.3)));
    // Price: the price model, the niche, the engagement shown, a residual (as version 1).
    const double shown = (likes + comments) / (F * (like_b + comment_b));
    const double model =
        std::max(prm.min_price, prm.price_per_1000 * F / 1000.0 * wk.price_factor[j]);
    const double nf = wk.niche_factor[j];
    wk.price[j] =
        vmath::round(std::max(prm.min_price,
                              model * nf * vmath::pow_pos(shown, g.price_engagement_elasticity) *
                                  vmath::exp(ps * wk.z[z_price][j])) *
                     100.0) /
        100.0;
    const double platform = wk.platform[j];
    const bool video = (platform == tiktok) | (platform == youtube);
    const double views =
        vmath::floor(F * (1 - fake) * 0.3 * vmath::exp(0.5 * wk.z[z_views][j] - 0.5 * 0.5 * 0.5));
    wk.views[j] = video ? views : kMissing;
  }
}

// The baseline and x86-64-v3 copies of the vector stages (isa.hpp): the same bits.
__attribute__((noinline)) void draw_block_baseline(const Params& prm, const Tables& tab,
                                                   std::uint64_t first, std::size_t n, Work& wk) {
  draw_block(prm, tab, first, n, wk);
}
__attribute__((noinline)) void model_block_baseline(const Params& prm, std::size_t n, Work& wk) {
  model_block(prm, n, wk);
}
#if MICROREACH_V3_CLONE
MICROREACH_TARGET_V3 __attribute__((noinline, flatten)) void draw_block_v3(
    const Params& prm, const Tables& tab, std::uint64_t first, std::size_t n, Work& wk) {
  draw_block(prm, tab, first, n, wk);
}
MICROREACH_TARGET_V3 __attribute__((noinline, flatten)) void model_block_v3(const Params& prm,
                                                                            std::size_t n,
                                                                            Work& wk) {
  model_block(prm, n, wk);
}
#else
void draw_block_v3(const Params& prm, const Tables& tab, std::uint64_t first, std::size_t n,
                   Work& wk) {
  draw_block(prm, tab, first, n, wk);
}
void model_block_v3(const Params& prm, std::size_t n, Work& wk) {
  model_block(prm, n, wk);
}
#endif

// A handle: 2 or 3 syllables (bit 63 of the row's handle word; syllable k from its bits
// 20k .. 20k + 19 by multiply-shift), '.', the niche, '.', the row index.
void write_handle(std::uint64_t bits, std::size_t niche, std::uint64_t i, std::string& out) {
  char buf[64];
  char* p = buf;
  const int syl = 2 + static_cast<int>(bits >> 63);
  for (int k = 0; k < syl; ++k) {
    const std::uint64_t field = (bits >> (20 * k)) & 0xfffffu;
    const char* s = kSyllables[(field * kSyllables.size()) >> 20];
    *p++ = s[0];
    *p++ = s[1];
  }
  *p++ = '.';
  const std::string_view name = kNicheNames[niche];
  p = std::copy(name.begin(), name.end(), p);
  *p++ = '.';
  p = std::to_chars(p, buf + sizeof buf, i).ptr;
  out.assign(buf, p);
}

// The block's numeric columns and the chunk's they are copied to.
using BlockColumn = double (Work::*)[kRows];
using ChunkColumn = std::vector<double> ProfileChunk::*;
constexpr std::array<std::pair<BlockColumn, ChunkColumn>, 12> kBlockColumns = {
    {{&Work::followers, &ProfileChunk::followers},
     {&Work::following, &ProfileChunk::following},
     {&Work::posts, &ProfileChunk::posts},
     {&Work::likes, &ProfileChunk::avg_likes},
     {&Work::comments, &ProfileChunk::avg_comments},
     {&Work::shares, &ProfileChunk::avg_shares},
     {&Work::views, &ProfileChunk::avg_views},
     {&Work::reply, &ProfileChunk::reply_rate},
     {&Work::fake_known, &ProfileChunk::fake_follower_share},
     {&Work::growth, &ProfileChunk::follower_growth_30d},
     {&Work::price, &ProfileChunk::price_per_post},
     {&Work::true_fake, &ProfileChunk::true_fake_share}}};

void generate_v2(std::uint64_t seed, std::uint64_t first, std::size_t count,
                 const GeneratorConfig& gen, const ScoringConfig& sc, ProfileChunk& out, bool v3) {
  const Tables tab = make_tables(gen, sc);
  const Params prm{seed, gen, sc.min_price, sc.price_per_1000};
  const auto wk = std::make_unique<Work>();
  for (std::size_t r0 = 0; r0 < count; r0 += kRows) {
    const std::size_t n = std::min(kRows, count - r0);
    if (v3)
      draw_block_v3(prm, tab, first + r0, n, *wk);
    else
      draw_block_baseline(prm, tab, first + r0, n, *wk);
    look_up(tab, gen, n, *wk);
    if (v3)
      model_block_v3(prm, n, *wk);
    else
      model_block_baseline(prm, n, *wk);
    for (const auto& [from, to] : kBlockColumns)
      std::copy(*wk.*from, *wk.*from + n, (out.*to).begin() + static_cast<std::ptrdiff_t>(r0));
    for (std::size_t j = 0; j < n; ++j) {
      const std::size_t r = r0 + j;
      const std::uint64_t i = first + r;
      const auto niche = static_cast<std::uint8_t>(wk->niche[j]);
      out.id[r] = i;
      out.platform[r] = static_cast<std::uint8_t>(wk->platform[j]);
      out.niche[r] = niche;
      out.country[r] = kCountries[static_cast<std::size_t>(wk->country[j])];
      write_handle(wk->handle_bits[j], niche, i, out.handle[r]);
    }
  }
}

}  // namespace

void generate_chunk(std::uint64_t seed, std::uint64_t first, std::size_t count,
                    const GeneratorConfig& gen, const ScoringConfig& sc, ProfileChunk& out) {
  static const bool v3 = v3_clone_by_default();
  generate_chunk(seed, first, count, gen, sc, out, v3);
}

void generate_chunk(std::uint64_t seed, std::uint64_t first, std::size_t count,
                    const GeneratorConfig& gen, const ScoringConfig& sc, ProfileChunk& out,
                    bool v3_copy) {
  out.resize(count);
  out.first_row = first;
  if (gen.version == 1)
    generate_v1(seed, first, count, gen, sc, out);
  else
    generate_v2(seed, first, count, gen, sc, out, v3_copy && cpu_runs_v3_clone());
}

}  // namespace microreach
