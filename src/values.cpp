#include "microreach/values.hpp"

#include <cstdio>
#include <cstring>

#include "microreach/error.hpp"
#include "microreach/profile.hpp"
#include "value_parse.hpp"

namespace microreach {

namespace {

constexpr ParsedValue kMissingValue{kMissing, ValueStatus::missing, false};
constexpr ParsedValue kInvalidValue{kMissing, ValueStatus::invalid, false};

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != b[i]) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

bool missing_form(std::string_view s) {
  if (s.empty()) return true;
  if (s.size() > 5) return false;
  static constexpr std::string_view kForms[] = {"nan",  "na",   "n/a",  "#n/a", "-",  "--",
                                                "null", "none", "nan%", "n.a.", "nil"};
  for (auto f : kForms) {
    if (iequals(s, f)) return true;
  }
  return false;
}

bool digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

namespace detail {

ParsedValue parse_value_slow(const char* first, const char* last) noexcept {
  std::string_view s = trim(std::string_view(first, static_cast<std::size_t>(last - first)));
  if (missing_form(s)) return kMissingValue;
  // Dashes written by spreadsheets for "no value": en dash, em dash.
  if (s == "\xE2\x80\x93" || s == "\xE2\x80\x94") return kMissingValue;

  bool negative = false;
  if (s.front() == '+' || s.front() == '-') {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (!s.empty() && s.front() == '$') s.remove_prefix(1);

  int exp10 = 0;
  bool percent = false;
  if (!s.empty() && s.back() == '%') {
    percent = true;
    exp10 = -2;
    s.remove_suffix(1);
    s = trim(s);
  } else if (!s.empty()) {
    switch (s.back()) {
      case 'k':
      case 'K':
        exp10 = 3;
        break;
      case 'm':
      case 'M':
        exp10 = 6;
        break;
      case 'b':
      case 'B':
        exp10 = 9;
        break;
      default:
        break;
    }
    if (exp10 != 0) {
      s.remove_suffix(1);
      s = trim(s);
    }
  }
  if (s.empty()) return kInvalidValue;

  // Body: digits with optional thousands separators, optional fraction, optional exponent
  // (the exponent only without a suffix). Copied without separators into buf.
  char buf[96];
  std::size_t n = 0;
  std::size_t i = 0;
  const std::size_t len = s.size();
  if (len + 8 > sizeof(buf)) return kInvalidValue;
  std::size_t int_digits = 0, group = 0;
  bool grouped = false;
  while (i < len && (digit(s[i]) || s[i] == ',')) {
    if (s[i] == ',') {
      // "1,234": the first group has 1-3 digits, the following exactly 3.
      if (int_digits == 0 || (grouped ? group != 3 : group > 3)) return kInvalidValue;
      grouped = true;
      group = 0;
    } else {
      buf[n++] = s[i];
      ++int_digits;
      ++group;
    }
    ++i;
  }
  if (grouped && group != 3) return kInvalidValue;
  std::size_t frac_digits = 0;
  if (i < len && s[i] == '.') {
    buf[n++] = '.';
    ++i;
    while (i < len && digit(s[i])) {
      buf[n++] = s[i++];
      ++frac_digits;
    }
  }
  if (int_digits + frac_digits == 0) return kInvalidValue;
  if (i < len && (s[i] == 'e' || s[i] == 'E') && exp10 == 0 && !percent) {
    buf[n++] = 'e';
    ++i;
    if (i < len && (s[i] == '+' || s[i] == '-')) buf[n++] = s[i++];
    std::size_t exp_digits = 0;
    while (i < len && digit(s[i])) {
      buf[n++] = s[i++];
      ++exp_digits;
    }
    if (exp_digits == 0) return kInvalidValue;
  } else if (exp10 != 0) {
    buf[n++] = 'e';
    if (exp10 < 0) buf[n++] = '-';
    buf[n++] = static_cast<char>('0' + (exp10 < 0 ? -exp10 : exp10));
  }
  if (i != len) return kInvalidValue;
  double v;
  const auto r = fast_float::from_chars(buf, buf + n, v);
  if (r.ec != std::errc() || r.ptr != buf + n || !std::isfinite(v)) return kInvalidValue;
  return {negative ? -v : v, ValueStatus::ok, percent};
}

}  // namespace detail

ParsedValue parse_value(std::string_view text) noexcept {
  return detail::parse_value_fast(text.data(), text.data() + text.size());
}

bool is_missing_text(std::string_view text) noexcept {
  const std::string_view s = trim(text);
  return missing_form(s) || s == "\xE2\x80\x93" || s == "\xE2\x80\x94";
}

double parse_number(std::string_view text, const std::string& context) {
  const ParsedValue v = parse_value(text);
  if (v.status == ValueStatus::invalid) {
    std::string shown(text.substr(0, 60));
    if (text.size() > 60) shown += "...";
    throw Error(context + ": found '" + shown + "': " + std::string(kExpectedNumber));
  }
  return v.value;
}

std::optional<bool> parse_bool(std::string_view text) noexcept {
  const std::string_view s = trim(text);
  static constexpr std::string_view kTrue[] = {"true", "yes", "t", "y", "1"};
  static constexpr std::string_view kFalse[] = {"false", "no", "f", "n", "0"};
  for (auto t : kTrue) {
    if (iequals(s, t)) return true;
  }
  for (auto f : kFalse) {
    if (iequals(s, f)) return false;
  }
  return std::nullopt;
}

int utf8_sequence_length(const unsigned char* p, const unsigned char* end) noexcept {
  const unsigned char c = *p;
  int n;
  std::uint32_t cp;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (end - p < n) return 0;
  for (int i = 1; i < n; ++i) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
      cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return n;
}

bool valid_utf8(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* e = p + s.size();
  while (p < e) {
    if (*p < 0x80) {
      ++p;
      continue;
    }
    const int n = utf8_sequence_length(p, e);
    if (n == 0) return false;
    p += n;
  }
  return true;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::optional<RangeViolation> check_profile_ranges(const ProfileChunk& p, std::size_t i) {
  const auto count = [&](Column c, double v, double max,
                         const char* what) -> std::optional<RangeViolation> {
    if (std::isnan(v) && c != Column::followers) return std::nullopt;
    if (std::isfinite(v) && v >= 0 && v <= max) return std::nullopt;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.0e", max);
    return RangeViolation{c, v,
                          std::string("expected ") + what + " between 0 and " + buf +
                              (c == Column::followers ? " (followers are required)" : "")};
  };
  const auto share = [&](Column c, double v) -> std::optional<RangeViolation> {
    if (std::isnan(v) || (v >= 0 && v <= 1)) return std::nullopt;
    return RangeViolation{c, v, "expected a share between 0 and 1 (0% to 100%)"};
  };
  if (p.platform[i] != kUnknown && p.platform[i] >= kPlatformCount) {
    return RangeViolation{
        Column::platform, static_cast<double>(p.platform[i]),
        "expected a platform code 0-" + std::to_string(kPlatformCount - 1) + " or 255 (unknown)"};
  }
  if (p.niche[i] != kUnknown && p.niche[i] >= kNicheCount) {
    return RangeViolation{
        Column::niche, static_cast<double>(p.niche[i]),
        "expected a niche code 0-" + std::to_string(kNicheCount - 1) + " or 255 (unknown)"};
  }
  if (auto v = count(Column::followers, p.followers[i], kMaxAccounts, "a follower count")) return v;
  if (auto v =
          count(Column::following, p.following[i], kMaxAccounts, "a count of accounts followed"))
    return v;
  if (auto v = count(Column::posts, p.posts[i], kMaxPosts, "a post count")) return v;
  if (auto v = count(Column::avg_likes, p.avg_likes[i], kMaxPerPost, "likes per post")) return v;
  if (auto v = count(Column::avg_comments, p.avg_comments[i], kMaxPerPost, "comments per post"))
    return v;
  if (auto v = count(Column::avg_shares, p.avg_shares[i], kMaxPerPost, "shares per post")) return v;
  if (auto v = count(Column::avg_views, p.avg_views[i], kMaxPerPost, "views per post")) return v;
  if (auto v = share(Column::reply_rate, p.reply_rate[i])) return v;
  if (auto v = share(Column::fake_follower_share, p.fake_follower_share[i])) return v;
  const double g = p.follower_growth_30d[i];
  if (!std::isnan(g) && !(g >= -1 && g <= kMaxGrowth)) {
    return RangeViolation{Column::follower_growth_30d, g,
                          "expected a relative growth between -1 (-100%) and 1e+04"};
  }
  if (auto v = count(Column::price_per_post, p.price_per_post[i], kMaxPrice, "a price in USD"))
    return v;
  return std::nullopt;
}

}  // namespace microreach
