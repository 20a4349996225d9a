#include "microreach/io/profiles.hpp"

#include <array>

#include "detail.hpp"

namespace microreach::h5 {
using namespace detail;

namespace {
template <std::size_t N>
std::vector<std::string> names_of(const std::array<std::string_view, N>& a) {
  return std::vector<std::string>(a.begin(), a.end());
}
}  // namespace

// ---------------------------------------------------------------- profiles
struct ProfileWriter::Impl {
  std::unique_ptr<ColumnWriter<std::uint64_t>> id;
  std::unique_ptr<ColumnWriter<std::string>> handle, country;
  std::unique_ptr<ColumnWriter<std::uint8_t>> platform, niche;
  std::vector<std::pair<Column, std::unique_ptr<ColumnWriter<double>>>> numeric;
  std::unique_ptr<ColumnWriter<double>> truth;
  std::uint64_t rows = 0;
};

ProfileWriter::ProfileWriter(hid_t file, const ColumnOptions& opt, bool with_truth,
                             const std::vector<Column>& omit)
    : impl_(std::make_shared<Impl>()) {
  auto path = [](Column c) { return "/profiles/" + std::string(column_info(c).name); };
  auto wanted = [&](Column c) {
    return c == Column::followers || std::find(omit.begin(), omit.end(), c) == omit.end();
  };
  auto info = [](Column c) { return column_info(c); };
  if (wanted(Column::id))
    impl_->id = std::make_unique<ColumnWriter<std::uint64_t>>(file, path(Column::id), "",
                                                              info(Column::id).description, opt);
  if (wanted(Column::handle))
    impl_->handle = std::make_unique<ColumnWriter<std::string>>(
        file, path(Column::handle), "", info(Column::handle).description, opt);
  if (wanted(Column::platform)) {
    impl_->platform = std::make_unique<ColumnWriter<std::uint8_t>>(
        file, path(Column::platform), "", info(Column::platform).description, opt);
    write_categories(impl_->platform->id(), names_of(kPlatformNames));
  }
  if (wanted(Column::niche)) {
    impl_->niche = std::make_unique<ColumnWriter<std::uint8_t>>(
        file, path(Column::niche), "", info(Column::niche).description, opt);
    write_categories(impl_->niche->id(), names_of(kNicheNames));
  }
  for (std::size_t c = 0; c < kColumnCount; ++c) {
    const auto col = static_cast<Column>(c);
    if (ProfileChunk().numeric(col) == nullptr || !wanted(col)) continue;
    impl_->numeric.emplace_back(
        col, std::make_unique<ColumnWriter<double>>(file, path(col), info(col).units,
                                                    info(col).description, opt));
  }
  if (wanted(Column::country))
    impl_->country = std::make_unique<ColumnWriter<std::string>>(
        file, path(Column::country), "", info(Column::country).description, opt);
  if (with_truth)
    impl_->truth = std::make_unique<ColumnWriter<double>>(
        file, "/profiles/true_fake_share", "1",
        "synthetic data only: the fake share the generator drew", opt);
  write_attr(ensure_group(file, "/profiles").get(), "missing_value",
             std::string_view("NaN in numeric columns; code 255 in categorical columns; empty "
                              "string in text columns; a column the input did not have is absent"));
}

void ProfileWriter::append(const ProfileChunk& c) {
  const std::size_t n = c.size();
  if (impl_->id) impl_->id->append(c.id.data(), n);
  if (impl_->handle) impl_->handle->append(c.handle.data(), n);
  if (impl_->platform) impl_->platform->append(c.platform.data(), n);
  if (impl_->niche) impl_->niche->append(c.niche.data(), n);
  for (auto& [col, w] : impl_->numeric) w->append(c.numeric(col)->data(), n);
  if (impl_->country) impl_->country->append(c.country.data(), n);
  if (impl_->truth) impl_->truth->append(c.true_fake_share.data(), n);
  impl_->rows += n;
}

std::uint64_t ProfileWriter::rows() const {
  return impl_->id->rows();
}

// ---------------------------------------------------------------- scores
namespace {
struct ScoreCol {
  const char* name;
  const char* units;
  const char* description;
  std::vector<double> ScoreChunk::*member;
};
const ScoreCol kScoreCols[] = {
    {"score", "points", "composite score 0-100 (weighted mean of the computed components)",
     &ScoreChunk::score},
    {"engagement", "1", "engagement component 0-1", &ScoreChunk::engagement},
    {"authenticity", "1", "authenticity component 0-1 (1 - fake share)", &ScoreChunk::authenticity},
    {"relevance", "1", "niche relevance component 0-1", &ScoreChunk::relevance},
    {"cost_efficiency", "1", "cost efficiency component 0-1", &ScoreChunk::cost_efficiency},
    {"responsiveness", "1", "responsiveness component 0-1 (reply rate)",
     &ScoreChunk::responsiveness},
    {"engagement_rate", "1", "(likes + comments + shares) / followers",
     &ScoreChunk::engagement_rate},
    {"benchmark_rate", "1",
     "benchmark rate at this size and platform: like + comment rate (like rate alone when comments "
     "are missing)",
     &ScoreChunk::benchmark_rate},
    {"fake_share", "1", "fake follower share used (given, audited or estimated)",
     &ScoreChunk::fake_share},
    {"fake_share_lo", "1", "audited fake share, lower bound (NaN if not audited)",
     &ScoreChunk::fake_share_lo},
    {"fake_share_hi", "1", "audited fake share, upper bound (NaN if not audited)",
     &ScoreChunk::fake_share_hi},
    {"authentic_followers", "accounts", "followers x (1 - fake share)",
     &ScoreChunk::authentic_followers},
    {"expected_reach", "accounts/post", "authentic followers reached by one post",
     &ScoreChunk::expected_reach},
    {"expected_engagements", "engagements/post", "authentic engagements per post",
     &ScoreChunk::expected_engagements},
    {"price", "USD", "price per post (given or estimated)", &ScoreChunk::price},
    {"cpe", "USD/engagement", "cost per authentic engagement", &ScoreChunk::cpe},
    {"cpm", "USD/1000 reached", "cost per thousand authentic followers reached", &ScoreChunk::cpm},
};
}  // namespace

struct ScoreWriter::Impl {
  std::vector<std::unique_ptr<ColumnWriter<double>>> cols;
  std::unique_ptr<ColumnWriter<std::uint8_t>> tier, missing;
  std::unique_ptr<ColumnWriter<std::uint16_t>> flags;
};

ScoreWriter::ScoreWriter(hid_t file, const ColumnOptions& opt) : impl_(std::make_shared<Impl>()) {
  for (const auto& c : kScoreCols)
    impl_->cols.push_back(std::make_unique<ColumnWriter<double>>(
        file, std::string("/scores/") + c.name, c.units, c.description, opt));
  impl_->tier =
      std::make_unique<ColumnWriter<std::uint8_t>>(file, "/scores/tier", "", "tier code", opt);
  write_categories(impl_->tier->id(), names_of(kTierNames));
  impl_->flags = std::make_unique<ColumnWriter<std::uint16_t>>(
      file, "/scores/flags", "", "bit flags, see 'flag_names' (bit i = flag_names[i])", opt);
  write_attr(impl_->flags->id(), "flag_names",
             std::vector<std::string>{"suspected_fake", "suspicious_engagement", "price_estimated",
                                      "fake_share_estimated", "fake_share_audited"});
  impl_->missing = std::make_unique<ColumnWriter<std::uint8_t>>(
      file, "/scores/missing", "",
      "bit i set: component component_names[i] could not be computed from the input", opt);
  write_attr(impl_->missing->id(), "component_names",
             std::vector<std::string>(std::begin(kComponentNames), std::end(kComponentNames)));
}

void ScoreWriter::append(const ScoreChunk& c) {
  const std::size_t n = c.size();
  for (std::size_t k = 0; k < impl_->cols.size(); ++k)
    impl_->cols[k]->append((c.*kScoreCols[k].member).data(), n);
  impl_->tier->append(c.tier.data(), n);
  impl_->flags->append(c.flags.data(), n);
  impl_->missing->append(c.missing.data(), n);
}

void read_scores(const File& f, std::uint64_t first, std::size_t n, ScoreChunk& out) {
  out.resize(n);
  for (const auto& c : kScoreCols)
    read_rows(f.id(), std::string("/scores/") + c.name, first, n, out.*c.member, f.path());
  read_rows(f.id(), "/scores/tier", first, n, out.tier, f.path());
  read_rows(f.id(), "/scores/flags", first, n, out.flags, f.path());
  read_rows(f.id(), "/scores/missing", first, n, out.missing, f.path());
}

// ---------------------------------------------------------------- reader
ProfileReader::ProfileReader(const std::string& path)
    : file_(File::open(path, {kFiletypeProfiles, kFiletypeScores})) {
  rows_ = dataset_length(file_.id(), "/profiles/followers", path);
  auto open_checked = [&](const std::string& p, auto tag) {
    using T = decltype(tag);
    const auto len = dataset_length(file_.id(), p, path);
    if (len != rows_)
      bad_input(path, "dataset '" + p + "' has " + std::to_string(len) +
                          " rows but /profiles/followers has " + std::to_string(rows_) +
                          " (the file is inconsistent)");
    Handle ds = open_dataset(file_.id(), p, path);
    check_type<T>(ds.get(), p, path);
    return ds;
  };
  for (std::size_t c = 0; c < kColumnCount; ++c) {
    const auto col = static_cast<Column>(c);
    const std::string p = "/profiles/" + std::string(column_info(col).name);
    if (!exists(file_.id(), p)) continue;
    Handle ds;
    switch (col) {
      case Column::id:
        ds = open_checked(p, std::uint64_t{});
        break;
      case Column::handle:
      case Column::country:
        ds = open_checked(p, std::string{});
        break;
      case Column::platform:
      case Column::niche:
        ds = open_checked(p, std::uint8_t{});
        break;
      default:
        ds = open_checked(p, double{});
        break;
    }
    present_.push_back(col);
    datasets_.push_back(std::move(ds));
  }
  if (exists(file_.id(), "/profiles/true_fake_share"))
    truth_ = open_checked("/profiles/true_fake_share", double{});
}

bool ProfileReader::read(ProfileChunk& c, std::size_t max_rows) {
  if (next_ >= rows_) return false;
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(max_rows, rows_ - next_));
  c.clear();
  c.resize(n);
  c.first_row = next_;
  const std::string& path = file_.path();
  bool has_id = false;
  for (std::size_t k = 0; k < present_.size(); ++k) {
    const Column col = present_[k];
    const hid_t ds = datasets_[k].get();
    const std::string p = "/profiles/" + std::string(column_info(col).name);
    switch (col) {
      case Column::id:
        read_open_rows(ds, p, next_, n, c.id, path);
        has_id = true;
        break;
      case Column::handle:
        read_open_rows(ds, p, next_, n, c.handle, path);
        break;
      case Column::country:
        read_open_rows(ds, p, next_, n, c.country, path);
        break;
      case Column::platform:
      case Column::niche: {
        auto& v = col == Column::platform ? c.platform : c.niche;
        read_open_rows(ds, p, next_, n, v, path);
        const std::size_t limit = col == Column::platform ? kPlatformCount : kNicheCount;
        for (std::size_t i = 0; i < n; ++i)
          if (v[i] >= limit && v[i] != kUnknown)
            bad_input(path, "dataset '" + p + "' row " + std::to_string(next_ + i) +
                                " holds code " + std::to_string(v[i]) + ", expected 0-" +
                                std::to_string(limit - 1) + " or 255");
        break;
      }
      default:
        read_open_rows(ds, p, next_, n, *c.numeric(col), path);
        break;
    }
  }
  if (!has_id)
    for (std::size_t i = 0; i < n; ++i) c.id[i] = next_ + i;
  if (truth_)
    read_open_rows(truth_.get(), "/profiles/true_fake_share", next_, n, c.true_fake_share, path);
  next_ += n;
  return true;
}

}  // namespace microreach::h5
