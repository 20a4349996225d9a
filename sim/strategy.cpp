#include "microreach/sim/strategy.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "microreach/error.hpp"
#include "microreach/format.hpp"
#include "microreach/sim/engine.hpp"
#include "microreach/text_file.hpp"

namespace microreach::sim {
namespace {

using format::money;

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

bool is_tier(const Candidate& c, Tier t) {
  return c.tier == static_cast<std::uint8_t>(t);
}
bool is_big(const Candidate& c) {
  return is_tier(c, Tier::macro) || is_tier(c, Tier::mega);
}
bool is_micro(const Candidate& c) {
  return is_tier(c, Tier::micro);
}
bool is_any(const Candidate&) {
  return true;
}

// Best first: higher score, then lower price, then lower key.
bool better_score(const Candidate* a, const Candidate* b) {
  if (a->score != b->score) return a->score > b->score;
  if (a->price != b->price) return a->price < b->price;
  return a->key < b->key;
}

std::vector<const Candidate*> select(const CandidatePool& pool, bool (*pred)(const Candidate&)) {
  std::vector<const Candidate*> out;
  for (const Candidate& c : pool.accounts)
    if (pred(c)) out.push_back(&c);
  return out;
}

std::string niche_text(Niche n) {
  return std::string(kNicheNames[static_cast<std::size_t>(n)]);
}

double cheapest_fee(const std::vector<const Candidate*>& v, double posts) {
  double m = std::numeric_limits<double>::infinity();
  for (const Candidate* c : v) m = std::min(m, c->price * posts);
  return m;
}

std::uint64_t cap_of(const StrategyContext& ctx) {
  return ctx.max_hires > 0 ? std::min<std::uint64_t>(ctx.max_hires, kMaxHires) : kMaxHires;
}

// "312 accounts: 2 mega, 10 macro, 80 mid, 200 micro, 20 nano".
std::string pool_census(const CandidatePool& pool) {
  std::uint64_t n[kTierCount] = {};
  for (const Candidate& c : pool.accounts) n[c.tier < kTierCount ? c.tier : 0]++;
  std::string t = format::count(static_cast<std::uint64_t>(pool.accounts.size())) + " accounts";
  std::string tiers;
  for (std::size_t k = kTierCount; k-- > 1;)
    tiers += std::string(tiers.empty() ? ": " : ", ") + format::count(n[k]) + " " +
             std::string(kTierNames[k]);
  return t + tiers;
}

// The pool has no account of the kind the strategy needs: name the tier, the niche and the
// way out. An empty pool is a market too small for any plan, whatever the budget.
[[noreturn]] void pool_lacks(const StrategyContext& ctx, const std::string& strategy,
                             const std::string& what, const std::string& alternative) {
  const CandidatePool& pool = *ctx.pool;
  const std::string niche = niche_text(ctx.niche);
  if (pool.accounts.empty())
    throw ConfigError("strategy '" + strategy + "': the candidate pool (" + pool.source + ", " +
                      format::count(pool.rows) + " rows read) has no hireable account in " + niche +
                      " or a related niche: the market is too small for any plan, "
                      "whatever the budget. Use a larger market (--market-profiles) or an "
                      "--input with accounts in " +
                      niche);
  throw ConfigError("strategy '" + strategy + "' needs " + what + " in " + niche +
                    " or a related niche, and the candidate pool (" + pool.source + ") has none (" +
                    pool_census(pool) + "). " + alternative);
}

// The budget buys nothing: name the budget key, the value and the minimum needed.
[[noreturn]] void too_small(const StrategyContext& ctx, const std::string& strategy,
                            const std::string& what, double cheapest, double share = 1.0) {
  throw ConfigError(ctx.budget_key, format::plain(ctx.budget),
                    "at least " + money(cheapest / share) + " for strategy '" + strategy +
                        "': the cheapest " + what + " in " + niche_text(ctx.niche) + " costs " +
                        money(cheapest) + (ctx.params.posts > 1 ? " for the posts asked" : ""));
}

// The pool's accounts that `pred` keeps; none at all is a refusal naming `what` and the way out.
std::vector<const Candidate*> require(const StrategyContext& ctx, const std::string& strategy,
                                      bool (*pred)(const Candidate&), const std::string& what,
                                      const std::string& alternative) {
  auto v = select(*ctx.pool, pred);
  if (v.empty()) pool_lacks(ctx, strategy, what, alternative);
  return v;
}

constexpr const char* kNoMicro =
    "Compare macro instead, or use an input that has micro accounts (10k-100k followers) in "
    "this niche";

Portfolio start(const Strategy& s, const StrategyContext& ctx) {
  Portfolio pf;
  pf.spec = s.spec();
  pf.label = s.label();
  pf.budget = ctx.budget;
  pf.description = s.describe();
  return pf;
}

// The best-scored of `pool` (sorted best first) added while each fits `left`, at most `limit`.
double fill_by_score(std::vector<const Candidate*> accounts, double left, double posts,
                     std::uint64_t limit, std::vector<Candidate>& out) {
  std::sort(accounts.begin(), accounts.end(), better_score);
  std::uint64_t n = 0;
  for (const Candidate* c : accounts) {
    if (n >= limit) break;
    const double fee = c->price * posts;
    if (fee <= left) {
      out.push_back(*c);
      left -= fee;
      ++n;
    }
  }
  return left;
}

// micro-top on `budget`: micro accounts by score per dollar while they fit, at most `limit`.
std::vector<Candidate> micro_top(const CandidatePool& pool, double budget, double posts,
                                 std::uint64_t limit) {
  auto micro = select(pool, is_micro);
  std::sort(micro.begin(), micro.end(), [](const Candidate* a, const Candidate* b) {
    const double ra = a->score / a->price, rb = b->score / b->price;
    if (ra != rb) return ra > rb;
    return better_score(a, b);
  });
  std::vector<Candidate> out;
  double left = budget;
  for (const Candidate* c : micro) {
    if (out.size() >= limit) break;
    const double fee = c->price * posts;
    if (fee <= left) {
      out.push_back(*c);
      left -= fee;
    }
  }
  return out;
}

// Greedy on expected profit with overlap (noise-off model): per audience, the probability of
// missing a person, the gross reach and the weighted conversions W = sum X rel c tau (1 - q);
// conversions = U (1 - miss) / gross * W.
struct AudienceState {
  double miss = 1.0, gross = 0.0, weight = 0.0;
  double conversions(double audience) const {
    return gross > 0 ? audience * (1.0 - miss) / gross * weight : 0.0;
  }
};

struct OptimizeResult {
  std::vector<Candidate> hired;
  bool capped = false;
};

OptimizeResult optimize(const CandidatePool& pool, const ModelParams& par, double budget,
                        std::uint64_t limit) {
  struct Item {
    const Candidate* c;
    std::uint32_t audience;
    double x, w, cost, fee;
  };
  std::vector<Item> items;
  for (const Candidate& c : pool.accounts) {
    const AccountModel a = make_account(c, par);
    if (a.fee > budget || a.fee <= 0) continue;
    const AccountExpectation e = expect_account(a, par);
    items.push_back({&c, a.audience, e.reached, e.conversions_before_overlap, e.cost, a.fee});
  }
  const double value = par.gross_margin * par.average_order_value;
  const double U = par.audience_size;
  auto gain = [&](const AudienceState& st, const Item& it) {
    AudienceState next = st;
    next.miss *= 1.0 - std::min(it.x, U) / U;
    next.gross += it.x;
    next.weight += it.w;
    return value * (next.conversions(U) - st.conversions(U)) - it.cost;
  };
  // Best single account.
  double best_single = 0.0;
  const Item* single = nullptr;
  for (const Item& it : items) {
    const double g = gain(AudienceState{}, it);
    if (g > best_single || (g == best_single && single && it.c->key < single->c->key && g > 0)) {
      best_single = g;
      single = &it;
    }
  }
  // Greedy by marginal profit per dollar.
  std::unordered_map<std::uint32_t, AudienceState> state;
  std::vector<char> used(items.size(), 0);
  OptimizeResult r;
  double left = budget, total = 0.0;
  for (;;) {
    double best_ratio = 0.0, best_gain = 0.0;
    std::size_t best = items.size();
    for (std::size_t k = 0; k < items.size(); ++k) {
      if (used[k] || items[k].fee > left) continue;
      auto it = state.find(items[k].audience);
      const double g = gain(it == state.end() ? AudienceState{} : it->second, items[k]);
      if (g <= 0) continue;
      const double ratio = g / items[k].fee;
      if (ratio > best_ratio ||
          (ratio == best_ratio && best < items.size() && items[k].c->key < items[best].c->key)) {
        best_ratio = ratio;
        best_gain = g;
        best = k;
      }
    }
    if (best == items.size()) break;
    if (r.hired.size() >= limit) {
      r.capped = true;
      break;
    }
    const Item& it = items[best];
    AudienceState& st = state[it.audience];
    st.miss *= 1.0 - std::min(it.x, U) / U;
    st.gross += it.x;
    st.weight += it.w;
    used[best] = 1;
    left -= it.fee;
    total += best_gain;
    r.hired.push_back(*it.c);
  }
  if (single && best_single > total) r = {{*single->c}, false};
  return r;
}

// ------------------------------------------------------------------ the strategies

class Macro final : public Strategy {
 public:
  Macro(std::string spec, std::uint64_t limit) : Strategy(std::move(spec)), limit_(limit) {}
  std::string describe() const override {
    return limit_ == 0 ? "the best-scored macro or mega accounts, each added while its fee fits "
                         "what is left of the budget"
           : limit_ == 1
               ? "the best-scored macro or mega account whose fee fits the budget"
               : "the " + std::to_string(limit_) +
                     " best-scored macro or mega accounts whose fees fit the budget together";
  }
  bool is_baseline() const override { return true; }
  Portfolio build(const StrategyContext& ctx) const override {
    Portfolio pf = start(*this, ctx);
    const auto big = require(ctx, spec(), is_big, "a macro or mega account",
                             "Compare micro-top or micro-even:N instead, or use an input that "
                             "has large accounts in this niche");
    const double posts = ctx.params.posts;
    const double left =
        fill_by_score(big, ctx.budget, posts, limit_ == 0 ? kMaxHires : limit_, pf.hired);
    if (pf.hired.empty()) too_small(ctx, spec(), "macro or mega account", cheapest_fee(big, posts));
    if (left > (1 - kUnspentShown) * ctx.budget) {
      pf.note = limit_ > 0 && pf.hired.size() == limit_
                    ? "hires at most " + std::to_string(limit_) + " account" +
                          (limit_ == 1 ? "" : "s") + "; " + money(left) +
                          " of the budget is kept as cash (--posts buys more posts from every "
                          "account)"
                    : "no further macro or mega account costs at most the " + money(left) +
                          " left: kept as cash";
    }
    return pf;
  }

