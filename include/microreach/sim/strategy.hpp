#pragma once
// Strategies: which accounts a budget hires (DOMAIN §6 "Strategies").
//   macro           the best-scored macro or mega account whose fee fits the budget
//   micro-even:N    the N best-scored micro accounts whose fee fits budget / N each
//   micro-top       micro accounts by score per dollar, each added while its fee fits what is
//                   left of the budget
//   mix:A           the best macro/mega account whose fee fits A x budget, then micro-top on
//                   what is left (A in [0, 1])
//   optimize        greedy on expected profit counting audience overlap (any tier): add the
//                   account with the largest marginal expected profit per dollar while one
//                   adds profit and fits; compared with the best single account (the usual
//                   knapsack safeguard), the better of the two
//   list:FILE       the profiles named in FILE (ids or @handles, one per line or separated
//                   by commas; '#' starts a comment)
// Fees are price x posts. Ties are broken by fee, then by influencer key: deterministic.
#include <cstdint>
#include <string>
#include <vector>

#include "microreach/sim/candidates.hpp"
#include "microreach/sim/model.hpp"

namespace microreach::sim {

enum class StrategyKind : std::uint8_t { macro, micro_even, micro_top, mix, optimize, list };

struct StrategySpec {
  StrategyKind kind = StrategyKind::macro;
  std::string text;         // as given, e.g. "micro-even:40"
  std::uint64_t count = 0;  // micro-even:N
  double alpha = 0;         // mix:A
  std::string file;         // list:FILE
  // list:FILE contents, in file order: ids (all digits) or handles (without '@').
  struct Entry {
    bool by_id = true;
    std::uint64_t id = 0;
    std::string handle;
    std::uint64_t line = 0, column = 0;
  };
  std::vector<Entry> entries;
};

// Parses one strategy; `option` names where it came from (for the error message). list:FILE
// is read here (InputError with file:line:column for a bad entry).
StrategySpec parse_strategy(const std::string& text, const std::string& option);
// Comma-separated list; "list:a.txt,macro" works (a comma ends a strategy).
std::vector<StrategySpec> parse_strategies(const std::string& text, const std::string& option);
std::string strategy_help();

struct StrategyContext {
  const CandidatePool* pool = nullptr;
  ModelParams params;
  double budget = 0;
  Niche niche = Niche::fitness;
  std::string budget_key = "--budget";  // named in "budget too small" errors
};

// The accounts the strategy hires. Throws ConfigError naming budget_key when the budget
// buys nothing, InputError for a list entry that is not a candidate.
Portfolio build_portfolio(const StrategySpec& spec, const StrategyContext& ctx);

}  // namespace microreach::sim
