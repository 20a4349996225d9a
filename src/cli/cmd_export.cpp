// microreach export: an HDF5 profiles or scores file -> CSV a planner can open in a spreadsheet.
// Numbers are written in the shortest form that reads back to the same double, so
// import -> export -> import keeps every value.
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <queue>

#include "commands.hpp"
#include "microreach/cancel.hpp"
#include "microreach/error.hpp"
#include "microreach/import.hpp"
#include "microreach/io/campaign.hpp"
#include "microreach/io/profiles.hpp"
#include "microreach/scoring.hpp"
#include "output_check.hpp"

namespace microreach::cli {
namespace {

struct ExportArgs {
  std::string in;
  std::string csv;
  std::string hires;
  std::size_t top = 0;
  std::size_t chunk = 65536;
};

void put_num(std::string& s, double v) {
  if (is_missing(v)) return;
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  s.append(buf, r.ptr);
}

void put_uint(std::string& s, std::uint64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  s.append(buf, r.ptr);
}

constexpr const char* kFlagNames[] = {"suspected_fake", "suspicious_engagement", "price_estimated",
                                      "fake_share_estimated", "fake_share_audited"};

// A CSV destination: a temporary file committed under its name at the end, or standard output
// for "-" (written through, nothing to commit).
class CsvOut {
 public:
  explicit CsvOut(const std::string& path)
      : path_(path == "-" ? "standard output" : path),
        to_stdout_(path == "-"),
        f_(to_stdout_ ? stdout : std::fopen(path.c_str(), "wb")) {
    if (!f_) throw Error(path + ": cannot create: " + std::strerror(errno));
  }
  ~CsvOut() {
    if (f_ && !to_stdout_) std::fclose(f_);
  }
  void write(const std::string& s) {
    if (std::fwrite(s.data(), 1, s.size(), f_) != s.size()) {
      throw Error(path_ + ": write failed: " + std::strerror(errno));
    }
  }
  void close() {
    const int rc = to_stdout_ ? std::fflush(f_) : std::fclose(f_);
    f_ = nullptr;
    if (rc != 0) throw Error(path_ + ": write failed: " + std::strerror(errno));
  }

 private:
  std::string path_;
  bool to_stdout_;
  std::FILE* f_;
};

// The output of one export: "-" is standard output; any other name is written to a temporary
// and appears under its name only when complete.
class Destination {
 public:
  // "-" is standard output: AtomicOutput spools it and copies it out on commit.
  Destination(const std::string& path, const std::string& option)
      : atomic_(path, option), csv_(atomic_.temp_path()) {}
  CsvOut& csv() { return csv_; }
  void commit() {
    csv_.close();
    atomic_.commit();
  }
  // Where "Wrote ..." goes: standard error when the CSV itself goes to standard output.
  std::ostream& status() { return atomic_.to_stdout() ? std::cerr : std::cout; }