 private:
  std::uint64_t limit_;
};

class MicroEven final : public Strategy {
 public:
  MicroEven(std::string spec, std::uint64_t n) : Strategy(std::move(spec)), n_(n) {}
  std::string describe() const override {
    return std::to_string(n_) +
           " micro accounts sharing the budget evenly: the best-scored whose fee is 90-100 % "
           "of budget / " +
           std::to_string(n_) + ", then those at 75-90 %, 50-75 % and below";
  }
  Portfolio build(const StrategyContext& ctx) const override {
    Portfolio pf = start(*this, ctx);
    const double posts = ctx.params.posts;
    const auto micro = require(ctx, spec(), is_micro, "a micro account", kNoMicro);
    const double each = ctx.budget / static_cast<double>(n_);
    // Fees close to the share first, so the plan spends the budget: the best-scored accounts
    // costing 90-100 % of budget / N, then 75-90 %, 50-75 % and below half (each band best
    // score first). N accounts from the first band spend at least 90 % of the budget.
    constexpr double kBands[] = {0.9, 0.75, 0.5, 0.0};
    std::vector<const Candidate*> band[4];
    for (const Candidate* c : micro) {
      const double fee = c->price * posts;
      if (fee > each) continue;
      std::size_t b = 0;
      while (fee < kBands[b] * each) ++b;
      band[b].push_back(c);
    }
    for (auto& v : band) {
      std::sort(v.begin(), v.end(), better_score);
      for (std::size_t i = 0; i < v.size() && pf.hired.size() < n_; ++i) pf.hired.push_back(*v[i]);
    }
    if (pf.hired.empty())
      too_small(ctx, spec(), "micro account", cheapest_fee(micro, posts),
                1.0 / static_cast<double>(n_));
    if (pf.hired.size() < n_) {
      pf.note = "only " + std::to_string(pf.hired.size()) + " micro accounts cost at most " +
                money(each) + " (budget / " + std::to_string(n_) + ")";
    } else if (pf.unspent(posts) > (1 - kUnspentShown) * ctx.budget) {
      pf.note = "too few micro accounts cost close to budget / " + std::to_string(n_) + " = " +
                money(each) + ": the " + std::to_string(n_) + " hired spend " +
                money(pf.fees(posts)) + " and " + money(pf.unspent(posts)) +
                " is kept as cash (fewer accounts, micro-top or --posts spend it)";
    }
    return pf;
  }

