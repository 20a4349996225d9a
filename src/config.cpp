#include "microreach/config.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>

#include "microreach/error.hpp"

namespace microreach {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char ch : s) {
    if (ch == sep) {
      out.push_back(cur);
      cur.clear();
    } else if (ch != ' ') {
      cur += ch;
    }
  }
  out.push_back(cur);
  return out;
}

bool to_double(const std::string& s, double& v) {
  if (s.empty()) return false;
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  return ec == std::errc() && p == end && std::isfinite(v);
}

std::string num(double v) {
  std::ostringstream os;
  os.precision(10);
  os << v;
  return os.str();
}

void set_sym(std::array<std::array<double, kNicheCount>, kNicheCount>& m, Niche a, Niche b,
             double v) {
  m[static_cast<std::size_t>(a)][static_cast<std::size_t>(b)] = v;
  m[static_cast<std::size_t>(b)][static_cast<std::size_t>(a)] = v;
}

// Instagram like-rate points: the Markerly tiers (docs/model.md) at their geometric centres
// (<1k: 8 %, 1k-10k: 4 %, 10k-100k: 2.4 %, 1M-10M: 1.7 %); comment rates from the Markerly
// comment power law 0.005 (F/1000)^-0.2742 evaluated at the same points (so comment rates
// follow that power law exactly between them).
std::vector<BenchmarkPoint> instagram_points(double scale) {
  const double fs[] = {500.0, 3162.3, 31623.0, 3162278.0};
  const double likes[] = {0.08, 0.04, 0.024, 0.017};
  std::vector<BenchmarkPoint> pts;
  for (int i = 0; i < 4; ++i)
    pts.push_back({fs[i], likes[i] * scale, 0.005 * std::pow(fs[i] / 1000.0, -0.2742) * scale});
  return pts;
}

void check_unit(const std::string& option, double v, const char* what) {
  if (!(v >= 0.0 && v <= 1.0))
    throw ConfigError(option, num(v), std::string(what) + " must be in [0, 1]");
}

}  // namespace

ScoringConfig::ScoringConfig() {
  for (std::size_t i = 0; i < kNicheCount; ++i)
    for (std::size_t j = 0; j < kNicheCount; ++j)
      similarity[i][j] = i == j ? 1.0 : similarity_floor;
  const std::size_t other = static_cast<std::size_t>(Niche::other);
  similarity[other][other] = similarity_floor;  // "other" is not a shared niche
  using N = Niche;
  set_sym(similarity, N::fitness, N::sports, 0.6);
  set_sym(similarity, N::fitness, N::food, 0.3);
  set_sym(similarity, N::fitness, N::lifestyle, 0.4);
  set_sym(similarity, N::beauty, N::fashion, 0.6);
  set_sym(similarity, N::fashion, N::lifestyle, 0.5);
  set_sym(similarity, N::beauty, N::lifestyle, 0.4);
  set_sym(similarity, N::food, N::travel, 0.3);
  set_sym(similarity, N::food, N::home, 0.3);
  set_sym(similarity, N::travel, N::lifestyle, 0.5);
  set_sym(similarity, N::tech, N::gaming, 0.6);
  set_sym(similarity, N::tech, N::finance, 0.3);
  set_sym(similarity, N::gaming, N::entertainment, 0.5);
  set_sym(similarity, N::music, N::entertainment, 0.6);
  set_sym(similarity, N::parenting, N::home, 0.5);
  set_sym(similarity, N::parenting, N::pets, 0.3);
  set_sym(similarity, N::pets, N::home, 0.3);
  set_sym(similarity, N::home, N::lifestyle, 0.4);

  auto& b = benchmark;
  b[static_cast<std::size_t>(Platform::instagram)] = instagram_points(1.0);
  // TikTok: the tier pattern reverses (an industry report: nano ER ~12.6 % on TikTok); assumption:
  // a gentle rise with size.
  b[static_cast<std::size_t>(Platform::tiktok)] = {{3162.3, 0.110, 0.0040},
                                                   {31623.0, 0.120, 0.0038},
                                                   {316228.0, 0.130, 0.0035},
                                                   {3162278.0, 0.140, 0.0030}};
  // Assumptions (no published figure): the Instagram curve scaled.
  b[static_cast<std::size_t>(Platform::youtube)] = instagram_points(0.6);
  b[static_cast<std::size_t>(Platform::x)] = instagram_points(0.3);
  b[static_cast<std::size_t>(Platform::facebook)] = instagram_points(0.3);
  b[static_cast<std::size_t>(Platform::blog)] = instagram_points(0.5);
}