 private:
  AtomicOutput atomic_;
  CsvOut csv_;
};

std::string header_line(bool scores, bool truth) {
  std::string s;
  for (std::size_t c = 0; c < kColumnCount; ++c) {
    if (c) s += ',';
    s += column_info(static_cast<Column>(c)).name;
  }
  if (truth) s += ",true_fake_share";
  if (scores) {
    s += ",score,tier";
    for (auto* n : kComponentNames) s += std::string(",") + n;
    s += ",engagement_rate,benchmark_rate,fake_share,fake_share_lo,fake_share_hi,"
         "authentic_followers,expected_reach,expected_engagements,price,cpe,cpm,flags,"
         "missing_components";
  }
  return s + "\n";
}

void row_line(std::string& s, const ProfileChunk& p, std::size_t r, const ScoreChunk* sc,
              bool truth) {
  put_uint(s, p.id[r]);
  s += ',';
  s += csv_quote(p.handle[r]);
  s += ',';
  if (p.platform[r] != kUnknown) s += platform_name(p.platform[r]);
  s += ',';
  if (p.niche[r] != kUnknown) s += niche_name(p.niche[r]);
  for (Column c :
       {Column::followers, Column::following, Column::posts, Column::avg_likes,
        Column::avg_comments, Column::avg_shares, Column::avg_views, Column::reply_rate,
        Column::fake_follower_share, Column::follower_growth_30d, Column::price_per_post}) {
    s += ',';
    put_num(s, (*p.numeric(c))[r]);
  }
  s += ',';
  s += csv_quote(p.country[r]);
  if (truth) {
    s += ',';
    put_num(s, p.true_fake_share[r]);
  }
  if (sc) {
    const ScoreChunk& q = *sc;
    s += ',';
    put_num(s, q.score[r]);
    s += ',';
    if (q.tier[r] != kUnknown) s += tier_name(q.tier[r]);
    for (const auto* v : {&q.engagement, &q.authenticity, &q.relevance, &q.cost_efficiency,
                          &q.responsiveness, &q.engagement_rate, &q.benchmark_rate, &q.fake_share,
                          &q.fake_share_lo, &q.fake_share_hi, &q.authentic_followers,
                          &q.expected_reach, &q.expected_engagements, &q.price, &q.cpe, &q.cpm}) {
      s += ',';
      put_num(s, (*v)[r]);
    }
    s += ',';
    bool first = true;
    for (int i = 0; i < 5; ++i) {
      if (q.flags[r] & (1u << i)) {
        if (!first) s += ';';
        s += kFlagNames[i];
        first = false;
      }
    }
    s += ',';
    first = true;
    for (int i = 0; i < kComponentCount; ++i) {
      if (q.missing[r] & (1u << i)) {
        if (!first) s += ';';
        s += kComponentNames[i];
        first = false;
      }
    }
  }
  s += '\n';
}

void run_export(const ExportArgs& a) {
  h5::ProfileReader reader(a.in);
  const bool scores = reader.file().filetype() == h5::kFiletypeScores;
  const bool truth = reader.has_truth();
  if (a.top > 0 && !scores) {
    throw ConfigError(
        "--top", std::to_string(a.top),
        "ranking needs a scores file (microreach score --out); " + a.in + " holds profiles only");
  }
  Destination out(a.csv, "--csv");
  CsvOut& csv = out.csv();
  csv.write(header_line(scores, truth));
  ProfileChunk p;
  ScoreChunk sc;
  std::string buf;
  std::uint64_t first = 0, written = 0;
  if (a.top == 0) {
    while (reader.read(p, a.chunk)) {
      throw_if_cancelled();
      if (scores) h5::read_scores(reader.file(), first, p.size(), sc);
      buf.clear();
      for (std::size_t r = 0; r < p.size(); ++r) row_line(buf, p, r, scores ? &sc : nullptr, truth);
      csv.write(buf);
      first += p.size();
      written += p.size();
    }
  } else {
    // Pass 1: the K best (score, row), ties to the earlier row; unscored rows never rank.
    using Entry = std::pair<double, std::uint64_t>;
    auto better = [](const Entry& x, const Entry& y) {
      return x.first > y.first || (x.first == y.first && x.second < y.second);
    };
    std::priority_queue<Entry, std::vector<Entry>, decltype(better)> heap(better);
    const std::uint64_t rows = reader.rows();
    for (std::uint64_t s = 0; s < rows; s += a.chunk) {
      throw_if_cancelled();
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(a.chunk, rows - s));
      h5::read_scores(reader.file(), s, n, sc);
      for (std::size_t r = 0; r < n; ++r) {
        if (is_missing(sc.score[r])) continue;
        const Entry e{sc.score[r], s + r};
        if (heap.size() < a.top) {
          heap.push(e);
        } else if (better(e, heap.top())) {
          heap.pop();
          heap.push(e);
        }
      }
    }
    std::vector<Entry> best;
    while (!heap.empty()) {
      best.push_back(heap.top());
      heap.pop();
    }
    std::vector<std::uint64_t> wanted;
    for (const auto& e : best) wanted.push_back(e.second);
    std::sort(wanted.begin(), wanted.end());
    // Pass 2: collect those rows, then write them best first.
    ProfileChunk keep_p;
    ScoreChunk keep_s;
    std::vector<std::uint64_t> kept_rows;
    std::size_t w = 0;
    while (w < wanted.size() && reader.read(p, a.chunk)) {
      h5::read_scores(reader.file(), first, p.size(), sc);
      while (w < wanted.size() && wanted[w] < first + p.size()) {
        const auto r = static_cast<std::size_t>(wanted[w] - first);
        keep_p.append_row(p, r);
        keep_s.append_row(sc, r);
        kept_rows.push_back(wanted[w]);
        ++w;
      }
      first += p.size();
    }
    std::sort(best.begin(), best.end(), better);
    for (const auto& e : best) {
      const auto i = static_cast<std::size_t>(
          std::lower_bound(kept_rows.begin(), kept_rows.end(), e.second) - kept_rows.begin());
      buf.clear();
      row_line(buf, keep_p, i, &keep_s, truth);
      csv.write(buf);
      ++written;
    }
  }
  out.commit();
  out.status() << "Wrote " << written << " rows" << (a.top ? " (best first)" : "") << " to "
               << (a.csv == "-" ? "standard output" : a.csv) << "\n";
}

// One row per hire of every strategy of a campaign (or sweep) file, in hiring order.
void run_export_hires(const ExportArgs& a) {
  const std::vector<io::StrategyHires> all = io::read_hires(a.in);
  Destination out(a.hires, "--hires");
  CsvOut& csv = out.csv();
  csv.write(
      "strategy,label,rank,id,handle,platform,niche,tier,followers,price,fee,"
      "expected_reach,expected_conversions,score,fake_share\n");
  std::uint64_t written = 0;
  std::string buf;
  for (const io::StrategyHires& s : all) {
    throw_if_cancelled();
    buf.clear();
    for (std::size_t k = 0; k < s.id.size(); ++k) {
      buf += csv_quote(s.spec) + ',' + csv_quote(s.label) + ',';
      put_uint(buf, k + 1);
      buf += ',';
      put_uint(buf, s.id[k]);
      buf += ',' + csv_quote(s.handle[k]) + ',';
      if (s.platform[k] != kUnknown) buf += platform_name(s.platform[k]);
      buf += ',';
      if (s.niche[k] != kUnknown) buf += niche_name(s.niche[k]);
      buf += ',';
      if (s.tier[k] != kUnknown) buf += tier_name(s.tier[k]);
      for (const double v : {s.followers[k], s.price[k], s.fee[k], s.expected_reach[k],
                             s.expected_conversions[k], s.score[k], s.fake_share[k]}) {
        buf += ',';
        put_num(buf, v);
      }
      buf += '\n';
    }
    csv.write(buf);
    written += s.id.size();
  }
  out.commit();
  out.status() << "Wrote " << written << " hires of " << all.size() << " strategies to "
               << (a.hires == "-" ? "standard output" : a.hires) << "\n";
}

}  // namespace