 private:
  std::uint64_t n_;
};

std::string cap_note(std::uint64_t cap, const StrategyContext& ctx) {
  return "stopped at " + format::count(cap) + " hires (" + ctx.max_hires_key + ")";
}

class MicroTop final : public Strategy {
 public:
  using Strategy::Strategy;
  std::string describe() const override {
    return "micro accounts by score per dollar, each added while its fee fits what is left of "
           "the budget";
  }
  Portfolio build(const StrategyContext& ctx) const override {
    Portfolio pf = start(*this, ctx);
    const auto micro = require(ctx, spec(), is_micro, "a micro account", kNoMicro);
    const std::uint64_t cap = cap_of(ctx);
    pf.hired = micro_top(*ctx.pool, ctx.budget, ctx.params.posts, cap);
    if (pf.hired.empty())
      too_small(ctx, spec(), "micro account", cheapest_fee(micro, ctx.params.posts));
    if (ctx.max_hires > 0 && pf.hired.size() == cap) pf.note = cap_note(cap, ctx);
    return pf;
  }
};

class Mix final : public Strategy {
 public:
  Mix(std::string spec, double alpha) : Strategy(std::move(spec)), alpha_(alpha) {}
  std::string describe() const override {
    return "macro on " + format::percent(alpha_) +
           " of the budget (the best-scored macro or mega accounts that fit it), then micro-top "
           "on what is left";
  }
  Portfolio build(const StrategyContext& ctx) const override {
    Portfolio pf = start(*this, ctx);
    const double posts = ctx.params.posts;
    const auto micro = select(*ctx.pool, is_micro);
    double left = ctx.budget;
    if (alpha_ > 0) {
      const auto big = select(*ctx.pool, is_big);
      const double macro_left = fill_by_score(big, alpha_ * ctx.budget, posts, kMaxHires, pf.hired);
      left -= alpha_ * ctx.budget - macro_left;
      if (pf.hired.empty())
        pf.note = "no macro or mega account costs at most " + money(alpha_ * ctx.budget) +
                  ": all of the budget went to micro-top";
    }
    if (micro.empty() && pf.hired.empty())
      pool_lacks(ctx, spec(), "a micro account", "Compare macro instead");
    for (Candidate& c : micro_top(*ctx.pool, left, posts, cap_of(ctx)))
      pf.hired.push_back(std::move(c));
    if (pf.hired.empty()) too_small(ctx, spec(), "micro account", cheapest_fee(micro, posts));
    return pf;
  }

