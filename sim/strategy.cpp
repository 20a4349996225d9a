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
#include "microreach/sim/engine.hpp"
#include "microreach/text_file.hpp"

namespace microreach::sim {
namespace {

std::string money(double v) {
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(v < 100 ? 2 : 0);
  os << "$" << v;
  return os.str();
}

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

[[noreturn]] void too_small(const StrategyContext& ctx, const std::string& strategy,
                            const std::string& what, double cheapest, double share = 1.0) {
  std::string allowed;
  if (std::isfinite(cheapest)) {
    allowed = "at least " + money(cheapest / share) + " for strategy '" + strategy +
              "': the cheapest " + what + " in " + niche_text(ctx.niche) + " costs " +
              money(cheapest) + (ctx.params.posts > 1 ? " for the posts asked" : "");
  } else {
    allowed = "strategy '" + strategy + "' needs " + what + " in " + niche_text(ctx.niche) +
              ", and the candidate pool (" + ctx.pool->source + ") has none";
  }
  std::ostringstream v;
  v << ctx.budget;
  throw ConfigError(ctx.budget_key, v.str(), allowed);
}

double cheapest_fee(const std::vector<const Candidate*>& v, double posts) {
  double m = std::numeric_limits<double>::infinity();
  for (const Candidate* c : v) m = std::min(m, c->price * posts);
  return m;
}

// micro-top on `budget`, skipping keys in `taken`.
std::vector<Candidate> micro_top(const CandidatePool& pool, double budget, double posts) {
  auto micro = select(pool, [](const Candidate& c) { return is_tier(c, Tier::micro); });
  std::sort(micro.begin(), micro.end(), [](const Candidate* a, const Candidate* b) {
    const double ra = a->score / a->price, rb = b->score / b->price;
    if (ra != rb) return ra > rb;
    return better_score(a, b);
  });
  std::vector<Candidate> out;
  double left = budget;
  for (const Candidate* c : micro) {
    if (out.size() >= kMaxHires) break;
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

std::vector<Candidate> optimize(const CandidatePool& pool, const ModelParams& par, double budget) {
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
  std::vector<Candidate> chosen;
  double left = budget, total = 0.0;
  for (;;) {
    if (chosen.size() >= kMaxHires) break;
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
    const Item& it = items[best];
    AudienceState& st = state[it.audience];
    st.miss *= 1.0 - std::min(it.x, U) / U;
    st.gross += it.x;
    st.weight += it.w;
    used[best] = 1;
    left -= it.fee;
    total += best_gain;
    chosen.push_back(*it.c);
  }
  if (single && best_single > total) return {*single->c};
  return chosen;
}

// A list file names at most kMaxHires accounts; 64 MiB holds a million ids or handles with room
// to spare, and bounds what a device, a FIFO or a wrong huge file could make us read.
constexpr std::size_t kMaxListBytes = std::size_t{64} << 20;

void read_list(StrategySpec& s, const std::string& option) {
  std::string text;
  try {
    text = read_text_file(s.file, kMaxListBytes, "list file");
  } catch (const InputError& e) {
    throw ConfigError(option, s.text,
                      "list:FILE with a readable file of profile ids or @handles (" +
                          std::string(e.what()) + ")");
  }
  std::istringstream in(text);
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
      StrategySpec::Entry e;
      e.line = lineno;
      e.column = column;
      if (tok.find_first_not_of("0123456789") == std::string::npos) {
        auto [p, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), e.id);
        if (ec != std::errc() || p != tok.data() + tok.size())
          throw InputError(s.file, lineno, column, "profile id '" + tok + "' is out of range");
      } else {
        e.by_id = false;
        e.handle = tok[0] == '@' ? tok.substr(1) : tok;
        if (e.handle.empty() || e.handle.find_first_of(" \t") != std::string::npos)
          throw InputError(s.file, lineno, column,
                           "'" + tok + "' is not a profile id (digits) or a handle (@name)");
      }
      s.entries.push_back(std::move(e));
    }
  }
  if (s.entries.empty())
    throw InputError(s.file, 0, 0, "no profile ids or handles in the list (one per line)");
}

}  // namespace

std::string strategy_help() {
  return "macro, micro-even:N (N >= 1), micro-top, mix:A (A in [0, 1]), optimize or list:FILE";
}

