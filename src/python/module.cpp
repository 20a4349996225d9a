// microreach._core: the C++ side of the Python package `microreach` (src/python/microreach/
// holds the pandas glue and the user-facing docstrings; docs/python.md the guide).
//
// Columns cross the boundary as NumPy arrays without copies where the memory allows it:
// results are allocated here and handed to NumPy with a capsule that frees them; input
// columns are read in place from the caller's buffers (float64, C-contiguous; anything else is
// converted once). Work runs with the GIL released in a tbb::task_arena of the requested
// thread count. Library errors become microreach.Error (a ValueError) with the message the
// command line prints and its exit code as `exit_code`.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <tbb/info.h>
#include <tbb/task_arena.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "microreach/audit/audit.hpp"
#include "microreach/build_info.hpp"
#include "microreach/cancel.hpp"
#include "microreach/columns.hpp"
#include "microreach/config.hpp"
#include "microreach/error.hpp"
#include "microreach/io/hdf5.hpp"
#include "microreach/io/profiles.hpp"
#include "microreach/jobs/audit.hpp"
#include "microreach/jobs/options.hpp"
#include "microreach/jobs/plan.hpp"
#include "microreach/jobs/simulate.hpp"
#include "microreach/profile.hpp"
#include "microreach/scoring.hpp"
#include "microreach/sim/campaign_run.hpp"
#include "microreach/sim/engine.hpp"
#include "microreach/sim/plan.hpp"
#include "microreach/sim/scenario.hpp"
#include "microreach/sim/strategy.hpp"

namespace py = pybind11;
using namespace microreach;

