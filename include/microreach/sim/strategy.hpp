#pragma once
// Strategies: which accounts a budget hires. Each strategy is a type that builds its portfolio
// and describes itself; parse_strategy() turns the text a user gives into one.
//
//   macro           the best-scored macro or mega accounts, each added while its fee fits what
//                   is left of the budget, until no further one fits (spends the budget the way
//                   a planner buying "big accounts" does)
//   macro:N         the same, at most N accounts (macro:1 = the single best account that fits)
//   micro-even:N    N micro accounts sharing the budget evenly: the best-scored whose fee is
//                   90-100 % of budget / N, then (when fewer than N are) 75-90 %, 50-75 % and
//                   below half; N accounts of the first band spend at least 90 % of the budget
//   micro-top       micro accounts by score per dollar, each added while its fee fits what is
//                   left of the budget (at most max_hires)
//   mix:A           macro on A x budget (the best-scored macro/mega accounts that fit it), then
//                   micro-top on what is left (A in [0, 1])
//   optimize        greedy on expected profit counting audience overlap (any tier): add the
//                   account with the largest marginal expected profit per dollar while one adds
//                   profit and fits; compared with the best single account (the usual knapsack
//                   safeguard), the better of the two (at most max_hires)
//   list:FILE       the profiles named in FILE (ids or @handles, one per line or separated by
//                   commas; '#' starts a comment)
// Fees are price x posts. Ties are broken by fee, then by influencer key: deterministic.
// Money a plan does not spend is kept as cash: it earns nothing and costs nothing, so a plan's
// profit and P(beats X) count it at face value (docs/model.md, "Strategies").
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "microreach/sim/candidates.hpp"
#include "microreach/sim/model.hpp"

namespace microreach::sim {

struct StrategyContext {
  const CandidatePool* pool = nullptr;
  ModelParams params;
  double budget = 0;
  Niche niche = Niche::fitness;
  std::string budget_key = "--budget";  // named in "budget too small" errors
  std::uint64_t max_hires = 0;          // cap of micro-top and optimize (0: no cap)
  std::string max_hires_key = "--max-hires";
};

// An account named by a list:FILE strategy: an id (all digits) or a handle (without '@').
struct ListEntry {
  bool by_id = true;
  std::uint64_t id = 0;
  std::string handle;
  std::uint64_t line = 0, column = 0;
};

class Strategy {
 public:
  explicit Strategy(std::string spec) : spec_(std::move(spec)) {}
  virtual ~Strategy() = default;
  Strategy(const Strategy&) = delete;
  Strategy& operator=(const Strategy&) = delete;

  // As given, e.g. "micro-even:40".
  const std::string& spec() const { return spec_; }
  // Short name for tables.
  virtual std::string label() const { return spec_; }
  // One sentence: whom the strategy hires and how it spends the budget.
  virtual std::string describe() const = 0;
  // The accounts it hires. Throws ConfigError naming ctx.budget_key when the budget buys
  // nothing, Error naming the tier and niche when the pool has no account of the kind needed,
  // InputError for a list entry that is not a candidate. What the strategy could not do as
  // asked goes into the portfolio's note.
  virtual Portfolio build(const StrategyContext& ctx) const = 0;
  // The baseline of comparisons ("P(beats macro)").
  virtual bool is_baseline() const { return false; }
  // Accounts named explicitly, which the candidate pool keeps whatever their niche.
  virtual const std::vector<ListEntry>& entries() const;

 private:
  std::string spec_;
};

// One parsed strategy: the text as given and the type that builds it.
struct StrategySpec {
  std::string text;
  std::shared_ptr<const Strategy> strategy;
  const Strategy* operator->() const { return strategy.get(); }
};

// Parses one strategy; `option` names where it came from (for the error message). list:FILE
// is read here (InputError with file:line:column for a bad entry).
StrategySpec parse_strategy(const std::string& text, const std::string& option);
// Comma-separated list; "list:a.txt,macro" works (a comma ends a strategy).
std::vector<StrategySpec> parse_strategies(const std::string& text, const std::string& option);
std::string strategy_help();

// spec.strategy->build(ctx), then the checks every strategy shares (at most kMaxHires hires;
// the description, budget and spend recorded in the portfolio).
Portfolio build_portfolio(const StrategySpec& spec, const StrategyContext& ctx);

// A plan that spends less than this share of its budget shows an `unspent` line everywhere.
inline constexpr double kUnspentShown = 0.90;

}  // namespace microreach::sim
