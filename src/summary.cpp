#include "microreach/summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <sstream>
#include <stdexcept>

namespace microreach {
namespace {

constexpr std::size_t kBins = 10001;  // score * 100, 0.00 .. 100.00

// Heap order: the *worst* entry on top. Better = higher score, then lower row.
bool better(const TopEntry& a, const TopEntry& b) {
  if (a.score != b.score) return a.score > b.score;
  return a.row < b.row;
}

std::string human(double v) {
  char buf[32];
  if (std::isnan(v)) return "-";
  if (v >= 1e9)
    std::snprintf(buf, sizeof buf, "%.1fB", v / 1e9);
  else if (v >= 1e6)
    std::snprintf(buf, sizeof buf, "%.1fM", v / 1e6);
  else if (v >= 1e4)
    std::snprintf(buf, sizeof buf, "%.1fk", v / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

std::string fixed(double v, int digits, const char* suffix = "") {
  if (std::isnan(v)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f%s", digits, v, suffix);
  return buf;
}

}  // namespace

Summary::Summary(std::size_t top_k, Tier min_tier)
    : k_(top_k), min_tier_(static_cast<std::uint8_t>(min_tier)), hist_(kBins, 0) {}

void Summary::consume(const Batch& b) {
  add(b.profiles, b.scores);
}

void Summary::add(const ProfileChunk& p, const ScoreChunk& s) {
  const std::size_t n = p.size();
  rows_ += n;
  for (std::size_t i = 0; i < n; ++i) {
    if (s.tier[i] < kTierCount) tiers_[s.tier[i]]++;
    for (int f = 0; f < 16; ++f)
      if (s.flags[i] & (1u << f)) flags_[f]++;
    for (int c = 0; c < kComponentCount; ++c)
      if (s.missing[i] & (1u << c)) missing_[c]++;
    if (p.niche[i] >= kNicheCount) no_niche_++;
    const double sc = s.score[i];
    if (std::isnan(sc)) continue;
    scored_++;
    hist_[static_cast<std::size_t>(std::clamp(std::lround(sc * 100.0), 0L, 10000L))]++;
    if (k_ == 0 || s.tier[i] < min_tier_ || s.tier[i] == kUnknown) continue;
    const std::uint64_t row = p.first_row + i;
    if (heap_.size() == k_) {
      TopEntry probe;
      probe.score = sc;
      probe.row = row;
      if (!better(probe, heap_.front())) continue;
    }
    TopEntry e{.score = sc,
               .row = row,
               .id = p.id[i],
               .handle = p.handle[i],
               .platform = p.platform[i],
               .niche = p.niche[i],
               .tier = s.tier[i],
               .followers = p.followers[i],
               .engagement_rate = s.engagement_rate[i],
               .authenticity = s.authenticity[i],
               .price = s.price[i],
               .cpm = s.cpm[i]};
    if (heap_.size() == k_) {
      std::pop_heap(heap_.begin(), heap_.end(), better);
      heap_.back() = std::move(e);
    } else {
      heap_.push_back(std::move(e));
    }
    std::push_heap(heap_.begin(), heap_.end(), better);
  }
}

std::uint64_t Summary::flagged(std::uint16_t flag) const {
  for (int f = 0; f < 16; ++f)
    if (flag == (1u << f)) return flags_[f];
  return 0;
}

double Summary::percentile(double q) const {
  if (scored_ == 0) return std::nan("");
  // Nearest-rank on the 0.01-point histogram.
  const std::uint64_t rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(scored_))));
  std::uint64_t cum = 0;
  for (std::size_t b = 0; b < kBins; ++b) {
    cum += hist_[b];
    if (cum >= rank) return static_cast<double>(b) / 100.0;
  }
  return 100.0;
}

std::uint64_t Summary::distinct_scores() const {
  return static_cast<std::uint64_t>(
      std::count_if(hist_.begin(), hist_.end(), [](std::uint64_t c) { return c > 0; }));
}

std::uint64_t Summary::rows_in_top_values(std::size_t values) const {
  std::vector<std::uint64_t> counts(hist_);
  const std::size_t k = std::min(values, counts.size());
  std::partial_sort(counts.begin(), counts.begin() + static_cast<std::ptrdiff_t>(k), counts.end(),
                    std::greater<>());
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < k; ++i) sum += counts[i];
  return sum;
}

