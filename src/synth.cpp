#include "microreach/synth.hpp"

#include <algorithm>
#include <cmath>

#include "microreach/random.hpp"

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

void generate_chunk(std::uint64_t seed, std::uint64_t first, std::size_t count,
                    const GeneratorConfig& gen, const ScoringConfig& sc, ProfileChunk& out) {
  out.resize(count);
  out.first_row = first;
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

}  // namespace microreach