void ScoringConfig::validate() const {
  for (std::size_t i = 0; i < tier_lower.size(); ++i) {
    if (!(tier_lower[i] > 0) || (i > 0 && !(tier_lower[i] > tier_lower[i - 1])))
      throw ConfigError("--tier-bounds", num(tier_lower[i]),
                        "five positive, strictly increasing follower counts (nano, micro, mid, "
                        "macro, mega lower bounds)");
  }
  const double w[] = {weights.engagement, weights.authenticity, weights.relevance, weights.cost,
                      weights.responsiveness};
  const char* wn[] = {"--w-engagement", "--w-authenticity", "--w-relevance", "--w-cost",
                      "--w-responsiveness"};
  double sum = 0;
  for (int i = 0; i < 5; ++i) {
    if (!(w[i] >= 0) || !std::isfinite(w[i]))
      throw ConfigError(wn[i], num(w[i]), "a weight must be a finite number >= 0");
    sum += w[i];
  }
  if (!(sum > 0)) throw ConfigError("--w-*", "0", "at least one weight must be positive");
  check_unit("similarity_floor", similarity_floor, "the similarity floor");
  if (!std::isnan(unknown_niche_relevance))
    check_unit("unknown_niche_relevance", unknown_niche_relevance,
               "the relevance of an account with no niche");
  for (const auto& row : similarity)
    for (double v : row) check_unit("--similar", v, "a niche similarity");
  for (std::size_t p = 0; p < kPlatformCount; ++p) {
    const auto& pts = benchmark[p];
    if (pts.empty())
      throw ConfigError("--benchmark", std::string(kPlatformNames[p]),
                        "at least one point per platform");
    for (std::size_t i = 0; i < pts.size(); ++i) {
      if (!(pts[i].followers > 0) || (i > 0 && !(pts[i].followers > pts[i - 1].followers)))
        throw ConfigError("--benchmark", std::string(kPlatformNames[p]),
                          "points with positive, strictly increasing follower counts");
      if (!(pts[i].like_rate > 0 && pts[i].like_rate <= 1 && pts[i].comment_rate > 0 &&
            pts[i].comment_rate <= 1))
        throw ConfigError("--benchmark", std::string(kPlatformNames[p]),
                          "like and comment rates in (0, 1]");
    }
  }
  if (!(price_per_1000 > 0))
    throw ConfigError("price_per_1000", num(price_per_1000), "a price > 0");
  if (!(min_price >= 0)) throw ConfigError("min_price", num(min_price), "a price >= 0");
  for (double f : platform_price_factor)
    if (!(f > 0)) throw ConfigError("platform_price_factor", num(f), "a factor > 0");
  for (double r : reach_rate)
    if (!(r > 0 && r <= 1)) throw ConfigError("reach_rate", num(r), "a share in (0, 1]");
  if (!(engagement_cap > 0))
    throw ConfigError("engagement_cap", num(engagement_cap), "a number > 0");
  if (!(suspicious_engagement > 1))
    throw ConfigError("suspicious_engagement", num(suspicious_engagement), "a multiple > 1");
  check_unit("--suspected-fake-below", suspected_fake_below, "the authenticity threshold");
  if (!(cost_lo > 0 && cost_hi > cost_lo))
    throw ConfigError("cost_lo/cost_hi", num(cost_lo) + "/" + num(cost_hi),
                      "0 < cost_lo < cost_hi");
}

