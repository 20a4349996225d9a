// Synthetic population (docs/model.md "Synthetic population").
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <utility>
#include <vector>

#include "microreach/scoring.hpp"
#include "microreach/synth.hpp"

using namespace microreach;

namespace {
bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

// Area under the ROC curve of `score` for the positives in `label` (Mann-Whitney, ties half).
double auc(const std::vector<double>& score, const std::vector<bool>& label) {
  std::vector<std::size_t> idx(score.size());
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::sort(idx.begin(), idx.end(), [&](auto a, auto b) { return score[a] < score[b]; });
  double rank_sum = 0, pos = 0;
  for (std::size_t i = 0; i < idx.size();) {
    std::size_t j = i;
    while (j < idx.size() && score[idx[j]] == score[idx[i]]) ++j;
    const double r = (i + j + 1) / 2.0;  // average 1-based rank
    for (std::size_t k = i; k < j; ++k)
      if (label[idx[k]]) {
        rank_sum += r;
        pos++;
      }
    i = j;
  }
  const double neg = score.size() - pos;
  return (rank_sum - pos * (pos + 1) / 2) / (pos * neg);
}
}  // namespace

TEST_CASE("Row i of the synthetic population depends only on the seed and i", "[synth]") {
  GeneratorConfig gen;
  ScoringConfig sc;
  ProfileChunk whole, a, b;
  generate_chunk(7, 0, 3000, gen, sc, whole);
  generate_chunk(7, 0, 1234, gen, sc, a);
  generate_chunk(7, 1234, 1766, gen, sc, b);
  std::vector<double> joined = a.followers;
  joined.insert(joined.end(), b.followers.begin(), b.followers.end());
  CHECK(same_bits(joined, whole.followers));
  std::vector<double> likes = a.avg_likes;
  likes.insert(likes.end(), b.avg_likes.begin(), b.avg_likes.end());
  CHECK(same_bits(likes, whole.avg_likes));
  CHECK(whole.handle[2000] == b.handle[2000 - 1234]);
  ProfileChunk other;
  generate_chunk(8, 0, 3000, gen, sc, other);
  CHECK_FALSE(same_bits(other.followers, whole.followers));
}

TEST_CASE("Synthetic followers are heavy-tailed and engagement sits around the benchmark",
          "[synth]") {
  GeneratorConfig gen;
  ScoringConfig sc;
  ProfileChunk p;
  generate_chunk(1, 0, 200000, gen, sc, p);
  std::size_t micro_plus = 0, mega = 0, below_min = 0;
  std::vector<double> ratio;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p.followers[i] >= 1e4) micro_plus++;
    if (p.followers[i] >= 1e6) mega++;
    below_min += p.followers[i] < gen.follower_min;
    double lb = 0, cb = 0;
    benchmark_rates(p.followers[i], p.platform[i], sc, lb, cb);
    if (p.true_fake_share[i] < 0.15) ratio.push_back(p.avg_likes[i] / (p.followers[i] * lb));
  }
  CHECK(below_min == 0);
  // Pareto(800, 0.8): P(F >= 10k) = (800/10000)^0.8 = 0.133, P(F >= 1M) = 0.0033 (closed form).
  CHECK(micro_plus / double(p.size()) == Approx(0.133).margin(0.005));
  CHECK(mega / double(p.size()) == Approx(0.0033).margin(0.0006));
  std::nth_element(ratio.begin(), ratio.begin() + ratio.size() / 2, ratio.end());
  // Honest accounts: median like rate within 15 % of the benchmark.
  CHECK(ratio[ratio.size() / 2] == Approx(1.0).margin(0.15));
}

namespace {
// A least-squares fit y = a + b x.
std::pair<double, double> fit_line(const std::vector<double>& x, const std::vector<double>& y) {
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < x.size(); ++i) mx += x[i], my += y[i];
  mx /= x.size();
  my /= y.size();
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
  }
  return {my - sxy / sxx * mx, sxy / sxx};
}
}  // namespace

TEST_CASE("Synthetic prices follow the engagement an account shows and its niche, not noise alone",
          "[synth]") {
  GeneratorConfig gen;
  ScoringConfig sc;
  ProfileChunk p;
  generate_chunk(3, 0, 400000, gen, sc, p);
  // Accounts priced above the $20 floor: log(price / price model) against log(shown engagement
  // / benchmark), niche by niche.
  std::vector<double> x, y;
  std::array<std::vector<double>, kNicheCount> by_niche;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const double model = model_price(p.followers[i], p.platform[i], sc);
    if (model * 0.5 < 2 * sc.min_price) continue;
    double lb = 0, cb = 0;
    benchmark_rates(p.followers[i], p.platform[i], sc, lb, cb);
    const double shown = (p.avg_likes[i] + p.avg_comments[i]) / (p.followers[i] * (lb + cb));
    const double rel = std::log(p.price_per_post[i] / model);
    x.push_back(std::log(shown));
    y.push_back(rel - std::log(gen.niche_price_factor[p.niche[i]]));
    by_niche[p.niche[i]].push_back(rel - gen.price_engagement_elasticity * std::log(shown));
  }
  REQUIRE(x.size() > 20000);
  // The slope is the configured elasticity; what is left spreads as the residual's sigma.
  const auto [a, b] = fit_line(x, y);
  CHECK(b == Approx(gen.price_engagement_elasticity).margin(0.03));
  CHECK(a == Approx(0.0).margin(0.02));  // at benchmark engagement: the price model (median)
  double ss = 0;
  for (std::size_t i = 0; i < x.size(); ++i) ss += std::pow(y[i] - a - b * x[i], 2);
  CHECK(std::sqrt(ss / x.size()) == Approx(gen.price_sigma).margin(0.02));
  // Niche premiums: finance costs about 1.5 / 0.8 times gaming at the same engagement.
  auto median = [](std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
  };
  const auto finance = static_cast<std::size_t>(Niche::finance);
  const auto gaming = static_cast<std::size_t>(Niche::gaming);
  CHECK(std::exp(median(by_niche[finance]) - median(by_niche[gaming])) ==
        Approx(gen.niche_price_factor[finance] / gen.niche_price_factor[gaming]).epsilon(0.05));
}

TEST_CASE("The authenticity estimate finds the fraudulent minority in synthetic data",
          "[synth][scoring]") {
  GeneratorConfig gen;
  ScoringConfig sc;
  ProfileChunk p;
  generate_chunk(3, 0, 100000, gen, sc, p);
  ScoreChunk s;
  score_chunk(p, sc, s);
  std::vector<bool> fraud(p.size());
  std::size_t n_fraud = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    fraud[i] = p.true_fake_share[i] >= 0.25;
    n_fraud += fraud[i];
  }
  CHECK(n_fraud > 3000);
  CHECK(auc(s.fake_share, fraud) > 0.85);
}