namespace {

constexpr const char* kScoreNames[] = {"score",
                                       "engagement",
                                       "authenticity",
                                       "relevance",
                                       "cost_efficiency",
                                       "responsiveness",
                                       "engagement_rate",
                                       "benchmark_rate",
                                       "fake_share",
                                       "fake_share_lo",
                                       "fake_share_hi",
                                       "authentic_followers",
                                       "expected_reach",
                                       "expected_engagements",
                                       "price",
                                       "cpe",
                                       "cpm"};
constexpr std::size_t kScoreNumeric = std::size(kScoreNames);

// ------------------------------------------------------------------ arrays without copies

// A std::vector handed to NumPy: the array owns the vector through a capsule.
template <class T>
py::array_t<T> hand_over(std::vector<T>&& v) {
  auto* owned = new std::vector<T>(std::move(v));
  py::capsule owner(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>({owned->size()}, {sizeof(T)}, owned->data(), owner);
}

// An uninitialised buffer of n elements (pages are first touched by the threads that fill
// them), handed to NumPy the same way.
template <class T>
struct Buffer {
  std::unique_ptr<T[]> data;
  std::size_t n = 0;
  explicit Buffer(std::size_t rows) : data(new T[rows == 0 ? 1 : rows]), n(rows) {}
  py::array_t<T> release() {
    T* p = data.release();
    py::capsule owner(p, [](void* q) { delete[] static_cast<T*>(q); });
    return py::array_t<T>({n}, {sizeof(T)}, p, owner);
  }
};

py::list strings(const std::vector<std::string>& v) {
  py::list out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) out[i] = py::str(v[i]);
  return out;
}

template <std::size_t N>
py::list names(const std::array<std::string_view, N>& a) {
  py::list out;
  for (auto s : a) out.append(py::str(std::string(s)));
  return out;
}

int arena_threads(std::optional<int> threads) {
  if (threads && *threads < 0)
    throw ConfigError("--threads", std::to_string(*threads), "a thread count >= 1 (0 = all cores)");
  return threads && *threads > 0 ? *threads : tbb::info::default_concurrency();
}

// Runs f with the GIL released in an arena of `threads` threads.
template <class F>
void run_parallel(std::optional<int> threads, F&& f) {
  tbb::task_arena arena(arena_threads(threads));
  py::gil_scoped_release nogil;
  arena.execute(std::forward<F>(f));
}

// ------------------------------------------------------------------ configuration

// The command line's option structs (microreach/jobs/options.hpp) build the configurations,
// so the checks and messages are those of the commands.
ScoringConfig scoring_config(const std::optional<std::string>& niche,
                             const std::optional<std::map<std::string, double>>& weights,
                             const std::optional<std::string>& tier_bounds,
                             const std::vector<std::string>& similar,
                             const std::vector<std::string>& benchmark,
                             std::optional<double> suspected_fake_below) {
  jobs::ScoringOptions o;
  o.niche = niche.value_or("");
  o.tier_bounds = tier_bounds.value_or("");
  o.similar = similar;
  o.benchmark = benchmark;
  if (weights) {
    for (const auto& [key, value] : *weights) {
      if (key == "engagement")
        o.weights.engagement = value;
      else if (key == "authenticity")
        o.weights.authenticity = value;
      else if (key == "relevance")
        o.weights.relevance = value;
      else if (key == "cost" || key == "cost_efficiency")
        o.weights.cost = value;
      else if (key == "responsiveness")
        o.weights.responsiveness = value;
      else
        throw ConfigError("weights", key,
                          "one of engagement, authenticity, relevance, cost, responsiveness");
    }
  }
  if (suspected_fake_below) o.suspected_fake_below = *suspected_fake_below;
  return o.build();
}

GeneratorConfig generator_config(const std::vector<std::string>& platform_mix,
                                 const std::vector<std::string>& niche_mix, double known_fake_share,
                                 int version) {
  return jobs::GeneratorOptions{platform_mix, niche_mix, known_fake_share, std::to_string(version)}
      .build();
}

// ------------------------------------------------------------------ profiles <-> dict

// Every column of a ProfileChunk as arrays (moved out of the chunk, no copy). Strings become
// Python lists; categoricals stay codes (the package turns them into pandas.Categorical).
py::dict profile_dict(ProfileChunk&& c, const std::vector<Column>& present, bool with_truth) {
  py::dict d;
  for (Column col : present) {
    const std::string name(column_info(col).name);
    switch (col) {
      case Column::id:
        d[name.c_str()] = hand_over(std::move(c.id));
        break;
      case Column::handle:
        d[name.c_str()] = strings(c.handle);
        break;
      case Column::country:
        d[name.c_str()] = strings(c.country);
        break;
      case Column::platform:
        d[name.c_str()] = hand_over(std::move(c.platform));
        break;
      case Column::niche:
        d[name.c_str()] = hand_over(std::move(c.niche));
        break;
      default:
        d[name.c_str()] = hand_over(std::move(*c.numeric(col)));
    }
  }
  if (with_truth) d["true_fake_share"] = hand_over(std::move(c.true_fake_share));
  return d;
}

std::vector<Column> all_columns() {
  std::vector<Column> v;
  for (std::size_t k = 0; k < kColumnCount; ++k) v.push_back(static_cast<Column>(k));
  return v;
}

py::dict score_dict(ScoreChunk&& s) {
  py::dict d;
  const auto& members = ScoreChunk::numeric_members();
  for (std::size_t k = 0; k < kScoreNumeric; ++k)
    d[kScoreNames[k]] = hand_over(std::move(s.*members[k]));
  d["tier"] = hand_over(std::move(s.tier));
  d["flags"] = hand_over(std::move(s.flags));
  d["missing"] = hand_over(std::move(s.missing));
  return d;
}

// A column of a dict of arrays as a contiguous array of T (a view when it already is one).
template <class T>
std::optional<py::array_t<T, py::array::c_style | py::array::forcecast>> column(const py::dict& d,
                                                                                const char* name,
                                                                                std::size_t rows) {
  if (!d.contains(name)) return std::nullopt;
  auto a = py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(d[name]);
  if (!a) throw ConfigError(name, py::str(py::type::of(d[name])), "a numeric array");
  if (a.ndim() != 1 || static_cast<std::size_t>(a.shape(0)) != rows)
    throw ConfigError(name, std::to_string(a.ndim() == 1 ? a.shape(0) : a.size()) + " values",
                      "a 1-D column of " + std::to_string(rows) + " rows like 'followers'");
  return a;
}

std::size_t row_count(const py::dict& d) {
  if (!d.contains("followers"))
    throw ConfigError("followers", "(absent)",
                      "a 'followers' column: the profiles need at least follower counts");
  return static_cast<std::size_t>(py::len(d["followers"]));
}

// Checks a categorical code column (kUnknown allowed).
void check_codes(const std::uint8_t* v, std::size_t n, std::size_t count, const char* name) {
  for (std::size_t i = 0; i < n; ++i)
    if (v[i] >= count && v[i] != kUnknown)
      throw ConfigError(name, "code " + std::to_string(v[i]) + " at row " + std::to_string(i),
                        "codes 0.." + std::to_string(count - 1) + " or -1/255 (unknown)");
}

// ------------------------------------------------------------------ entry points

py::dict generate(std::uint64_t n, std::uint64_t seed, const std::vector<std::string>& platform_mix,
                  const std::vector<std::string>& niche_mix, double known_fake_share,
                  int generator_version, std::optional<int> threads) {
  if (n > (std::uint64_t{1} << 34))
    throw ConfigError("--count", std::to_string(n), "at most 17179869184 profiles in memory");
  const GeneratorConfig gen =
      generator_config(platform_mix, niche_mix, known_fake_share, generator_version);
  const ScoringConfig scoring;  // the price model and benchmarks `microreach generate` uses
  ProfileChunk c;
  run_parallel(threads, [&] { generate_rows(seed, n, gen, scoring, c); });
  return profile_dict(std::move(c), all_columns(), /*with_truth=*/true);
}

py::dict score(const py::dict& cols, const std::optional<std::string>& niche,
               const std::optional<std::map<std::string, double>>& weights,
               const std::optional<std::string>& tier_bounds,
               const std::vector<std::string>& similar, const std::vector<std::string>& benchmark,
               std::optional<double> suspected_fake_below, std::optional<int> threads) {
  const ScoringConfig cfg =
      scoring_config(niche, weights, tier_bounds, similar, benchmark, suspected_fake_below);
  const std::size_t n = row_count(cols);
  // Keep every input array alive (and its buffer pinned) while the threads read it.
  std::vector<py::object> keep;
  ProfileColumns in;
  in.rows = n;
  for (std::size_t k = 0; k < kColumnCount; ++k) {
    const auto col = static_cast<Column>(k);
    if (col == Column::id || col == Column::handle || col == Column::country ||
        col == Column::platform || col == Column::niche)
      continue;
    const std::string name(column_info(col).name);
    if (auto a = column<double>(cols, name.c_str(), n)) {
      in.numeric[k] = a->data();
      keep.push_back(std::move(*a));
    }
  }
  auto codes = [&](const char* name, std::size_t count) -> const std::uint8_t* {
    auto a = column<std::uint8_t>(cols, name, n);
    if (!a) return nullptr;
    check_codes(a->data(), n, count, name);
    const std::uint8_t* p = a->data();
    keep.push_back(std::move(*a));
    return p;
  };
  in.platform = codes("platform", kPlatformCount);
  in.niche = codes("niche", kNicheCount);

  std::vector<Buffer<double>> numeric;
  numeric.reserve(kScoreNumeric);
  for (std::size_t k = 0; k < kScoreNumeric; ++k) numeric.emplace_back(n);
  Buffer<std::uint8_t> tier(n), missing(n);
  Buffer<std::uint16_t> flags(n);
  ScoreColumns out;
  for (std::size_t k = 0; k < kScoreNumeric; ++k) out.numeric[k] = numeric[k].data.get();
  out.tier = tier.data.get();
  out.flags = flags.data.get();
  out.missing = missing.data.get();
  run_parallel(threads, [&] { score_columns(in, cfg, out); });

  py::dict d;
  for (std::size_t k = 0; k < kScoreNumeric; ++k) d[kScoreNames[k]] = numeric[k].release();
  d["tier"] = tier.release();
  d["flags"] = flags.release();
  d["missing"] = missing.release();
  return d;
}

// Whole file -> {"profiles": dict, "scores": dict or None, "attrs": dict}.
py::dict read_file(const std::string& path) {
  ProfileChunk c;
  ScoreChunk s;
  std::vector<Column> present;
  bool truth = false, scored = false;
  py::dict attrs;
  {
    py::gil_scoped_release nogil;
    h5::ProfileReader reader(path);
    present = reader.columns();
    truth = reader.has_truth();
    const auto rows = reader.rows();
    if (rows > 0) reader.read(c, static_cast<std::size_t>(rows));
    scored = reader.file().filetype() == h5::kFiletypeScores;
    if (scored) h5::read_scores(reader.file(), 0, static_cast<std::size_t>(rows), s);
    py::gil_scoped_acquire gil;
    const h5::Id f = reader.file().id();
    for (const char* a :
         {"filetype", "microreach_version", "git_sha", "created", "config", "command", "source"})
      if (h5::has_attr(f, a)) attrs[a] = h5::read_attr_string(f, a);
    if (h5::has_attr(f, "seed")) attrs["seed"] = h5::read_attr_double(f, "seed");
  }
  py::dict d;
  d["profiles"] = profile_dict(std::move(c), present, truth);
  d["scores"] = scored ? py::object(score_dict(std::move(s))) : py::object(py::none());
  d["attrs"] = attrs;
  return d;
}

// dict of profile columns (+ optional dict of score columns) -> an HDF5 profiles or scores
// file in the documented layout, written atomically (temporary file renamed when complete).
void write_file(const std::string& path, const py::dict& profiles, const py::object& scores,
                const std::string& compress_text) {
  const h5::Compression compress = h5::Compression::parse("compress", compress_text);
  const std::size_t n = row_count(profiles);
  ProfileChunk c;
  c.resize(n);
  std::vector<Column> omit;
  for (std::size_t k = 0; k < kColumnCount; ++k) {
    const auto col = static_cast<Column>(k);
    const std::string name(column_info(col).name);
    if (!profiles.contains(name.c_str())) {
      if (col != Column::id) omit.push_back(col);
      if (col == Column::id)
        for (std::size_t i = 0; i < n; ++i) c.id[i] = i;
      continue;
    }
    if (col == Column::handle || col == Column::country) {
      auto& v = col == Column::handle ? c.handle : c.country;
      py::sequence seq = profiles[name.c_str()];
      if (py::len(seq) != n)
        throw ConfigError(name, std::to_string(py::len(seq)) + " values",
                          "a column of " + std::to_string(n) + " rows like 'followers'");
      for (std::size_t i = 0; i < n; ++i) {
        py::object o = seq[i];
        v[i] = o.is_none() || py::isinstance<py::float_>(o) ? std::string()
                                                            : py::str(o).cast<std::string>();
      }
    } else if (col == Column::id) {
      auto a = column<std::uint64_t>(profiles, "id", n);
      std::memcpy(c.id.data(), a->data(), n * sizeof(std::uint64_t));
    } else if (col == Column::platform || col == Column::niche) {
      auto a = column<std::uint8_t>(profiles, name.c_str(), n);
      check_codes(a->data(), n, col == Column::platform ? kPlatformCount : kNicheCount,
                  name.c_str());
      std::memcpy((col == Column::platform ? c.platform : c.niche).data(), a->data(), n);
    } else {
      auto a = column<double>(profiles, name.c_str(), n);
      std::memcpy(c.numeric(col)->data(), a->data(), n * sizeof(double));
    }
  }
  const bool truth = profiles.contains("true_fake_share");
  if (truth) {
    auto a = column<double>(profiles, "true_fake_share", n);
    std::memcpy(c.true_fake_share.data(), a->data(), n * sizeof(double));
  }
  std::optional<ScoreChunk> s;
  if (!scores.is_none()) {
    const py::dict sd = scores;
    s.emplace();
    s->resize(n);
    const auto& members = ScoreChunk::numeric_members();
    for (std::size_t k = 0; k < kScoreNumeric; ++k) {
      auto a = column<double>(sd, kScoreNames[k], n);
      if (!a) throw ConfigError(kScoreNames[k], "(absent)", "every score column of score()");
      std::memcpy((*s.*members[k]).data(), a->data(), n * sizeof(double));
    }
    auto small = [&](const char* name, auto& v) {
      using T = typename std::decay_t<decltype(v)>::value_type;
      auto a = column<T>(sd, name, n);
      if (!a) throw ConfigError(name, "(absent)", "every score column of score()");
      std::memcpy(v.data(), a->data(), n * sizeof(T));
    };
    small("tier", s->tier);
    small("flags", s->flags);
    small("missing", s->missing);
  }
  py::gil_scoped_release nogil;
  const h5::Provenance prov{s ? h5::kFiletypeScores : h5::kFiletypeProfiles, 0, "",
                            "python: microreach.write"};
  h5::write_file_atomically(path, prov, [&](h5::File& file) {
    if (!s) h5::write_attr(file.id(), "rows", static_cast<std::uint64_t>(n));
    const h5::ColumnOptions opt{65536, compress};
    h5::ProfileWriter pw(file.id(), opt, truth, omit);
    pw.append(c);
    if (s) {
      h5::ScoreWriter sw(file.id(), opt);
      sw.append(*s);
    }
  });
}

// ------------------------------------------------------------------ campaigns

// Options of simulate/sweep that override scenario keys, with the command line's names (so a
// refused value is reported as the command reports it).
jobs::CampaignSettings campaign_settings(const py::dict& d) {
  jobs::CampaignSettings a;
  auto get = [&](const char* k, auto& field) {
    using T = typename std::decay_t<decltype(field)>::value_type;
    if (d.contains(k) && !d[k].is_none()) field = d[k].cast<T>();
  };
  get("scenario", a.scenario);
  get("budget", a.budget);
  get("niche", a.niche);
  get("trials", a.trials);
  get("seed", a.seed);
  get("input", a.input);
  get("market_profiles", a.market_profiles);
  get("market_seed", a.market_seed);
  get("posts", a.posts);
  get("conversion_rate", a.conversion_rate);
  get("aov", a.aov);
  get("margin", a.margin);
  return a;
}

py::dict summary_dict(const std::vector<sim::PortfolioSummary>& summary) {
  sim::SummaryTable t = sim::summary_table(summary);  // as the campaign file stores it
  py::dict d;
  d["strategy"] = hand_over(std::move(t.strategy));
  d["metric"] = hand_over(std::move(t.metric));
  d["mean"] = hand_over(std::move(t.mean));
  d["se"] = hand_over(std::move(t.se));
  d["sd"] = hand_over(std::move(t.sd));
  d["p5"] = hand_over(std::move(t.p5));
  d["p50"] = hand_over(std::move(t.p50));
  d["p95"] = hand_over(std::move(t.p95));
  d["p_negative"] = hand_over(std::move(t.p_negative));
  d["shortfall"] = hand_over(std::move(t.shortfall));
  d["expected"] = hand_over(std::move(t.expected));
  return d;
}

py::dict comparisons_dict(const sim::SimResult& r) {
  sim::Comparisons c = sim::comparisons(r);  // both orders, as the campaign file stores them
  py::dict d;
  d["a"] = hand_over(std::move(c.a));
  d["b"] = hand_over(std::move(c.b));
  d["p_a_beats_b"] = hand_over(std::move(c.p_a_beats_b));
  d["mean_difference"] = hand_over(std::move(c.mean_difference));
  d["se_difference"] = hand_over(std::move(c.se_difference));
  return d;
}

py::dict hires_dict(const std::vector<sim::Portfolio>& portfolios, double posts) {
  std::vector<std::uint32_t> strategy;
  std::vector<std::uint64_t> key, id;
  std::vector<std::string> handle;
  std::vector<std::uint8_t> platform, niche, tier;
  std::vector<double> followers, fake_share, fake_lo, fake_hi, epv, share_fraction, relevance,
      price, cost, score;
  for (std::size_t i = 0; i < portfolios.size(); ++i)
    for (const sim::Candidate& c : portfolios[i].hired) {
      strategy.push_back(static_cast<std::uint32_t>(i));
      key.push_back(c.key);
      id.push_back(c.id);
      handle.push_back(c.handle);
      platform.push_back(c.platform);
      niche.push_back(c.niche);
      tier.push_back(c.tier);
      followers.push_back(c.followers);
      fake_share.push_back(c.fake_share);
      fake_lo.push_back(c.fake_share_lo);
      fake_hi.push_back(c.fake_share_hi);
      epv.push_back(c.engagement_per_view);
      share_fraction.push_back(c.share_fraction);
      relevance.push_back(c.relevance);
      price.push_back(c.price);
      cost.push_back(c.price * posts);
      score.push_back(c.score);
    }
  py::dict d;
  d["strategy"] = hand_over(std::move(strategy));
  d["key"] = hand_over(std::move(key));
  d["id"] = hand_over(std::move(id));
  d["handle"] = strings(handle);
  d["platform"] = hand_over(std::move(platform));
  d["niche"] = hand_over(std::move(niche));
  d["tier"] = hand_over(std::move(tier));
  d["followers"] = hand_over(std::move(followers));
  d["fake_share"] = hand_over(std::move(fake_share));
  d["fake_share_lo"] = hand_over(std::move(fake_lo));
  d["fake_share_hi"] = hand_over(std::move(fake_hi));
  d["views_engagement"] = hand_over(std::move(epv));
  d["share_fraction"] = hand_over(std::move(share_fraction));
  d["relevance"] = hand_over(std::move(relevance));
  d["price"] = hand_over(std::move(price));
  d["cost"] = hand_over(std::move(cost));
  d["score"] = hand_over(std::move(score));
  return d;
}

py::list portfolio_list(const std::vector<sim::Portfolio>& portfolios, double posts) {
  py::list out;
  for (const sim::Portfolio& p : portfolios) {
    py::dict d;
    d["spec"] = p.spec;
    d["label"] = p.label;
    d["hired"] = p.hired.size();
    d["cost"] = p.fees(posts);
    d["budget"] = p.budget;
    d["note"] = p.note;
    out.append(d);
  }
  return out;
}

// Every trial's totals of every portfolio (moved out of the result: no copy).
py::dict trials_dict(sim::SimResult& r) {
  py::dict d;
  d["conversion_shock"] = hand_over(std::move(r.conversion_shock));
  d["reach_shock"] = hand_over(std::move(r.reach_shock));
  py::list per;
  for (auto& metrics : r.values) {
    py::dict m;
    for (std::size_t k = 0; k < sim::kMetricCount; ++k)
      m[std::string(sim::kMetricNames[k]).c_str()] = hand_over(std::move(metrics[k]));
    per.append(m);
  }
  d["strategies"] = per;
  return d;
}

py::dict run_info(const sim::Scenario& sc, const sim::CandidatePool& pool,
                  const sim::SimResult& r) {
  py::dict info;
  info["scenario"] = sc.to_toml();
  info["seed"] = sc.seed;
  info["trials"] = r.trials;
  info["budget"] = sc.budget;
  info["niche"] = std::string(niche_name(static_cast<std::uint8_t>(sc.niche)));
  info["candidates"] = pool.accounts.size();
  info["candidate_source"] = pool.source;
  info["batch_isa"] = std::string(sim::batch_isa_name());
  return info;
}

py::dict simulate_campaign(const py::dict& options, const std::optional<std::string>& strategies,
                           std::optional<double> precision, std::optional<std::uint64_t> max_trials,
                           bool noise, std::optional<int> threads) {
  jobs::SimulateOptions o;
  o.campaign = campaign_settings(options);
  // As `simulate --strategies ... --precision ... --max-trials ... [--no-noise]`.
  std::tie(o.strategies, o.precision, o.max_trials) = std::tie(strategies, precision, max_trials);
  o.noise = noise;
  const sim::Scenario sc = jobs::simulate_scenario(o);
  jobs::SimulateResult job;
  run_parallel(threads, [&] { job = jobs::simulate(sc, o); });
  sim::CampaignRun& run = job.run;
  const double posts = run.model->params().posts;
  py::dict d;
  d["summary"] = summary_dict(run.summary);
  d["comparisons"] = comparisons_dict(run.result);
  d["hires"] = hires_dict(run.model->portfolios(), posts);
  d["strategies"] = portfolio_list(run.model->portfolios(), posts);
  py::dict info = run_info(run.scenario, run.pool, run.result);
  info["rounds"] = run.precision.rounds;
  info["max_relative_se"] = run.precision.max_relative_se;
  info["precision_reached"] = run.precision.reached;
  info["baseline"] = run.baseline;
  d["info"] = info;
  d["trials"] = trials_dict(run.result);
  return d;
}

py::dict sweep_campaign(const py::dict& options, const std::string& over,
                        const std::string& strategy, const std::string& objective,
                        std::optional<int> threads) {
  jobs::SweepJobOptions o;
  o.campaign = campaign_settings(options);
  std::tie(o.over, o.objective, o.strategy) = std::tie(over, objective, strategy);
  // sweep runs 10,000 trials a point unless the scenario file or trials= says otherwise.
  const jobs::SweepPlan plan = jobs::plan_sweep(o);
  jobs::SweepJobResult run;
  run_parallel(threads, [&] { run = jobs::sweep(plan, o); });
  const sim::SweepResult& r = run.result;
  const double posts = plan.scenario.model.posts;
  std::vector<double> value, budget, cost, objective_value, dom_by;
  std::vector<std::uint64_t> hired;
  std::vector<std::uint8_t> dominated;
  for (std::size_t i = 0; i < r.points.size(); ++i) {
    value.push_back(r.points[i].value);
    budget.push_back(r.points[i].budget);
    hired.push_back(r.points[i].hired);
    cost.push_back(r.points[i].cost);
    objective_value.push_back(r.points[i].objective_value);
    dominated.push_back(r.frontier.dominated[i]);
    dom_by.push_back(static_cast<double>(r.frontier.dominated_by[i]));
  }
  py::dict points;
  points["value"] = hand_over(std::move(value));
  points["budget"] = hand_over(std::move(budget));
  points["hired"] = hand_over(std::move(hired));
  points["cost"] = hand_over(std::move(cost));
  points["objective_value"] = hand_over(std::move(objective_value));
  points["dominated"] = hand_over(std::move(dominated));
  py::dict d;
  d["points"] = points;
  d["dominated_by"] = r.frontier.dominated_by;
  d["frontier"] = r.frontier.frontier;
  d["best"] = r.best;
  d["summary"] = summary_dict(r.summary);
  d["hires"] = hires_dict(r.portfolios, posts);
  d["strategies"] = portfolio_list(r.portfolios, posts);
  py::list skipped;
  for (const auto& [v, why] : run.skipped) skipped.append(py::make_tuple(v, why));
  d["skipped"] = skipped;
  py::dict info = run_info(plan.scenario, run.pool, r.sim);
  info["axis"] = std::string(sim::axis_name(r.spec.axis));
  info["strategy"] = plan.strategy;
  info["objective"] = std::string(sim::objective_name(r.objective));
  d["info"] = info;
  return d;
}

// ------------------------------------------------------------------ audit

// `microreach audit FOLLOWERS`: classify every follower, then the corrected fake share with its
// interval and the sample still needed for `width` (same checks, in the same order).
py::dict audit_followers(const std::string& path, const std::string& model,
                         const std::string& method_text, double confidence, double width,
                         bool keep_usernames, std::optional<int> threads) {
  using namespace microreach::audit;
  jobs::AuditOptions opt;
  opt.file = path;
  opt.model = model;
  opt.method = method_text;
  opt.confidence = confidence;
  opt.width = width;
  opt.keep_usernames = keep_usernames;
  std::vector<double> probability;
  std::vector<std::uint8_t> flagged;
  std::vector<std::uint64_t> line;
  std::vector<std::string> username;
  opt.on_block = [&](const ClassifiedBlock& b) {
    probability.insert(probability.end(), b.probability.begin(), b.probability.end());
    flagged.insert(flagged.end(), b.flagged.begin(), b.flagged.end());
    line.insert(line.end(), b.line.begin(), b.line.end());
    username.insert(username.end(), b.username.begin(), b.username.end());
  };
  jobs::AuditResult r;
  run_parallel(threads, [&] { r = jobs::audit_followers(opt); });
  const LogisticModel& m = r.model;
  const StreamStats& stats = r.stats;
  const ShareEstimate& est = r.estimate;
  const SamplePlan& plan = r.plan;
  const IntervalMethod method = r.method;
  py::dict followers;
  followers["line"] = hand_over(std::move(line));
  followers["probability"] = hand_over(std::move(probability));
  followers["flagged"] = hand_over(std::move(flagged));
  if (!username.empty()) followers["username"] = strings(username);
  py::dict e;
  e["source"] = path;
  e["model_name"] = model;
  e["method"] = std::string(interval_method_name(method));
  e["confidence"] = confidence;
  e["threshold"] = m.threshold;
  e["sensitivity"] = m.accuracy.sensitivity;
  e["specificity"] = m.accuracy.specificity;
  e["sampled"] = stats.rows;
  e["flagged"] = stats.flagged;
  e["missing_values"] = stats.missing_values;
  e["apparent_share"] = est.apparent;
  e["apparent_lo"] = est.apparent_ci.lo;
  e["apparent_hi"] = est.apparent_ci.hi;
  e["fake_share"] = est.corrected;
  e["fake_share_lo"] = est.corrected_ci.lo;
  e["fake_share_hi"] = est.corrected_ci.hi;
  e["sampling_lo"] = est.sampling_ci.lo;
  e["sampling_hi"] = est.sampling_ci.hi;
  e["target_width"] = width;
  e["width_reachable"] = plan.reachable;
  e["floor_width"] = plan.floor_width;
  e["total_needed"] = plan.total_needed;
  e["more_needed"] = plan.more_needed;
  py::dict d;
  d["followers"] = followers;
  d["estimate"] = e;
  return d;
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "microreach's C++ core (use the `microreach` package, not this module)";

  static py::exception<Error> error(m, "Error", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      py::object inst = py::reinterpret_borrow<py::object>(error.ptr())(e.what());
      inst.attr("exit_code") = e.exit_code();
      PyErr_SetObject(error.ptr(), inst.ptr());
    }
  });

  m.attr("__version__") = build::kVersion;
  m.attr("git_sha") = build::kGitSha;
  m.attr("platforms") = names(kPlatformNames);
  m.attr("niches") = names(kNicheNames);
  m.attr("tiers") = names(kTierNames);
  m.attr("metrics") = names(sim::kMetricNames);
  {
    py::list s;
    for (const char* n : kScoreNames) s.append(n);
    m.attr("score_columns") = s;
    py::list p;
    for (std::size_t k = 0; k < kColumnCount; ++k)
      p.append(std::string(column_info(static_cast<Column>(k)).name));
    m.attr("profile_columns") = p;
  }
  m.attr("flag_names") =
      std::vector<std::string>{"suspected_fake", "suspicious_engagement", "price_estimated",
                               "fake_share_estimated", "fake_share_audited"};
  m.attr("component_names") =
      std::vector<std::string>(std::begin(kComponentNames), std::end(kComponentNames));

  m.def("generate", &generate, py::arg("n"), py::arg("seed"), py::arg("platform_mix"),
        py::arg("niche_mix"), py::arg("known_fake_share"), py::arg("generator_version"),
        py::arg("threads"));
  m.def("score", &score, py::arg("columns"), py::arg("niche"), py::arg("weights"),
        py::arg("tier_bounds"), py::arg("similar"), py::arg("benchmark"),
        py::arg("suspected_fake_below"), py::arg("threads"));
  m.def("simulate", &simulate_campaign, py::arg("options"), py::arg("strategies"),
        py::arg("precision"), py::arg("max_trials"), py::arg("noise"), py::arg("threads"));
  m.def("sweep", &sweep_campaign, py::arg("options"), py::arg("over"), py::arg("strategy"),
        py::arg("objective"), py::arg("threads"));
  m.def("audit", &audit_followers, py::arg("path"), py::arg("model"), py::arg("method"),
        py::arg("confidence"), py::arg("width"), py::arg("keep_usernames"), py::arg("threads"));
  m.def("read", &read_file, py::arg("path"));
  m.def("write", &write_file, py::arg("path"), py::arg("profiles"), py::arg("scores"),
        py::arg("compress"));
}
