#pragma once
// Numbers as real exports write them (docs/import.md, "Value forms"):
//   1234   1234.5   1.2e6   "1,234,567"   1.2k 3.5K 1.2m 3.5M 12.3b 4B   1.39%   0.0139   +12 $250
// Missing: empty, NaN, nan, NA, N/A, n/a, #N/A, -, --, null, None, NaN% (any case, blanks ignored).
// Suffixes are k = 1e3, m = 1e6, b = 1e9 (either case); a '%' divides by 100. Thousands separators
// must group by three ("1,5" is refused: it could be a decimal comma). The result is the
// correctly rounded double of the decimal written ("1.2M" is exactly the double nearest 1.2e6).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "microreach/profile.hpp"

namespace microreach {

inline constexpr std::string_view kExpectedNumber =
    "expected a number such as 1234, 1.2k, 3.5M or 1.39%";

enum class ValueStatus : std::uint8_t { ok, missing, invalid };

struct ParsedValue {
  double value;  // NaN unless status == ok
  ValueStatus status;
  bool percent;  // written with '%' (value already divided by 100)
  bool ok() const { return status == ValueStatus::ok; }
};

// Never throws; finite values only (inf is invalid).
ParsedValue parse_value(std::string_view text) noexcept;

// True for the missing forms listed above.
bool is_missing_text(std::string_view text) noexcept;

// Appends the UTF-8 encoding of a Unicode code point (<= 0x10FFFF, not a surrogate: callers
// check) to `out`. Shared by the JSON reader and the scenario parser's \u escapes.
void append_utf8(std::string& out, std::uint32_t code_point);

// Length (2-4) of the valid multi-byte UTF-8 sequence that starts at p (p < end), or 0 when the
// bytes there are ASCII or not valid UTF-8 (overlong forms, surrogates, > U+10FFFF, truncated).
int utf8_sequence_length(const unsigned char* p, const unsigned char* end) noexcept;
// True when every byte of s belongs to valid UTF-8.
bool valid_utf8(std::string_view s) noexcept;

// NaN for a missing form; otherwise the number, or throws Error
// "<context>: found '<text>': expected a number such as 1234, 1.2k, 3.5M or 1.39%".
double parse_number(std::string_view text, const std::string& context);

// Booleans as exports write them: true/false, yes/no, t/f, y/n, 1/0 (any case); nullopt otherwise
// (missing forms included).
std::optional<bool> parse_bool(std::string_view text) noexcept;

// ---- Ranges: one set of checks for every input format (CSV, JSON, HDF5) ----
// A profile value is refused, never clamped, when it is not physically possible. Missing (NaN)
// is allowed everywhere except followers. Bounds (docs/import.md "Ranges"):
inline constexpr double kMaxAccounts = 1e10;  // followers, following: above the world population
inline constexpr double kMaxPosts = 1e8;      // posts: 10^8 is 2,700 a day for 100 years
inline constexpr double kMaxPerPost = 1e12;   // likes, comments, shares, views per post
inline constexpr double kMaxPrice = 1e9;      // price of one post, USD
inline constexpr double kMaxGrowth = 1e4;     // 30-day follower growth: +1,000,000 %

struct RangeViolation {
  Column column;
  double value;          // as stored (a category code for platform and niche)
  std::string expected;  // "expected ..." for the message
};

// The first value of row i of p (in Column order) outside its range, if any.
std::optional<RangeViolation> check_profile_ranges(const ProfileChunk& p, std::size_t i);

}  // namespace microreach