 private:
  double alpha_;
};

class Optimize final : public Strategy {
 public:
  using Strategy::Strategy;
  std::string describe() const override {
    return "any tier, greedy on expected profit per dollar counting audience overlap, while an "
           "account adds profit and fits (or the best single account if that earns more)";
  }
  Portfolio build(const StrategyContext& ctx) const override {
    Portfolio pf = start(*this, ctx);
    const auto all = require(ctx, spec(), is_any, "an account", "Use another niche or input");
    const std::uint64_t cap = cap_of(ctx);
    OptimizeResult r = optimize(*ctx.pool, ctx.params, ctx.budget, cap);
    pf.hired = std::move(r.hired);
    if (pf.hired.empty()) {
      const double cheapest = cheapest_fee(all, ctx.params.posts);
      if (cheapest > ctx.budget) too_small(ctx, spec(), "account", cheapest);
      pf.note =
          "nothing hired: no affordable account adds expected profit; the budget is kept "
          "as cash";
    } else if (r.capped) {
      pf.note = cap_note(cap, ctx);
    } else if (pf.unspent(ctx.params.posts) > (1 - kUnspentShown) * ctx.budget) {
      pf.note = "no further affordable account adds expected profit: " +
                money(pf.unspent(ctx.params.posts)) + " kept as cash";
    }
    return pf;
  }
};

class List final : public Strategy {
 public:
  List(std::string spec, std::string file, std::vector<ListEntry> entries)
      : Strategy(std::move(spec)), file_(std::move(file)), entries_(std::move(entries)) {}
  std::string label() const override { return "list"; }
  std::string describe() const override {
    return "the " + std::to_string(entries_.size()) + " accounts listed in " + file_;
  }
  const std::vector<ListEntry>& entries() const override { return entries_; }
  Portfolio build(const StrategyContext& ctx) const override {
    Portfolio pf = start(*this, ctx);
    const CandidatePool& pool = *ctx.pool;
    std::unordered_map<std::uint64_t, const Candidate*> by_id;
    std::unordered_map<std::string, const Candidate*> by_handle;
    for (const auto* v : {&pool.wanted, &pool.accounts})
      for (const Candidate& c : *v) {
        by_id.emplace(c.id, &c);
        by_handle.emplace(c.handle, &c);
      }
    std::unordered_set<std::uint64_t> seen;
    for (const ListEntry& e : entries_) {
      const Candidate* c = nullptr;
      if (e.by_id) {
        auto it = by_id.find(e.id);
        if (it != by_id.end()) c = it->second;
      } else {
        auto it = by_handle.find(e.handle);
        if (it != by_handle.end()) c = it->second;
      }
      const std::string name =
          e.by_id ? "profile id " + std::to_string(e.id) : "handle @" + e.handle;
      if (!c)
        throw InputError(file_, e.line, e.column,
                         name + " is not in the candidate source (" + pool.source + ")");
      if (!hireable(*c))
        throw InputError(file_, e.line, e.column,
                         name +
                             " cannot be hired: it needs followers, a price and a score, and at "
                             "least the nano tier");
      if (seen.insert(c->key).second) pf.hired.push_back(*c);
    }
    const double fees = pf.fees(ctx.params.posts);
    if (fees > ctx.budget)
      throw ConfigError(ctx.budget_key, format::plain(ctx.budget),
                        "at least " + money(fees) + " for strategy '" + spec() +
                            "': the listed accounts cost that much");
    return pf;
  }