std::string ScoringConfig::to_text() const {
  std::ostringstream os;
  os.precision(10);
  os << "[scoring]\n";
  os << "target_niche = \""
     << (target_niche ? kNicheNames[static_cast<std::size_t>(*target_niche)] : "") << "\"\n";
  os << "tier_bounds = [" << tier_lower[0];
  for (std::size_t i = 1; i < tier_lower.size(); ++i) os << ", " << tier_lower[i];
  os << "]  # nano, micro, mid, macro, mega lower bounds\n";
  os << "w_engagement = " << weights.engagement << "\nw_authenticity = " << weights.authenticity
     << "\nw_relevance = " << weights.relevance << "\nw_cost = " << weights.cost
     << "\nw_responsiveness = " << weights.responsiveness << "\n";
  os << "similarity_floor = " << similarity_floor << "\n";
  os << "unknown_niche_relevance = " << unknown_niche_relevance << "\n";
  os << "similar = [";
  bool first = true;
  for (std::size_t i = 0; i < kNicheCount; ++i)
    for (std::size_t j = i + 1; j < kNicheCount; ++j)
      if (similarity[i][j] != similarity_floor) {
        os << (first ? "" : ", ") << "\"" << kNicheNames[i] << ":" << kNicheNames[j] << "="
           << similarity[i][j] << "\"";
        first = false;
      }
  os << "]\n";
  os << "benchmark = [";
  for (std::size_t p = 0; p < kPlatformCount; ++p) {
    os << (p ? ", " : "") << "\"" << kPlatformNames[p] << "=";
    for (std::size_t i = 0; i < benchmark[p].size(); ++i)
      os << (i ? "," : "") << benchmark[p][i].followers << ":" << benchmark[p][i].like_rate << ":"
         << benchmark[p][i].comment_rate;
    os << "\"";
  }
  os << "]\n";
  os << "price_per_1000 = " << price_per_1000 << "\nmin_price = " << min_price << "\n";
  os << "platform_price_factor = [";
  for (std::size_t p = 0; p < kPlatformCount; ++p)
    os << (p ? ", " : "") << platform_price_factor[p];
  os << "]\nreach_rate = [";
  for (std::size_t t = 0; t < kTierCount; ++t) os << (t ? ", " : "") << reach_rate[t];
  os << "]  # fan, nano, micro, mid, macro, mega\n";
  os << "engagement_cap = " << engagement_cap
     << "\nsuspicious_engagement = " << suspicious_engagement
     << "\nsuspected_fake_below = " << suspected_fake_below << "\ncost_lo = " << cost_lo
     << "\ncost_hi = " << cost_hi << "\n";
  return os.str();
}

void ScoringConfig::set_tier_bounds(const std::string& option, const std::string& text) {
  const auto parts = split(text, ',');
  if (parts.size() != 5)
    throw ConfigError(option, text,
                      "five comma-separated follower counts: nano,micro,mid,macro,mega lower "
                      "bounds, e.g. 1000,10000,100000,500000,1000000");
  for (std::size_t i = 0; i < 5; ++i)
    if (!to_double(parts[i], tier_lower[i]))
      throw ConfigError(option, text, "five numbers, e.g. 1000,10000,100000,500000,1000000");
}

void ScoringConfig::set_similarity(const std::string& option, const std::string& text) {
  const auto eq = text.find('=');
  const auto colon = text.find(':');
  double v = 0;
  if (eq == std::string::npos || colon == std::string::npos || colon > eq ||
      !to_double(text.substr(eq + 1), v))
    throw ConfigError(option, text, "NICHE:NICHE=VALUE, e.g. fitness:sports=0.6");
  const auto a = parse_niche(text.substr(0, colon));
  const auto b = parse_niche(text.substr(colon + 1, eq - colon - 1));
  if (!a || !b) throw ConfigError(option, text, "niches among: " + niche_list());
  if (!(v >= 0 && v <= 1)) throw ConfigError(option, text, "a similarity in [0, 1]");
  set_sym(similarity, *a, *b, v);
}

