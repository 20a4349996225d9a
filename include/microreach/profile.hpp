#pragma once
// The influencer profile, stored column-wise in chunks (structure of arrays) so the
// scoring loops run over contiguous doubles and vectorise. A missing numeric value is NaN;
// a missing categorical value is kUnknown.
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace microreach {

inline constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();
inline bool is_missing(double v) {
  return std::isnan(v);
}

enum class Platform : std::uint8_t { instagram, tiktok, youtube, x, facebook, blog, count };
inline constexpr std::size_t kPlatformCount = static_cast<std::size_t>(Platform::count);
inline constexpr std::array<std::string_view, kPlatformCount> kPlatformNames = {
    "instagram", "tiktok", "youtube", "x", "facebook", "blog"};

// Niches: a fixed vocabulary so a niche is one byte. "other" collects what maps to none.
enum class Niche : std::uint8_t {
  fashion,
  beauty,
  fitness,
  sports,
  food,
  travel,
  tech,
  gaming,
  parenting,
  finance,
  home,
  pets,
  music,
  lifestyle,
  entertainment,
  other,
  count
};
inline constexpr std::size_t kNicheCount = static_cast<std::size_t>(Niche::count);
inline constexpr std::array<std::string_view, kNicheCount> kNicheNames = {
    "fashion",   "beauty",  "fitness", "sports", "food",  "travel",    "tech",          "gaming",
    "parenting", "finance", "home",    "pets",   "music", "lifestyle", "entertainment", "other"};

// Tier 0 is "fan" (under the nano lower bound): not an influencer tier.
enum class Tier : std::uint8_t { fan, nano, micro, mid, macro, mega, count };
inline constexpr std::size_t kTierCount = static_cast<std::size_t>(Tier::count);
inline constexpr std::array<std::string_view, kTierCount> kTierNames = {"fan", "nano",  "micro",
                                                                        "mid", "macro", "mega"};

inline constexpr std::uint8_t kUnknown = 255;  // categorical missing value

std::string_view platform_name(std::uint8_t code);
std::string_view niche_name(std::uint8_t code);
std::string_view tier_name(std::uint8_t code);
// Exact (case-insensitive) names; nullopt if unknown.
std::optional<Platform> parse_platform(std::string_view s);
std::optional<Niche> parse_niche(std::string_view s);
std::optional<Tier> parse_tier(std::string_view s);
// Lenient mapping for imported category text ("Sports with a ball" -> sports, "pet" -> pets,
// "interior" -> home, "family" -> parenting, ...). Returns Niche::other when nothing matches.
Niche niche_from_category(std::string_view category);
// Comma-separated list of the valid names, for error messages.
std::string platform_list();
std::string niche_list();

// Column identifiers: used by the HDF5 layout, the importer's column map and CSV export.
enum class Column : std::uint8_t {
  id,
  handle,
  platform,
  niche,
  followers,
  following,
  posts,
  avg_likes,
  avg_comments,
  avg_shares,
  avg_views,
  reply_rate,
  fake_follower_share,
  follower_growth_30d,
  price_per_post,
  country,
  count
};
inline constexpr std::size_t kColumnCount = static_cast<std::size_t>(Column::count);
struct ColumnInfo {
  std::string_view name;   // dataset / CSV header name
  std::string_view units;  // HDF5 'units' attribute ("" = none)
  std::string_view description;
};
const ColumnInfo& column_info(Column c);

// One chunk of profiles. All vectors have size() rows.
struct ProfileChunk {
  std::uint64_t first_row = 0;  // global row index of element 0 (generator index / file row)
  std::vector<std::uint64_t> id;
  std::vector<std::string> handle;
  std::vector<std::uint8_t> platform;  // Platform code or kUnknown
  std::vector<std::uint8_t> niche;     // Niche code or kUnknown
  std::vector<double> followers;
  std::vector<double> following;
  std::vector<double> posts;
  std::vector<double> avg_likes;
  std::vector<double> avg_comments;
  std::vector<double> avg_shares;
  std::vector<double> avg_views;
  std::vector<double> reply_rate;           // share of comments answered, [0,1]
  std::vector<double> fake_follower_share;  // [0,1], if known
  std::vector<double> follower_growth_30d;  // relative growth over 30 days (0.05 = +5 %)
  std::vector<double> price_per_post;       // USD
  std::vector<std::string> country;
  // Synthetic data only: the true fake share the generator drew (NaN for imported rows).
  // Kept so researchers can evaluate the authenticity estimate; never used by scoring.
  std::vector<double> true_fake_share;

  std::size_t size() const { return followers.size(); }
  void resize(std::size_t n);
  void clear() { resize(0); }
  void reserve(std::size_t n);
  // Append row r of other (used to collect candidate pools).
  void append_row(const ProfileChunk& other, std::size_t r);

  // Access to a numeric column by identifier (nullptr for non-numeric columns).
  std::vector<double>* numeric(Column c);
  const std::vector<double>* numeric(Column c) const;
};

}  // namespace microreach
