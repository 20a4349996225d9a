#include "microreach/jobs/export.hpp"

#include <algorithm>
#include <queue>
#include <utility>
#include <vector>

#include "microreach/cancel.hpp"
#include "microreach/error.hpp"
#include "microreach/import.hpp"
#include "microreach/io/campaign.hpp"
#include "microreach/io/csv.hpp"
#include "microreach/io/profiles.hpp"

namespace microreach::jobs {
namespace {

// Every row in file order.
std::uint64_t export_all(const ExportOptions& o, h5::ProfileReader& reader, bool scores, bool truth,
                         io::CsvOutput& csv) {
  ProfileChunk p;
  ScoreChunk sc;
  std::string buf;
  std::uint64_t first = 0;
  while (reader.read(p, o.chunk)) {
    throw_if_cancelled();
    if (scores) h5::read_scores(reader.file(), first, p.size(), sc);
    buf.clear();
    for (std::size_t r = 0; r < p.size(); ++r)
      io::append_profile_row(buf, p, r, scores ? &sc : nullptr, truth);
    csv.write(buf);
    first += p.size();
  }
  return first;
}

using Entry = std::pair<double, std::uint64_t>;  // (score, row)

// Ties to the earlier row.
bool better(const Entry& x, const Entry& y) {
  return x.first > y.first || (x.first == y.first && x.second < y.second);
}

// Pass 1 of --top: the K best (score, row), best first; unscored rows never rank.
std::vector<Entry> best_rows(const ExportOptions& o, h5::ProfileReader& reader) {
  std::priority_queue<Entry, std::vector<Entry>, decltype(&better)> heap(&better);
  ScoreChunk sc;
  const std::uint64_t rows = reader.rows();
  for (std::uint64_t s = 0; s < rows; s += o.chunk) {
    throw_if_cancelled();
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(o.chunk, rows - s));
    h5::read_scores(reader.file(), s, n, sc);
    for (std::size_t r = 0; r < n; ++r) {
      if (is_missing(sc.score[r])) continue;
      const Entry e{sc.score[r], s + r};
      if (heap.size() < o.top) {
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
  std::sort(best.begin(), best.end(), better);
  return best;
}

// The K best rows, best first.
std::uint64_t export_top(const ExportOptions& o, h5::ProfileReader& reader, bool truth,
                         io::CsvOutput& csv) {
  const std::vector<Entry> best = best_rows(o, reader);
  std::vector<std::uint64_t> wanted;
  for (const auto& e : best) wanted.push_back(e.second);
  std::sort(wanted.begin(), wanted.end());
  // Pass 2: collect those rows, then write them best first.
  ProfileChunk p, keep_p;
  ScoreChunk sc, keep_s;
  std::vector<std::uint64_t> kept_rows;
  std::uint64_t first = 0;
  std::size_t w = 0;
  while (w < wanted.size() && reader.read(p, o.chunk)) {
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
  std::string buf;
  std::uint64_t written = 0;
  for (const auto& e : best) {
    const auto i = static_cast<std::size_t>(
        std::lower_bound(kept_rows.begin(), kept_rows.end(), e.second) - kept_rows.begin());
    buf.clear();
    io::append_profile_row(buf, keep_p, i, &keep_s, truth);
    csv.write(buf);
    ++written;
  }
  return written;
}

ExportResult export_profiles(const ExportOptions& o) {
  h5::ProfileReader reader(o.in);
  const bool scores = reader.file().filetype() == h5::kFiletypeScores;
  const bool truth = reader.has_truth();
  if (o.top > 0 && !scores) {
    throw ConfigError(
        "--top", std::to_string(o.top),
        "ranking needs a scores file (microreach score --out); " + o.in + " holds profiles only");
  }
  io::CsvOutput csv(o.csv, "--csv");
  csv.write(io::profiles_csv_header(scores, truth));
  ExportResult result;
  result.rows =
      o.top == 0 ? export_all(o, reader, scores, truth, csv) : export_top(o, reader, truth, csv);
  csv.commit();
  result.to_stdout = csv.to_stdout();
  return result;
}

// One row per hire of every strategy of a campaign (or sweep) file, in hiring order.
ExportResult export_hires(const ExportOptions& o) {
  const std::vector<io::StrategyHires> all = io::read_hires(o.in);
  io::CsvOutput csv(o.hires, "--hires");
  csv.write(
      "strategy,label,rank,id,handle,platform,niche,tier,followers,price,fee,"
      "expected_reach,expected_conversions,score,fake_share\n");
  ExportResult result;
  std::string buf;
  for (const io::StrategyHires& s : all) {
    throw_if_cancelled();
    buf.clear();
    for (std::size_t k = 0; k < s.id.size(); ++k) {
      buf += csv_quote(s.spec) + ',' + csv_quote(s.label) + ',';
      io::put_count(buf, k + 1);
      buf += ',';
      io::put_count(buf, s.id[k]);
      buf += ',' + csv_quote(s.handle[k]) + ',';
      if (s.platform[k] != kUnknown) buf += platform_name(s.platform[k]);
      buf += ',';
      if (s.niche[k] != kUnknown) buf += niche_name(s.niche[k]);
      buf += ',';
      if (s.tier[k] != kUnknown) buf += tier_name(s.tier[k]);
      for (const double v : {s.followers[k], s.price[k], s.fee[k], s.expected_reach[k],
                             s.expected_conversions[k], s.score[k], s.fake_share[k]}) {
        buf += ',';
        io::put_number(buf, v);
      }
      buf += '\n';
    }
    csv.write(buf);
    result.rows += s.id.size();
  }
  csv.commit();
  result.strategies = all.size();
  result.to_stdout = csv.to_stdout();
  return result;
}

}  // namespace

ExportResult run_export(const ExportOptions& o) {
  if (!o.hires.empty()) return export_hires(o);
  if (o.csv.empty())
    throw ConfigError(
        "export: give --csv FILE (profiles or scores) or --hires FILE (a "
        "campaign file's hires)");
  return export_profiles(o);
}

}  // namespace microreach::jobs
