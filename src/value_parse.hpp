#pragma once
// Internal (not installed): the inline fast path of parse_value, for the import hot loop.
// A plain number is one fast_float::from_chars call; everything else (blanks, suffixes, '%',
// thousands separators, missing forms) goes to the out-of-line slow path in values.cpp.
#include <fast_float/fast_float.h>

#include <cmath>

#include "microreach/values.hpp"

namespace microreach::detail {

ParsedValue parse_value_slow(const char* first, const char* last) noexcept;

inline ParsedValue parse_value_fast(const char* first, const char* last) noexcept {
  double v;
  if (first < last && (static_cast<unsigned>(*first - '0') < 10u)) {
    const auto r = fast_float::from_chars(first, last, v);
    if (r.ec == std::errc() && r.ptr == last && std::isfinite(v)) {
      return {v, ValueStatus::ok, false};
    }
  }
  return parse_value_slow(first, last);
}

}  // namespace microreach::detail
