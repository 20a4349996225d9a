// Synthetic population (docs/model.md "Synthetic population").
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <utility>
#include <vector>

#include <tbb/parallel_for.h>

#include "microreach/error.hpp"
#include "microreach/isa.hpp"
#include "microreach/random.hpp"
#include "microreach/scoring.hpp"
#include "microreach/synth.hpp"

using namespace microreach;

namespace {
bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

// Every column of a and b, bit for bit (rows from `from` of b against all of a).
bool same_rows(const ProfileChunk& a, const ProfileChunk& b, std::size_t from = 0) {
  for (std::size_t r = 0; r < a.size(); ++r) {
    const std::size_t q = from + r;
    if (a.id[r] != b.id[q] || a.handle[r] != b.handle[q] || a.platform[r] != b.platform[q] ||
        a.niche[r] != b.niche[q] || a.country[r] != b.country[q])
      return false;
  }
  for (Column c :
       {Column::followers, Column::following, Column::posts, Column::avg_likes,
        Column::avg_comments, Column::avg_shares, Column::avg_views, Column::reply_rate,
        Column::fake_follower_share, Column::follower_growth_30d, Column::price_per_post}) {
    const auto& x = *a.numeric(c);
    const auto& y = *b.numeric(c);
    if (std::memcmp(x.data(), y.data() + from, x.size() * sizeof(double)) != 0) return false;
  }
  return std::memcmp(a.true_fake_share.data(), b.true_fake_share.data() + from,
                     a.size() * sizeof(double)) == 0;
}

GeneratorConfig version(int v) {
  GeneratorConfig g;
  g.version = v;
  return g;
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
  const GeneratorConfig gen = version(GENERATE(1, 2));
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
  const GeneratorConfig gen = version(GENERATE(1, 2));
  INFO("generator version " << gen.version);
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
  const GeneratorConfig gen = version(GENERATE(1, 2));
  INFO("generator version " << gen.version);
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
  const GeneratorConfig gen = version(GENERATE(1, 2));
  INFO("generator version " << gen.version);
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

TEST_CASE("Version 2 rows do not depend on the chunk split or the thread count", "[synth]") {
  const GeneratorConfig gen;  // version 2, the default
  REQUIRE(gen.version == 2);
  const ScoringConfig sc;
  ProfileChunk whole;
  generate_chunk(21, 1000, 5000, gen, sc, whole);
  // Splits that cut the 128-row blocks anywhere, generated in parallel in any order.
  for (std::size_t size : {std::size_t{1}, std::size_t{127}, std::size_t{129}, std::size_t{777}}) {
    const std::size_t parts = (whole.size() + size - 1) / size;
    std::vector<ProfileChunk> got(parts);
    tbb::parallel_for(std::size_t{0}, parts, [&](std::size_t k) {
      const std::size_t n = std::min(size, whole.size() - k * size);
      generate_chunk(21, 1000 + k * size, n, gen, sc, got[k]);
    });
    for (std::size_t k = 0; k < parts; ++k) {
      INFO("chunk size " << size << ", chunk " << k);
      REQUIRE(got[k].first_row == 1000 + k * size);
      REQUIRE(same_rows(got[k], whole, k * size));
    }
  }
  // Rows past 2^32 (the counter's high word) are rows like any other.
  ProfileChunk far, far2;
  generate_chunk(21, (std::uint64_t{1} << 32) - 100, 300, gen, sc, far);
  generate_chunk(21, (std::uint64_t{1} << 32) + 50, 10, gen, sc, far2);
  CHECK(same_rows(far2, far, 150));
  CHECK(far.handle[150].ends_with(".4294967346"));
}

TEST_CASE("Version 2: the baseline code and the x86-64-v3 copy give the same bits", "[synth]") {
  const GeneratorConfig gen;
  ScoringConfig sc;
  sc.set_target_niche("--niche", "fitness");
  ProfileChunk base, fast;
  generate_chunk(5, 12345, 20000, gen, sc, base, /*v3_copy=*/false);
  generate_chunk(5, 12345, 20000, gen, sc, fast, /*v3_copy=*/true);
  INFO("v3 copy runs on this CPU: " << cpu_runs_v3_clone());
  CHECK(same_rows(base, fast));
  // Some rows of each kind, so the comparison covers every branch turned select.
  std::size_t video = 0, known = 0;
  for (std::size_t r = 0; r < base.size(); ++r) {
    video += !std::isnan(base.avg_views[r]);
    known += !std::isnan(base.fake_follower_share[r]);
  }
  CHECK(video > 1000);
  CHECK(known == 0);  // known_fake_share 0 by default
}

TEST_CASE("Version 2 draws its words from Philox4x32-10 as Random123 computes it", "[synth]") {
  for (std::uint64_t seed : {std::uint64_t{0}, std::uint64_t{1}, ~std::uint64_t{0} - 5}) {
    const r123::Philox4x32::key_type key = {
        {static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
    for (std::uint32_t row : {0u, 1u, 99999u}) {
      const r123::Philox4x32::ctr_type ctr = {{row, 7u, 3u, 1u}};
      const auto want = r123::Philox4x32()(ctr, key);
      std::uint32_t c[4] = {row, 7u, 3u, 1u};
      philox4x32_words(c, key.v[0], key.v[1]);
      for (int k = 0; k < 4; ++k) CHECK(c[k] == want.v[k]);
    }
  }
}

TEST_CASE("Version 1 and 2 are different streams; a bad version is refused naming the option",
          "[synth]") {
  const ScoringConfig sc;
  ProfileChunk a, b;
  generate_chunk(7, 0, 100, version(1), sc, a);
  generate_chunk(7, 0, 100, version(2), sc, b);
  CHECK_FALSE(same_bits(a.followers, b.followers));
  GeneratorConfig o;
  CHECK(o.version == 2);
  o.set_version("--generator-version", "1");
  CHECK(o.version == 1);
  for (const char* bad : {"3", "0", "two", "1.0", "-1", ""}) {
    try {
      o.set_version("--generator-version", bad);
      FAIL("accepted --generator-version " << bad);
    } catch (const ConfigError& e) {
      const std::string msg = e.what();
      CHECK(msg.find("--generator-version") != std::string::npos);
      CHECK(msg.find(std::string("'") + bad + "'") != std::string::npos);
      CHECK(msg.find("1 (") != std::string::npos);
      CHECK(msg.find("2 (the default)") != std::string::npos);
    }
  }
  GeneratorConfig g;
  g.version = 3;
  CHECK_THROWS_AS(g.validate(), ConfigError);
}
