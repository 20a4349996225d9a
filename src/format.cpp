#include "microreach/format.hpp"

#include <fmt/format.h>

#include <cmath>

namespace microreach::format {
namespace {

// "1234567" -> "1,234,567" ({fmt}'s locale-free grouping: the 'L' presentation would follow
// the process locale, and a report must not change with it).
std::string grouped(double whole) {
  std::string digits = fmt::format("{:.0f}", std::fabs(whole));
  std::string out;
  out.reserve(digits.size() + digits.size() / 3 + 1);
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

std::string money(double usd) {
  if (!std::isfinite(usd)) return "n/a";
  const double a = std::fabs(usd);
  // Rounded first, so -0.4 prints as "$0", not "-$0".
  const bool cents = std::round(a * 100) < 10000;
  const double shown = cents ? std::round(a * 100) / 100 : std::round(a);
  const char* sign = shown > 0 && usd < 0 ? "-" : "";
  if (cents) return fmt::format("{}${:.2f}", sign, shown);
  return fmt::format("{}${}", sign, grouped(shown));
}

std::string count(double v) {
  if (!std::isfinite(v)) return "n/a";
  const double a = std::fabs(v);
  if (std::round(a) >= 100) return (v < 0 ? "-" : "") + grouped(std::round(a));
  if (v == std::round(v)) return fmt::format("{:.0f}", v);
  return fmt::format("{:.3g}", v);
}

std::string count(std::uint64_t v) {
  return grouped(static_cast<double>(v));
}

std::string percent(double ratio, bool sign) {
  if (!std::isfinite(ratio)) return "n/a";
  double pct = std::round(1000.0 * ratio) / 10.0;
  if (pct == 0) pct = 0;  // no "-0.0%"
  return sign ? fmt::format("{:+.1f}%", pct) : fmt::format("{:.1f}%", pct);
}

std::string points(double ratio_difference) {
  if (!std::isfinite(ratio_difference)) return "n/a";
  double pts = std::round(1000.0 * ratio_difference) / 10.0;
  if (pts == 0) pts = 0;
  return fmt::format("{:+.1f} pts", pts);
}

std::string number(double v) {
  if (!std::isfinite(v)) return "n/a";
  return fmt::format("{:.4g}", v);
}

std::string fixed(double v, int decimals) {
  if (!std::isfinite(v)) return "n/a";
  return fmt::format("{:.{}f}", v, decimals);
}

std::string plain(double v) {
  return fmt::format("{}", v);
}

std::string shown(std::string_view text, std::size_t max_bytes) {
  std::string out;
  for (const char c : text.substr(0, max_bytes)) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\x{:02X}", u);
    } else {
      out += c;
    }
  }
  if (text.size() > max_bytes) out += "...";
  return out;
}

}  // namespace microreach::format