void ScoringConfig::set_benchmark(const std::string& option, const std::string& text) {
  const auto eq = text.find('=');
  const char* expected =
      "PLATFORM=FOLLOWERS:LIKE_RATE:COMMENT_RATE[,...], e.g. "
      "tiktok=10000:0.12:0.004,1000000:0.14:0.003";
  if (eq == std::string::npos) throw ConfigError(option, text, expected);
  const auto p = parse_platform(text.substr(0, eq));
  if (!p) throw ConfigError(option, text, "a platform among: " + platform_list());
  std::vector<BenchmarkPoint> pts;
  for (const auto& item : split(text.substr(eq + 1), ',')) {
    const auto f = split(item, ':');
    BenchmarkPoint bp{};
    if (f.size() != 3 || !to_double(f[0], bp.followers) || !to_double(f[1], bp.like_rate) ||
        !to_double(f[2], bp.comment_rate))
      throw ConfigError(option, text, expected);
    pts.push_back(bp);
  }
  benchmark[static_cast<std::size_t>(*p)] = std::move(pts);
}

void ScoringConfig::set_target_niche(const std::string& option, const std::string& text) {
  if (text.empty()) {
    target_niche.reset();
    return;
  }
  const auto n = parse_niche(text);
  if (!n || *n == Niche::other)
    throw ConfigError(option, text,
                      "a niche among: " + niche_list().substr(0, niche_list().rfind(", other")));
  target_niche = *n;
}

namespace {
template <std::size_t N>
void set_mix(std::array<double, N>& mix, const std::array<std::string_view, N>& names,
             const std::string& option, const std::string& text) {
  std::array<double, N> out{};
  for (const auto& item : split(text, ',')) {
    const auto eq = item.find('=');
    double v = 0;
    if (eq == std::string::npos || !to_double(item.substr(eq + 1), v) || v < 0)
      throw ConfigError(option, text,
                        "NAME=WEIGHT[,...] with weights >= 0, e.g. instagram=1,tiktok=0.5");
    const std::string name = item.substr(0, eq);
    auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) {
      std::string list;
      for (auto n : names) list += (list.empty() ? "" : ", ") + std::string(n);
      throw ConfigError(option, text, "names among: " + list);
    }
    out[static_cast<std::size_t>(it - names.begin())] = v;
  }
  double sum = 0;
  for (double v : out) sum += v;
  if (!(sum > 0)) throw ConfigError(option, text, "at least one positive weight");
  mix = out;
}
}  // namespace

void GeneratorConfig::set_platform_mix(const std::string& option, const std::string& text) {
  set_mix(platform_mix, kPlatformNames, option, text);
}
void GeneratorConfig::set_niche_mix(const std::string& option, const std::string& text) {
  set_mix(niche_mix, kNicheNames, option, text);
}

namespace {
constexpr const char* kGeneratorVersions =
    "1 (the first generator, to reproduce files written with it) or 2 (the default)";
}  // namespace

void GeneratorConfig::set_version(const std::string& option, const std::string& text) {
  if (text != "1" && text != "2") throw ConfigError(option, text, kGeneratorVersions);
  version = text[0] - '0';
}

