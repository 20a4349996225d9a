#include "microreach/io/csv.hpp"

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>

#include "microreach/cancel.hpp"
#include "microreach/columns.hpp"
#include "microreach/error.hpp"
#include "microreach/import.hpp"

namespace microreach::io {

void put_number(std::string& s, double v) {
  if (is_missing(v)) return;
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  s.append(buf, r.ptr);
}

void put_count(std::string& s, std::uint64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  s.append(buf, r.ptr);
}

namespace {

constexpr const char* kFlagNames[] = {"suspected_fake", "suspicious_engagement", "price_estimated",
                                      "fake_share_estimated", "fake_share_audited"};

// The names of the bits set in `bits`, joined by ';'.
template <std::size_t N>
void put_bits(std::string& s, unsigned bits, const char* const (&names)[N]) {
  bool first = true;
  for (std::size_t i = 0; i < N; ++i) {
    if (bits & (1u << i)) {
      if (!first) s += ';';
      s += names[i];
      first = false;
    }
  }
}

}  // namespace

std::string profiles_csv_header(bool scores, bool truth) {
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

void append_profile_row(std::string& s, const ProfileChunk& p, std::size_t r, const ScoreChunk* sc,
                        bool truth) {
  put_count(s, p.id[r]);
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
    put_number(s, (*p.numeric(c))[r]);
  }
  s += ',';
  s += csv_quote(p.country[r]);
  if (truth) {
    s += ',';
    put_number(s, p.true_fake_share[r]);
  }
  if (sc) {
    const ScoreChunk& q = *sc;
    s += ',';
    put_number(s, q.score[r]);
    s += ',';
    if (q.tier[r] != kUnknown) s += tier_name(q.tier[r]);
    for (const auto* v : {&q.engagement, &q.authenticity, &q.relevance, &q.cost_efficiency,
                          &q.responsiveness, &q.engagement_rate, &q.benchmark_rate, &q.fake_share,
                          &q.fake_share_lo, &q.fake_share_hi, &q.authentic_followers,
                          &q.expected_reach, &q.expected_engagements, &q.price, &q.cpe, &q.cpm}) {
      s += ',';
      put_number(s, (*v)[r]);
    }
    s += ',';
    put_bits(s, q.flags[r], kFlagNames);
    s += ',';
    put_bits(s, q.missing[r], kComponentNames);
  }
  s += '\n';
}

struct CsvOutput::Impl {
  AtomicOutput atomic;
  std::FILE* f = nullptr;
  Impl(const std::string& path, const std::string& option) : atomic(path, option) {
    f = std::fopen(atomic.temp_path().c_str(), "wb");
    if (!f) throw Error(atomic.temp_path() + ": cannot create: " + std::strerror(errno));
  }
  ~Impl() {
    if (f) std::fclose(f);
  }
};

CsvOutput::CsvOutput(const std::string& path, const std::string& option)
    : impl_(std::make_unique<Impl>(path, option)) {}
CsvOutput::~CsvOutput() = default;

void CsvOutput::write(const std::string& s) {
  if (std::fwrite(s.data(), 1, s.size(), impl_->f) != s.size())
    throw Error(impl_->atomic.temp_path() + ": write failed: " + std::strerror(errno));
}

void CsvOutput::commit() {
  const int rc = std::fclose(impl_->f);
  impl_->f = nullptr;
  if (rc != 0) throw Error(impl_->atomic.temp_path() + ": write failed: " + std::strerror(errno));
  impl_->atomic.commit();
}

bool CsvOutput::to_stdout() const {
  return impl_->atomic.to_stdout();
}

}  // namespace microreach::io