StrategySpec parse_strategy(const std::string& raw, const std::string& option) {
  const std::string text = trim(raw);
  StrategySpec s;
  s.text = text;
  const auto colon = text.find(':');
  const std::string head = text.substr(0, colon);
  const std::string arg = colon == std::string::npos ? "" : text.substr(colon + 1);
  const bool has_arg = colon != std::string::npos;
  if (head == "macro" && !has_arg) {
    s.kind = StrategyKind::macro;
  } else if (head == "micro-top" && !has_arg) {
    s.kind = StrategyKind::micro_top;
  } else if (head == "optimize" && !has_arg) {
    s.kind = StrategyKind::optimize;
  } else if (head == "micro-even" && has_arg) {
    s.kind = StrategyKind::micro_even;
    auto [p, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), s.count);
    if (ec != std::errc() || p != arg.data() + arg.size() || s.count < 1 || s.count > kMaxHires)
      throw ConfigError(
          option, text,
          "micro-even:N with N a whole number from 1 to " + std::to_string(kMaxHires));
  } else if (head == "mix" && has_arg) {
    s.kind = StrategyKind::mix;
    auto [p, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), s.alpha);
    if (ec != std::errc() || p != arg.data() + arg.size() || !(s.alpha >= 0.0 && s.alpha <= 1.0))
      throw ConfigError(option, text, "mix:A with A, the macro share of the budget, in [0, 1]");
  } else if (head == "list" && has_arg && !arg.empty()) {
    s.kind = StrategyKind::list;
    s.file = arg;
    read_list(s, option);
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
  const CandidatePool& pool = *ctx.pool;
  const double posts = ctx.params.posts;
  const double budget = ctx.budget;
  Portfolio pf;
  pf.spec = spec.text;
  pf.label = spec.text;
  pf.budget = budget;
  switch (spec.kind) {
    case StrategyKind::macro: {
      auto big = select(pool, is_big);
      std::vector<const Candidate*> fit;
      for (const Candidate* c : big)
        if (c->price * posts <= budget) fit.push_back(c);
      if (fit.empty()) too_small(ctx, spec.text, "macro or mega account", cheapest_fee(big, posts));
      pf.hired.push_back(**std::min_element(fit.begin(), fit.end(), better_score));
      break;
    }
    case StrategyKind::micro_even: {
      auto micro = select(pool, [](const Candidate& c) { return is_tier(c, Tier::micro); });
      const double each = budget / static_cast<double>(spec.count);
      // "N accounts sharing the budget": the best-scored accounts whose fee is close to the
      // share (between half of it and all of it), so the plan spends most of the budget; when
      // fewer than N are that close, the best-scored cheaper ones fill the list.
      std::vector<const Candidate*> near, cheaper;
      for (const Candidate* c : micro) {
        const double fee = c->price * posts;
        if (fee <= each) (fee >= 0.5 * each ? near : cheaper).push_back(c);
      }
      if (near.empty() && cheaper.empty())
        too_small(ctx, spec.text, "micro account", cheapest_fee(micro, posts),
                  1.0 / static_cast<double>(spec.count));
      std::sort(near.begin(), near.end(), better_score);
      std::sort(cheaper.begin(), cheaper.end(), better_score);
      for (const auto* list : {&near, &cheaper})
        for (std::size_t i = 0; i < list->size() && pf.hired.size() < spec.count; ++i)
          pf.hired.push_back(*(*list)[i]);
      if (pf.hired.size() < spec.count)
        pf.note = "only " + std::to_string(pf.hired.size()) + " micro accounts cost at most " +
                  money(each) + " (budget / " + std::to_string(spec.count) + ")";
      break;
    }
    case StrategyKind::micro_top: {
      pf.hired = micro_top(pool, budget, posts);
      if (pf.hired.empty())
        too_small(
            ctx, spec.text, "micro account",
            cheapest_fee(select(pool, [](const Candidate& c) { return is_tier(c, Tier::micro); }),
                         posts));
      break;
    }
    case StrategyKind::mix: {
      double left = budget;
      if (spec.alpha > 0) {
        const Candidate* best = nullptr;
        for (const Candidate* c : select(pool, is_big))
          if (c->price * posts <= spec.alpha * budget && (!best || better_score(c, best))) best = c;
        if (best) {
          pf.hired.push_back(*best);
          left -= best->price * posts;
        } else {
          pf.note = "no macro or mega account costs at most " + money(spec.alpha * budget) +
                    ": all of the budget went to micro-top";
        }
      }
      for (Candidate& c : micro_top(pool, left, posts)) pf.hired.push_back(std::move(c));
      if (pf.hired.empty())
        too_small(
            ctx, spec.text, "micro account",
            cheapest_fee(select(pool, [](const Candidate& c) { return is_tier(c, Tier::micro); }),
                         posts));
      break;
    }
    case StrategyKind::optimize: {
      pf.hired = optimize(pool, ctx.params, budget);
      if (pf.hired.empty()) {
        double cheapest = std::numeric_limits<double>::infinity();
        for (const Candidate& c : pool.accounts) cheapest = std::min(cheapest, c.price * posts);
        if (cheapest > budget) too_small(ctx, spec.text, "account", cheapest);
        pf.note = "no affordable account adds expected profit: nothing hired";
      }
      break;
    }
    case StrategyKind::list: {
      std::unordered_map<std::uint64_t, const Candidate*> by_id;
      std::unordered_map<std::string, const Candidate*> by_handle;
      for (const auto* v : {&pool.wanted, &pool.accounts})
        for (const Candidate& c : *v) {
          by_id.emplace(c.id, &c);
          by_handle.emplace(c.handle, &c);
        }
      std::unordered_set<std::uint64_t> seen;
      for (const StrategySpec::Entry& e : spec.entries) {
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
          throw InputError(spec.file, e.line, e.column,
                           name + " is not in the candidate source (" + pool.source + ")");
        if (!hireable(*c))
          throw InputError(spec.file, e.line, e.column,
                           name +
                               " cannot be hired: it needs followers, a price and a score, and "
                               "at least the nano tier");
        if (seen.insert(c->key).second) pf.hired.push_back(*c);
      }
      const double fees = pf.fees(posts);
      if (fees > budget) {
        std::ostringstream v;
        v << budget;
        throw ConfigError(ctx.budget_key, v.str(),
                          "at least " + money(fees) + " for strategy '" + spec.text +
                              "': the listed accounts cost that much");
      }
      pf.label = "list";
      break;
    }
  }
  if (pf.hired.size() > kMaxHires)
    throw ConfigError("strategies", spec.text,
                      "at most " + std::to_string(kMaxHires) + " hired accounts per strategy");
  return pf;
}

}  // namespace microreach::sim