void GeneratorConfig::validate() const {
  if (!(follower_min >= 1)) throw ConfigError("follower_min", num(follower_min), "a count >= 1");
  if (!(follower_max > follower_min))
    throw ConfigError("follower_max", num(follower_max), "a count above follower_min");
  if (!(pareto_alpha > 0.1 && pareto_alpha < 10))
    throw ConfigError("pareto_alpha", num(pareto_alpha), "a tail index in (0.1, 10)");
  if (!(engagement_sigma >= 0 && engagement_sigma < 3))
    throw ConfigError("engagement_sigma", num(engagement_sigma), "a log-sd in [0, 3)");
  if (!(price_sigma >= 0 && price_sigma < 3))
    throw ConfigError("price_sigma", num(price_sigma), "a log-sd in [0, 3)");
  if (!(price_engagement_elasticity >= 0 && price_engagement_elasticity <= 2))
    throw ConfigError("price_engagement_elasticity", num(price_engagement_elasticity),
                      "an elasticity in [0, 2]");
  for (double f : niche_price_factor)
    if (!(f > 0 && f < 100))
      throw ConfigError("niche_price_factor", num(f), "a factor in (0, 100)");
  check_unit("fraud_base", fraud_base, "a probability");
  check_unit("fraud_per_decade", fraud_per_decade, "a probability");
  check_unit("--known-fake-share", known_fake_share, "a share");
  if (version != 1 && version != 2)
    throw ConfigError("--generator-version", std::to_string(version), kGeneratorVersions);
}

std::string GeneratorConfig::to_text() const {
  std::ostringstream os;
  os.precision(10);
  os << "[generator]\nversion = " << version << "\nplatform_mix = \"";
  for (std::size_t i = 0; i < kPlatformCount; ++i)
    os << (i ? "," : "") << kPlatformNames[i] << "=" << platform_mix[i];
  os << "\"\nniche_mix = \"";
  for (std::size_t i = 0; i < kNicheCount; ++i)
    os << (i ? "," : "") << kNicheNames[i] << "=" << niche_mix[i];
  os << "\"\nfollower_min = " << follower_min << "\npareto_alpha = " << pareto_alpha
     << "\nfollower_max = " << follower_max << "\nengagement_sigma = " << engagement_sigma
     << "\nfraud_base = " << fraud_base << "\nfraud_per_decade = " << fraud_per_decade
     << "\nknown_fake_share = " << known_fake_share << "\nprice_sigma = " << price_sigma
     << "\nprice_engagement_elasticity = " << price_engagement_elasticity
     << "\nniche_price_factor = \"";
  for (std::size_t i = 0; i < kNicheCount; ++i)
    os << (i ? "," : "") << kNicheNames[i] << "=" << niche_price_factor[i];
  os << "\"\n";
  return os.str();
}

Tier tier_of(double followers, const ScoringConfig& cfg) {
  int t = 0;
  for (int i = 0; i < 5; ++i)
    if (followers >= cfg.tier_lower[i]) t = i + 1;
  return static_cast<Tier>(t);
}

void benchmark_rates(double followers, std::uint8_t platform, const ScoringConfig& cfg,
                     double& like_rate, double& comment_rate) {
  const auto& pts =
      cfg.benchmark[platform < kPlatformCount ? platform
                                              : static_cast<std::size_t>(Platform::instagram)];
  if (!(followers > pts.front().followers)) {
    like_rate = pts.front().like_rate;
    comment_rate = pts.front().comment_rate;
    return;
  }
  if (followers >= pts.back().followers) {
    like_rate = pts.back().like_rate;
    comment_rate = pts.back().comment_rate;
    return;
  }
  std::size_t i = 1;
  while (pts[i].followers < followers) ++i;
  const auto& a = pts[i - 1];
  const auto& b = pts[i];
  const double t = std::log(followers / a.followers) / std::log(b.followers / a.followers);
  like_rate = a.like_rate * std::pow(b.like_rate / a.like_rate, t);
  comment_rate = a.comment_rate * std::pow(b.comment_rate / a.comment_rate, t);
}

double model_price(double followers, std::uint8_t platform, const ScoringConfig& cfg) {
  const double factor = platform < kPlatformCount ? cfg.platform_price_factor[platform] : 1.0;
  return std::max(cfg.min_price, cfg.price_per_1000 * followers / 1000.0 * factor);
}

}  // namespace microreach