bool Summary::degenerate() const {
  if (scored_ < 50) return false;
  return 10 * rows_in_top_values(5) >= 9 * scored_ || percentile(0.95) - percentile(0.05) < 1.0;
}

std::vector<TopEntry> Summary::top() const {
  std::vector<TopEntry> v = heap_;
  std::sort(v.begin(), v.end(), better);
  return v;
}

namespace {

class Writer {
 public:
  template <class T>
  void put(const T& v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  void put_string(const std::string& v) {
    put(static_cast<std::uint64_t>(v.size()));
    out += v;
  }
  std::string out;
};
class Reader {
 public:
  explicit Reader(const std::string& b) : b_(b) {}
  template <class T>
  T get() {
    T v{};
    take(&v, sizeof v);
    return v;
  }
  std::string get_string() {
    std::string v(get<std::uint64_t>(), '\0');
    take(v.data(), v.size());
    return v;
  }

 private:
  void take(void* p, std::size_t n) {
    if (at_ + n > b_.size()) throw std::runtime_error("summary: truncated partial summary");
    std::memcpy(p, b_.data() + at_, n);
    at_ += n;
  }
  const std::string& b_;
  std::size_t at_ = 0;
};

}  // namespace

std::string Summary::to_bytes() const {
  Writer w;
  w.put(rows_);
  w.put(scored_);
  for (auto v : tiers_) w.put(v);
  for (auto v : flags_) w.put(v);
  for (auto v : missing_) w.put(v);
  w.put(no_niche_);
  for (auto v : hist_) w.put(v);
  w.put(static_cast<std::uint64_t>(heap_.size()));
  for (const TopEntry& e : heap_) {
    w.put(e.score);
    w.put(e.row);
    w.put(e.id);
    w.put_string(e.handle);
    w.put(e.platform);
    w.put(e.niche);
    w.put(e.tier);
    w.put(e.followers);
    w.put(e.engagement_rate);
    w.put(e.authenticity);
    w.put(e.price);
    w.put(e.cpm);
  }
  return std::move(w.out);
}

void Summary::merge_bytes(const std::string& bytes) {
  Reader r(bytes);
  rows_ += r.get<std::uint64_t>();
  scored_ += r.get<std::uint64_t>();
  for (auto& v : tiers_) v += r.get<std::uint64_t>();
  for (auto& v : flags_) v += r.get<std::uint64_t>();
  for (auto& v : missing_) v += r.get<std::uint64_t>();
  no_niche_ += r.get<std::uint64_t>();
  for (auto& v : hist_) v += r.get<std::uint64_t>();
  const auto n = r.get<std::uint64_t>();
  for (std::uint64_t i = 0; i < n; ++i) {
    TopEntry e;
    e.score = r.get<double>();
    e.row = r.get<std::uint64_t>();
    e.id = r.get<std::uint64_t>();
    e.handle = r.get_string();
    e.platform = r.get<std::uint8_t>();
    e.niche = r.get<std::uint8_t>();
    e.tier = r.get<std::uint8_t>();
    e.followers = r.get<double>();
    e.engagement_rate = r.get<double>();
    e.authenticity = r.get<double>();
    e.price = r.get<double>();
    e.cpm = r.get<double>();
    if (k_ == 0) continue;
    if (heap_.size() == k_) {
      if (!better(e, heap_.front())) continue;
      std::pop_heap(heap_.begin(), heap_.end(), better);
      heap_.back() = std::move(e);
    } else {
      heap_.push_back(std::move(e));
    }
    std::push_heap(heap_.begin(), heap_.end(), better);
  }
}

std::string Summary::format(bool with_top) const {
  std::ostringstream os;
  os << "Profiles: " << rows_ << " (" << scored_ << " scored)\n";
  os << "By tier: ";
  for (std::size_t t = 0; t < kTierCount; ++t) {
    os << (t ? "  " : "") << kTierNames[t] << " " << tiers_[t];
    if (rows_) os << " (" << fixed(100.0 * tiers_[t] / rows_, 1, "%") << ")";
  }
  os << "\nScore percentiles: ";
  const double qs[] = {0.05, 0.25, 0.50, 0.75, 0.95};
  const char* qn[] = {"P5", "P25", "P50", "P75", "P95"};
  for (int i = 0; i < 5; ++i) os << (i ? "  " : "") << qn[i] << " " << fixed(percentile(qs[i]), 2);
  auto share = [&](std::uint64_t c) {
    return rows_ ? fixed(100.0 * c / rows_, 2, "%") : std::string("-");
  };
  os << "\nFlagged: suspected fake " << flagged(kFlagSuspectedFake) << " ("
     << share(flagged(kFlagSuspectedFake)) << "), suspicious engagement "
     << flagged(kFlagSuspiciousEngagement) << " (" << share(flagged(kFlagSuspiciousEngagement))
     << ")";
  os << "\nEstimated: price " << share(flagged(kFlagPriceEstimated)) << ", fake share "
     << share(flagged(kFlagFakeShareEstimated));
  bool any_missing = false;
  for (int c = 0; c < kComponentCount; ++c) any_missing = any_missing || missing_[c] > 0;
  if (any_missing) {
    os << "\nNot computable from the input (left out of the score): ";
    bool first = true;
    for (int c = 0; c < kComponentCount; ++c)
      if (missing_[c]) {
        os << (first ? "" : ", ") << kComponentNames[c] << " for " << share(missing_[c]);
        first = false;
      }
  }
  if (no_niche_ > 0)
    os << "\nNo niche: " << no_niche_ << " accounts (" << share(no_niche_)
       << "); with --niche their relevance is the unknown-niche prior";
  if (degenerate()) {
    os << "\nWarning: the scores hardly separate the accounts ("
       << fixed(100.0 * static_cast<double>(rows_in_top_values(5)) / static_cast<double>(scored_),
                1, "%")
       << " of them share 5 values; " << distinct_scores() << " distinct values, P5-P95 "
       << fixed(percentile(0.05), 2) << "-" << fixed(percentile(0.95), 2) << ")";
    bool first = true;
    for (int c = 0; c < kComponentCount; ++c)
      if (missing_[c]) {
        os << (first ? ": missing from the input were " : ", ") << kComponentNames[c] << " for "
           << missing_[c] << " of " << rows_ << " rows";
        first = false;
      }
    os << (first ? ": the input varies too little in the columns the components use"
                 : "; add those columns (see docs/import.md) for a ranking that means something");
  }
  os << "\n";
  if (with_top && !heap_.empty()) {
    os << "\nTop " << heap_.size() << " by score:\n";
    char line[512];
    std::snprintf(line, sizeof line, "%4s  %-28s %-9s %-6s %9s %7s %6s %6s %10s\n", "#", "handle",
                  "platform", "tier", "followers", "ER", "auth", "score", "price $");
    os << line;
    int rank = 1;
    for (const auto& e : top()) {
      std::string h = e.handle.size() > 28 ? e.handle.substr(0, 27) + "~" : e.handle;
      std::snprintf(line, sizeof line, "%4d  %-28s %-9s %-6s %9s %7s %6s %6.2f %10s\n", rank++,
                    h.c_str(), std::string(platform_name(e.platform)).c_str(),
                    std::string(tier_name(e.tier)).c_str(), human(e.followers).c_str(),
                    fixed(100 * e.engagement_rate, 2, "%").c_str(),
                    fixed(e.authenticity, 2).c_str(), e.score, fixed(e.price, 0).c_str());
      os << line;
    }
  }
  return os.str();
}

}  // namespace microreach