 private:
  std::string file_;
  std::vector<ListEntry> entries_;
};

// A list file names at most kMaxHires accounts; 64 MiB holds a million ids or handles with room
// to spare, and bounds what a device, a FIFO or a wrong huge file could make us read.
constexpr std::size_t kMaxListBytes = std::size_t{64} << 20;

std::vector<ListEntry> read_list(const std::string& file, const std::string& text,
                                 const std::string& option) {
  std::string contents;
  try {
    contents = read_text_file(file, kMaxListBytes, "list file");
  } catch (const InputError& e) {
    throw ConfigError(option, text,
                      "list:FILE with a readable file of profile ids or @handles (" +
                          std::string(e.what()) + ")");
  }
  std::istringstream in(contents);
  std::vector<ListEntry> entries;
  std::string line;
  std::uint64_t lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::size_t pos = 0;
    while (pos < line.size()) {
      const std::size_t end = std::min(line.find(',', pos), line.size());
      const std::string raw = line.substr(pos, end - pos);
      const std::string tok = trim(raw);
      const std::uint64_t column = pos + 1 + raw.find_first_not_of(" \t");
      pos = end + 1;
      if (tok.empty()) continue;
      ListEntry e;
      e.line = lineno;
      e.column = column;
      if (tok.find_first_not_of("0123456789") == std::string::npos) {
        auto [p, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), e.id);
        if (ec != std::errc() || p != tok.data() + tok.size())
          throw InputError(file, lineno, column, "profile id '" + tok + "' is out of range");
      } else {
        e.by_id = false;
        e.handle = tok[0] == '@' ? tok.substr(1) : tok;
        if (e.handle.empty() || e.handle.find_first_of(" \t") != std::string::npos)
          throw InputError(file, lineno, column,
                           "'" + tok + "' is not a profile id (digits) or a handle (@name)");
      }
      entries.push_back(std::move(e));
    }
  }
  if (entries.empty())
    throw InputError(file, 0, 0, "no profile ids or handles in the list (one per line)");
  return entries;
}

