#pragma once
// Internal (not installed): the inline fast path of parse_value, for the import hot loop.
// A plain number is one fast_float::from_chars call; everything else (blanks, suffixes, '%',
// thousands separators, missing forms) goes to the out-of-line slow path in values.cpp.
#include <fast_float/fast_float.h>

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "microreach/values.hpp"

namespace microreach::detail {

ParsedValue parse_value_slow(const char* first, const char* last) noexcept;

// [-]digits[.digits] with at most 19 digits and no exponent, parsed at p (p advanced on
// success). Exact: an integer up to 2^53 divided by an exact power of ten (10^0..10^19) is
// correctly rounded (Clinger's fast path), so the result equals fast_float's. Returns false,
// p unchanged, when the text needs the general parser.
inline bool parse_plain_number(const char*& p, const char* end, double& out) noexcept {
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,
                                      1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19};
  const char* q = p;
  const bool neg = q < end && *q == '-';
  if (neg) ++q;
  std::uint64_t m = 0;
  const char* d0 = q;
  while (q < end && static_cast<unsigned>(*q - '0') < 10u) {
    m = m * 10 + static_cast<unsigned>(*q - '0');
    ++q;
  }
  std::ptrdiff_t digits = q - d0, frac = 0;
  if (q < end && *q == '.') {
    const char* f0 = ++q;
    while (q < end && static_cast<unsigned>(*q - '0') < 10u) {
      m = m * 10 + static_cast<unsigned>(*q - '0');
      ++q;
    }
    frac = q - f0;
  }
  digits += frac;
  if (digits == 0 || digits > 19 || m > (std::uint64_t{1} << 53)) return false;
  if (q < end && (*q == 'e' || *q == 'E')) return false;
  double v = static_cast<double>(m);
  if (frac) v /= kPow10[frac];
  out = neg ? -v : v;
  p = q;
  return true;
}

inline ParsedValue parse_value_fast(const char* first, const char* last) noexcept {
  double v;
  if (first < last && (static_cast<unsigned>(*first - '0') < 10u)) {
    const char* q = first;
    if (parse_plain_number(q, last, v) && q == last) return {v, ValueStatus::ok, false};
    const auto r = fast_float::from_chars(first, last, v);
    if (r.ec == std::errc() && r.ptr == last && std::isfinite(v)) {
      return {v, ValueStatus::ok, false};
    }
  }
  return parse_value_slow(first, last);
}

}  // namespace microreach::detail
