#pragma once
// One way to print numbers, for every command, table, error message and (in scripts/report.py,
// which follows the same rules) the HTML report:
//
//   money      whole US dollars with thousands separators: "$25,000", "-$1,234"; amounts
//              under $100 with cents: "$3.50". Never abbreviated ("$2.51k" is not used).
//   count      people, impressions, accounts, purchases: "1,240,291"; under 100 with three
//              significant digits so small means stay visible: "37.4", "0.412".
//   percent    a ratio as a percentage with one decimal: "22.3%"; signed where the sign is the
//              point (ROI, a change): "+22.3%", "-4.0%".
//   points     a difference of two percentages, in percentage points: "+3.2 pts".
//   number     any other quantity (a parameter value, a frequency): four significant digits,
//              no exponent for everyday sizes: "0.0005", "1.234", "2e+07".
//   fixed      a statistic read to a stated number of decimals (an AUC, a coefficient, a
//              probability threshold, seconds): "0.873", "0.5012".
//   plain      a value quoted back to the user as given: shortest round-trip text, "25000".
//   shown      text from an input file quoted in a message: control bytes made visible.
// Non-finite values print as "n/a". Everything is formatted with {fmt}; the header does not
// expose it.
#include <cstdint>
#include <string>
#include <string_view>

namespace microreach::format {

std::string money(double usd);
std::string count(double v);
std::string count(std::uint64_t v);
std::string percent(double ratio, bool sign = false);
std::string points(double ratio_difference);
std::string number(double v);
std::string fixed(double v, int decimals);
// A value as the user gave it (in "'<value>' is not valid" messages): the shortest text that
// reads back to the same double, "25000", "0.1", "1e+300".
std::string plain(double v);
// Text from an input file as a message shows it: line breaks, tabs and other control bytes
// (and DEL) written as \n, \r, \t, \xNN (a NUL byte must not cut the message short); cut
// after max_bytes with "..." appended.
std::string shown(std::string_view text, std::size_t max_bytes);

// The one name of the tail-risk measure: mean profit (or ROI) of the worst 5 % of trials.
inline constexpr std::string_view kShortfall = "expected shortfall";
inline constexpr std::string_view kShortfallHelp =
    "expected shortfall = mean of the worst 5% of trials";

}  // namespace microreach::format