bool whole_count(const std::string& arg, std::uint64_t& n) {
  auto [p, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), n);
  return ec == std::errc() && p == arg.data() + arg.size() && n >= 1 && n <= kMaxHires;
}

}  // namespace

const std::vector<ListEntry>& Strategy::entries() const {
  static const std::vector<ListEntry> none;
  return none;
}

std::string strategy_help() {
  return "macro, micro-even:N (N >= 1), micro-top, mix:A (A in [0, 1]), optimize, macro:N (at "
         "most N macro/mega accounts) or list:FILE";
}

StrategySpec parse_strategy(const std::string& raw, const std::string& option) {
  const std::string text = trim(raw);
  StrategySpec s;
  s.text = text;
  const auto colon = text.find(':');
  const std::string head = text.substr(0, colon);
  const std::string arg = colon == std::string::npos ? "" : text.substr(colon + 1);
  const bool has_arg = colon != std::string::npos;
  const std::string max = std::to_string(kMaxHires);
  std::uint64_t n = 0;
  if (head == "macro" && !has_arg) {
    s.strategy = std::make_shared<Macro>(text, 0);
  } else if (head == "macro") {
    if (!whole_count(arg, n))
      throw ConfigError(option, text, "macro:N with N a whole number from 1 to " + max);
    s.strategy = std::make_shared<Macro>(text, n);
  } else if (head == "micro-top" && !has_arg) {
    s.strategy = std::make_shared<MicroTop>(text);
  } else if (head == "optimize" && !has_arg) {
    s.strategy = std::make_shared<Optimize>(text);
  } else if (head == "micro-even" && has_arg) {
    if (!whole_count(arg, n))
      throw ConfigError(option, text, "micro-even:N with N a whole number from 1 to " + max);
    s.strategy = std::make_shared<MicroEven>(text, n);
  } else if (head == "mix" && has_arg) {
    double alpha = 0;
    auto [p, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), alpha);
    if (ec != std::errc() || p != arg.data() + arg.size() || !(alpha >= 0.0 && alpha <= 1.0))
      throw ConfigError(option, text, "mix:A with A, the macro share of the budget, in [0, 1]");
    s.strategy = std::make_shared<Mix>(text, alpha);
  } else if (head == "list" && has_arg && !arg.empty()) {
    s.strategy = std::make_shared<List>(text, arg, read_list(arg, text, option));
  } else {
    throw ConfigError(option, text, strategy_help());
  }
  return s;
}

std::vector<StrategySpec> parse_strategies(const std::string& text, const std::string& option) {
  std::vector<StrategySpec> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t end = std::min(text.find(',', pos), text.size());
    const std::string item = trim(text.substr(pos, end - pos));
    if (item.empty())
      throw ConfigError(option, text, "a comma-separated list of strategies: " + strategy_help());
    out.push_back(parse_strategy(item, option));
    pos = end + 1;
  }
  return out;
}

Portfolio build_portfolio(const StrategySpec& spec, const StrategyContext& ctx) {
  Portfolio pf = spec->build(ctx);
  if (pf.hired.size() > kMaxHires)
    throw ConfigError("strategies", spec.text,
                      "at most " + std::to_string(kMaxHires) + " hired accounts per strategy");
  return pf;
}

}  // namespace microreach::sim