void add_export(CLI::App& app, Globals& g) {
  (void)g;
  auto a = std::make_shared<ExportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "export", "Write an HDF5 profiles or scores file as CSV (for spreadsheets and pandas)");
  cmd->add_option("input", a->in,
                  "HDF5 file from import, generate or score (with --csv), or a campaign file "
                  "from simulate (with --hires)")
      ->required();
  auto* csv = cmd->add_option("--csv", a->csv,
                              "Output CSV file of the profiles ('-': standard "
                              "output)");
  auto* hires = cmd->add_option("--hires", a->hires,
                                "Output CSV of a campaign file's hires, one row per hire: "
                                "strategy, handle, platform, tier, followers, price, fee, "
                                "expected reach, score ('-': standard output)");
  csv->excludes(hires);
  hires->excludes(csv);
  cmd->add_option(
         "--top", a->top,
         "Only the K best-scored rows, best first (scores files; 0 = every row in file order)")
      ->check(CLI::Range(std::size_t{0}, std::size_t{100000000}));
  cmd->add_option("--chunk-size", a->chunk, "Rows read at a time")
      ->check(CLI::Range(std::size_t{256}, std::size_t{1} << 22));
  cmd->callback([a, cmd] {
    check_paths(cmd,
                {{"--csv", a->csv, OutputFormat::text}, {"--hires", a->hires, OutputFormat::text}},
                {{"", a->in}});
    if (cmd->count("--hires")) return run_export_hires(*a);
    if (!cmd->count("--csv"))
      throw ConfigError(
          "export: give --csv FILE (profiles or scores) or --hires FILE (a "
          "campaign file's hires)");
    run_export(*a);
  });
}

}  // namespace microreach::cli
