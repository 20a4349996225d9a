#include "microreach/profile.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace microreach {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

template <std::size_t N>
std::optional<std::size_t> find_name(const std::array<std::string_view, N>& names,
                                     std::string_view s) {
  const std::string l = lower(s);
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == l) return i;
  return std::nullopt;
}

template <std::size_t N>
std::string join(const std::array<std::string_view, N>& names) {
  std::string out;
  for (std::size_t i = 0; i < N; ++i) {
    if (i) out += ", ";
    out += names[i];
  }
  return out;
}

const std::array<ColumnInfo, kColumnCount> kColumns = {{
    {"id", "", "profile identifier (row index for synthetic data)"},
    {"handle", "", "account handle, UTF-8"},
    {"platform", "", "platform code, see the 'categories' attribute"},
    {"niche", "", "niche code, see the 'categories' attribute"},
    {"followers", "accounts", "follower count"},
    {"following", "accounts", "accounts this profile follows"},
    {"posts", "posts", "number of posts"},
    {"avg_likes", "likes/post", "average likes per post"},
    {"avg_comments", "comments/post", "average comments per post"},
    {"avg_shares", "shares/post", "average shares per post"},
    {"avg_views", "views/post", "average views per post (video platforms)"},
    {"reply_rate", "1", "share of comments the creator answers, 0-1"},
    {"fake_follower_share", "1", "known share of fake followers, 0-1"},
    {"follower_growth_30d", "1", "relative follower growth over 30 days (0.05 = +5%)"},
    {"price_per_post", "USD", "price of one sponsored post"},
    {"country", "", "country (free text)"},
}};

}  // namespace

std::string_view platform_name(std::uint8_t code) {
  return code < kPlatformCount ? kPlatformNames[code] : std::string_view("unknown");
}
std::string_view niche_name(std::uint8_t code) {
  return code < kNicheCount ? kNicheNames[code] : std::string_view("unknown");
}
std::string_view tier_name(std::uint8_t code) {
  return code < kTierCount ? kTierNames[code] : std::string_view("unknown");
}

std::optional<Platform> parse_platform(std::string_view s) {
  if (auto i = find_name(kPlatformNames, s)) return static_cast<Platform>(*i);
  const std::string l = lower(s);
  if (l == "twitter") return Platform::x;
  if (l == "ig" || l == "insta") return Platform::instagram;
  if (l == "yt") return Platform::youtube;
  if (l == "fb") return Platform::facebook;
  return std::nullopt;
}
std::optional<Niche> parse_niche(std::string_view s) {
  if (auto i = find_name(kNicheNames, s)) return static_cast<Niche>(*i);
  return std::nullopt;
}
std::optional<Tier> parse_tier(std::string_view s) {
  if (auto i = find_name(kTierNames, s)) return static_cast<Tier>(*i);
  return std::nullopt;
}

Niche niche_from_category(std::string_view category) {
  const std::string l = lower(category);
  if (auto n = parse_niche(l)) return *n;
  // Keyword table for the category texts real exports use (first match wins).
  static const std::pair<std::string_view, Niche> kKeywords[] = {
      {"fashion", Niche::fashion},
      {"fasion", Niche::fashion},
      {"cloth", Niche::fashion},
      {"modeling", Niche::fashion},
      {"beauty", Niche::beauty},
      {"makeup", Niche::beauty},
      {"cosmetic", Niche::beauty},
      {"fitness", Niche::fitness},
      {"gym", Niche::fitness},
      {"health", Niche::fitness},
      {"sport", Niche::sports},
      {"football", Niche::sports},
      {"soccer", Niche::sports},
      {"food", Niche::food},
      {"cook", Niche::food},
      {"travel", Niche::travel},
      {"tech", Niche::tech},
      {"science", Niche::tech},
      {"gaming", Niche::gaming},
      {"game", Niche::gaming},
      {"family", Niche::parenting},
      {"parent", Niche::parenting},
      {"kids", Niche::parenting},
      {"finance", Niche::finance},
      {"business", Niche::finance},
      {"interior", Niche::home},
      {"home", Niche::home},
      {"design", Niche::home},
      {"pet", Niche::pets},
      {"animal", Niche::pets},
      {"music", Niche::music},
      {"lifestyle", Niche::lifestyle},
      {"shows", Niche::entertainment},
      {"cinema", Niche::entertainment},
      {"actor", Niche::entertainment},
      {"humor", Niche::entertainment},
      {"entertain", Niche::entertainment},
      // Added by the importer for categories of the instagram_sep2022 export.
      {"computer", Niche::tech},
      {"gadget", Niche::tech},
      {"jewel", Niche::fashion},
      {"accessor", Niche::fashion},
      {"luxury", Niche::lifestyle},
      {"photo", Niche::lifestyle},
      {"nature", Niche::travel},
      {"art", Niche::lifestyle},
  };
  for (const auto& [key, niche] : kKeywords)
    if (l.find(key) != std::string::npos) return niche;
  return Niche::other;
}

std::string platform_list() {
  return join(kPlatformNames);
}
std::string niche_list() {
  return join(kNicheNames);
}

const ColumnInfo& column_info(Column c) {
  return kColumns[static_cast<std::size_t>(c)];
}

void ProfileChunk::resize(std::size_t n) {
  id.resize(n);
  handle.resize(n);
  platform.resize(n, kUnknown);
  niche.resize(n, kUnknown);
  for (auto* v :
       {&followers, &following, &posts, &avg_likes, &avg_comments, &avg_shares, &avg_views,
        &reply_rate, &fake_follower_share, &follower_growth_30d, &price_per_post, &true_fake_share})
    v->resize(n, kMissing);
  country.resize(n);
}

void ProfileChunk::reserve(std::size_t n) {
  id.reserve(n);
  handle.reserve(n);
  platform.reserve(n);
  niche.reserve(n);
  for (auto* v :
       {&followers, &following, &posts, &avg_likes, &avg_comments, &avg_shares, &avg_views,
        &reply_rate, &fake_follower_share, &follower_growth_30d, &price_per_post, &true_fake_share})
    v->reserve(n);
  country.reserve(n);
}

void ProfileChunk::append_row(const ProfileChunk& o, std::size_t r) {
  id.push_back(o.id[r]);
  handle.push_back(o.handle[r]);
  platform.push_back(o.platform[r]);
  niche.push_back(o.niche[r]);
  for (std::size_t c = 0; c < kColumnCount; ++c) {
    const auto col = static_cast<Column>(c);
    if (auto* dst = numeric(col)) dst->push_back((*o.numeric(col))[r]);
  }
  true_fake_share.push_back(o.true_fake_share[r]);
  country.push_back(o.country[r]);
}

const std::vector<double>* ProfileChunk::numeric(Column c) const {
  return const_cast<ProfileChunk*>(this)->numeric(c);
}

std::vector<double>* ProfileChunk::numeric(Column c) {
  switch (c) {
    case Column::followers:
      return &followers;
    case Column::following:
      return &following;
    case Column::posts:
      return &posts;
    case Column::avg_likes:
      return &avg_likes;
    case Column::avg_comments:
      return &avg_comments;
    case Column::avg_shares:
      return &avg_shares;
    case Column::avg_views:
      return &avg_views;
    case Column::reply_rate:
      return &reply_rate;
    case Column::fake_follower_share:
      return &fake_follower_share;
    case Column::follower_growth_30d:
      return &follower_growth_30d;
    case Column::price_per_post:
      return &price_per_post;
    default:
      return nullptr;
  }
}

}  // namespace microreach
