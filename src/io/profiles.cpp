#include "microreach/io/profiles.hpp"

#include <array>
#include <cstdio>
#include <filesystem>
#include <unordered_map>

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
namespace {
constexpr std::uint16_t kCountryMissing = 0xFFFF;  // code of an empty (missing) country
constexpr std::size_t kHandleChunkBytes = std::size_t{1} << 20;
// A handle longer than this is refused as damage (handles are account names).
constexpr std::uint64_t kMaxHandleBytes = 1 << 16;
}  // namespace

struct ProfileWriter::Impl {
  std::unique_ptr<ColumnWriter<std::uint64_t>> id;
  // handle: the UTF-8 bytes of every handle back to back, and n+1 offsets into them.
  std::unique_ptr<ColumnWriter<std::uint8_t>> handle_bytes;
  std::unique_ptr<ColumnWriter<std::uint64_t>> handle_offsets;
  std::uint64_t handle_end = 0;
  std::unique_ptr<ColumnWriter<std::uint8_t>> platform, niche;
  std::vector<std::pair<Column, std::unique_ptr<ColumnWriter<double>>>> numeric;
  // country: dictionary codes; the dictionary (attribute `categories`) grows as names appear.
  std::unique_ptr<ColumnWriter<std::uint16_t>> country;
  std::unordered_map<std::string, std::uint16_t> country_codes;
  std::vector<std::string> country_names;
  std::unique_ptr<ColumnWriter<double>> truth;
  std::uint64_t rows = 0;
  Handle row_dim, byte_dim, offset_dim;  // dimension scales (xarray / netCDF names)
  // reused buffers
  std::vector<std::uint8_t> bytes;
  std::vector<std::uint64_t> offsets;
  std::vector<std::uint16_t> codes;
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
  if (wanted(Column::handle)) {
    ColumnOptions bytes_opt = opt;
    // About 32 bytes a handle: a chunk of bytes spans as many rows as a column chunk, at most 1
    // MiB.
    bytes_opt.chunk_rows = std::clamp<std::size_t>(opt.chunk_rows * 32, 4096, kHandleChunkBytes);
    impl_->handle_bytes = std::make_unique<ColumnWriter<std::uint8_t>>(
        file, "/profiles/handle_bytes", "",
        "UTF-8 bytes of every handle back to back; handle i = "
        "handle_bytes[handle_offsets[i]:handle_offsets[i+1]]",
        bytes_opt);
    impl_->handle_offsets = std::make_unique<ColumnWriter<std::uint64_t>>(
        file, "/profiles/handle_offsets", "bytes",
        "rows + 1 offsets into handle_bytes (first 0, last = its length)", opt);
    const std::uint64_t zero = 0;
    impl_->handle_offsets->append(&zero, 1);
  }
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
  if (wanted(Column::country)) {
    impl_->country = std::make_unique<ColumnWriter<std::uint16_t>>(
        file, path(Column::country), "",
        std::string(info(Column::country).description) +
            " (dictionary code: categories[code]; 65535 = missing)",
        opt);
    write_attr(impl_->country->id(), "missing_code", std::int64_t{kCountryMissing});
  }
  if (with_truth)
    impl_->truth = std::make_unique<ColumnWriter<double>>(
        file, "/profiles/true_fake_share", "1",
        "synthetic data only: the fake share the generator drew", opt);
  {
    Impl& m = *impl_;
    std::vector<Id> row_cols;
    if (m.id) row_cols.push_back(m.id->id());
    if (m.platform) row_cols.push_back(m.platform->id());
    if (m.niche) row_cols.push_back(m.niche->id());
    for (auto& [col, w] : m.numeric) row_cols.push_back(w->id());
    if (m.country) row_cols.push_back(m.country->id());
    if (m.truth) row_cols.push_back(m.truth->id());
    m.row_dim = create_dimension(file, "/profiles/row", 0, row_cols);
    if (m.handle_bytes) {
      m.byte_dim = create_dimension(file, "/profiles/handle_byte", 0, {m.handle_bytes->id()});
      m.offset_dim = create_dimension(file, "/profiles/handle_offset", 1, {m.handle_offsets->id()});
    }
  }
  write_attr(ensure_group(file, "/profiles").get(), "missing_value",
             std::string_view("NaN in numeric columns; code 255 in categorical columns (65535 in "
                              "country); empty text; a column the input did not have is absent"));
}

void ProfileWriter::append(const ProfileChunk& c) {
  const LibraryLock lock;
  Impl& m = *impl_;
  const std::size_t n = c.size();
  if (m.id) m.id->append(c.id.data(), n);
  if (m.platform) m.platform->append(c.platform.data(), n);
  if (m.niche) m.niche->append(c.niche.data(), n);
  for (auto& [col, w] : m.numeric) w->append(c.numeric(col)->data(), n);
  if (m.truth) m.truth->append(c.true_fake_share.data(), n);
  append_text(c.handle.data(), c.country.data(), n);
}

void ProfileWriter::append_text(const std::string* handle, const std::string* country,
                                std::size_t n) {
  const LibraryLock lock;
  Impl& m = *impl_;
  if (m.handle_bytes && handle) {
    m.bytes.clear();
    m.offsets.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      m.bytes.insert(m.bytes.end(), handle[i].begin(), handle[i].end());
      m.offsets[i] = m.handle_end + m.bytes.size();
    }
    m.handle_bytes->append(m.bytes.data(), m.bytes.size());
    m.handle_offsets->append(m.offsets.data(), n);
    m.handle_end += m.bytes.size();
  }
  if (m.country && country) {
    m.codes.resize(n);
    bool grown = false;
    for (std::size_t i = 0; i < n; ++i) {
      const std::string& name = country[i];
      if (name.empty()) {
        m.codes[i] = kCountryMissing;
        continue;
      }
      auto it = m.country_codes.find(name);
      if (it == m.country_codes.end()) {
        if (m.country_names.size() >= kCountryMissing)
          throw Error("more than " + std::to_string(kCountryMissing) +
                      " distinct countries: the country dictionary is full");
        it =
            m.country_codes.emplace(name, static_cast<std::uint16_t>(m.country_names.size())).first;
        m.country_names.push_back(name);
        grown = true;
      }
      m.codes[i] = it->second;
    }
    if (grown) write_attr(m.country->id(), "categories", m.country_names);
    m.country->append(m.codes.data(), n);
  }
  m.rows += n;
  if (m.row_dim) extend_dimension(m.row_dim.get(), m.rows);
  if (m.handle_bytes) {
    extend_dimension(m.byte_dim.get(), m.handle_end);
    extend_dimension(m.offset_dim.get(), m.rows + 1);
  }
}

ProfileWriter ProfileWriter::continue_text(Id file) {
  auto m = std::make_shared<Impl>();
  auto open = [&](const char* p) {
    Handle ds(H5Dopen2(file, p, H5P_DEFAULT));
    if (!ds) throw Error(std::string("HDF5: cannot open dataset ") + p);
    return ds;
  };
  if (exists(file, "/profiles/handle_bytes")) {
    m->handle_bytes = std::make_unique<ColumnWriter<std::uint8_t>>(file, "/profiles/handle_bytes");
    m->handle_offsets =
        std::make_unique<ColumnWriter<std::uint64_t>>(file, "/profiles/handle_offsets");
    if (m->handle_bytes->rows() != 0 || m->handle_offsets->rows() != 1)
      throw Error("HDF5: the handle columns to continue are not empty (internal error)");
    m->byte_dim = open("/profiles/handle_byte");
    m->offset_dim = open("/profiles/handle_offset");
  }
  if (exists(file, "/profiles/country")) {
    m->country = std::make_unique<ColumnWriter<std::uint16_t>>(file, "/profiles/country");
    if (m->country->rows() != 0)
      throw Error("HDF5: the country column to continue is not empty (internal error)");
  }
  return ProfileWriter(std::move(m));
}

std::uint64_t ProfileWriter::rows() const {
  return impl_->rows;
}

// ---------------------------------------------------------------- checksum
namespace {
// One 64-bit lane per column: h = rotl(h ^ mix(x), 27) * K, the rows of a column in order.
// Chunk boundaries do not matter since each lane sees the same sequence of values.
constexpr std::uint64_t kMulA = 0x9E3779B97F4A7C15ULL, kMulB = 0xC2B2AE3D27D4EB4FULL;
inline std::uint64_t rotl(std::uint64_t x, int r) {
  return (x << r) | (x >> (64 - r));
}
inline void feed(std::uint64_t& h, std::uint64_t x) {
  h = rotl(h ^ (x * kMulB), 27) * kMulA + 0x165667B19E3779F9ULL;
}
inline void feed_text(std::uint64_t& h, const std::string& s) {
  feed(h, s.size());
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    feed(h, w);
  }
  if (i < s.size()) {
    std::uint64_t w = 0;
    std::memcpy(&w, s.data() + i, s.size() - i);
    feed(h, w);
  }
}
}  // namespace

void ProfileChecksum::add(const ProfileChunk& c) {
  if (h_.empty()) h_.assign(kColumnCount, 0);
  const std::size_t n = c.size();
  auto& hid = h_[static_cast<std::size_t>(Column::id)];
  for (std::size_t i = 0; i < n; ++i) feed(hid, c.id[i]);
  for (std::size_t i = 0; i < n; ++i)
    feed_text(h_[static_cast<std::size_t>(Column::handle)], c.handle[i]);
  for (std::size_t i = 0; i < n; ++i)
    feed(h_[static_cast<std::size_t>(Column::platform)], c.platform[i]);
  for (std::size_t i = 0; i < n; ++i) feed(h_[static_cast<std::size_t>(Column::niche)], c.niche[i]);
  for (std::size_t k = 0; k < kColumnCount; ++k) {
    const auto* v = const_cast<ProfileChunk&>(c).numeric(static_cast<Column>(k));
    if (!v) continue;
    auto& h = h_[k];
    for (std::size_t i = 0; i < n; ++i) {
      std::uint64_t bits;
      std::memcpy(&bits, &(*v)[i], 8);
      feed(h, bits);
    }
  }
  for (std::size_t i = 0; i < n; ++i)
    feed_text(h_[static_cast<std::size_t>(Column::country)], c.country[i]);
  rows_ += n;
}

std::string ProfileChecksum::hex() const {
  std::uint64_t h = rows_;
  for (std::size_t k = 0; k < kColumnCount; ++k) feed(h, h_.empty() ? 0 : h_[k]);
  char buf[32];
  std::snprintf(buf, sizeof buf, "mr64:%016llx", static_cast<unsigned long long>(h));
  return buf;
}

bool is_profiles_file(const std::string& path) {
  silence_hdf5();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return false;
  if (H5Fis_hdf5(path.c_str()) <= 0) return false;
  Handle f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!f || !has_attr(f.get(), "filetype")) return false;
  try {
    return read_attr_string(f.get(), "filetype") == kFiletypeProfiles;
  } catch (const Error&) {
    return false;
  }
}

ProfileReference::ProfileReference(Id file, const std::string& file_path, const std::string& input)
    : file_(file) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path abs = fs::weakly_canonical(fs::absolute(input, ec), ec);
  const fs::path dir = fs::weakly_canonical(fs::absolute(file_path, ec), ec).parent_path();
  fs::path rel = abs.lexically_relative(dir);
  if (rel.empty()) rel = abs;
  write_attr(file, "profiles_file", rel.generic_string());
  write_attr(file, "profiles_file_absolute", abs.generic_string());
  write_attr(file, "profiles_rows", std::uint64_t{0});
  write_attr(file, "profiles_checksum", sum_.hex());
}

void ProfileReference::append(const ProfileChunk& c) {
  const LibraryLock lock;
  sum_.add(c);
  write_attr(file_, "profiles_rows", sum_.rows());
  write_attr(file_, "profiles_checksum", sum_.hex());
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
  Handle row_dim;
  std::uint64_t rows = 0;
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
  std::vector<Id> cols;
  for (auto& c : impl_->cols) cols.push_back(c->id());
  cols.push_back(impl_->tier->id());
  cols.push_back(impl_->flags->id());
  cols.push_back(impl_->missing->id());
  impl_->row_dim = create_dimension(file, "/scores/row", 0, cols);
}

void ScoreWriter::append(const ScoreChunk& c) {
  const LibraryLock lock;
  const std::size_t n = c.size();
  for (std::size_t k = 0; k < impl_->cols.size(); ++k)
    impl_->cols[k]->append((c.*kScoreCols[k].member).data(), n);
  impl_->tier->append(c.tier.data(), n);
  impl_->flags->append(c.flags.data(), n);
  impl_->missing->append(c.missing.data(), n);
  impl_->rows += n;
  extend_dimension(impl_->row_dim.get(), impl_->rows);
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
  if (file_.filetype() == kFiletypeScores && !exists(file_.id(), "/profiles") &&
      has_attr(file_.id(), "profiles_file"))
    follow_reference();
  open_columns();
}

// A scores file without /profiles names the profiles file it scored: open it, check it is the
// same data (rows and checksum) and read /profiles from there.
void ProfileReader::follow_reference() {
  namespace fs = std::filesystem;
  const std::string& path = file_.path();
  std::string rel, abs, want;
  std::uint64_t want_rows = 0;
  try {
    rel = read_attr_string(file_.id(), "profiles_file");
    abs = has_attr(file_.id(), "profiles_file_absolute")
              ? read_attr_string(file_.id(), "profiles_file_absolute")
              : std::string();
    want = read_attr_string(file_.id(), "profiles_checksum");
    Handle a(check(H5Aopen(file_.id(), "profiles_rows", H5P_DEFAULT), "open profiles_rows"));
    check(H5Aread(a.get(), H5T_NATIVE_UINT64, &want_rows), "read profiles_rows", 0);
  } catch (const Error&) {
    bad_input(path,
              "the reference to its profiles (attributes profiles_file, profiles_rows, "
              "profiles_checksum) is incomplete or damaged; re-score the input");
  }
  std::error_code ec;
  fs::path candidate = fs::path(rel);
  if (candidate.is_relative()) candidate = fs::absolute(path, ec).parent_path() / candidate;
  std::string chosen;
  if (fs::exists(candidate, ec))
    chosen = candidate.string();
  else if (!abs.empty() && fs::exists(abs, ec))
    chosen = abs;
  if (chosen.empty())
    bad_input(path, "holds scores only; its profiles are in '" + rel + "'" +
                        (abs.empty() ? std::string() : " ('" + abs + "')") +
                        ", which no longer exists (the input moved or was deleted): put it back "
                        "next to the scores file, or re-score with --self-contained");
  data_ = std::make_unique<File>(File::open(chosen, {kFiletypeProfiles}));
  // Check the rows are the ones scored, reading them once in bounded chunks.
  {
    ProfileReader check_reader(chosen);
    ProfileChecksum sum;
    ProfileChunk c;
    while (check_reader.read(c, 65536)) sum.add(c);
    if (sum.rows() != want_rows || sum.hex() != want)
      bad_input(path, "holds scores only, of the profiles in '" + chosen +
                          "', but that file changed since it was scored (" +
                          std::to_string(sum.rows()) + " rows, checksum " + sum.hex() +
                          "; expected " + std::to_string(want_rows) + " rows, checksum " + want +
                          "): re-score it");
  }
  const auto score_rows = dataset_length(file_.id(), "/scores/score", path);
  if (score_rows != want_rows)
    bad_input(path, "dataset '/scores/score' has " + std::to_string(score_rows) +
                        " rows but its profiles have " + std::to_string(want_rows) +
                        " (the file is inconsistent)");
}

void ProfileReader::open_columns() {
  const File& data = data_file();
  const hid_t loc = data.id();
  const std::string& path = data.path();
  const bool v2 = data.format_major() >= 2;
  rows_ = dataset_length(loc, "/profiles/followers", path);
  {
    // Before anything is read: the declared row count must be stored in the file.
    Handle ds = open_dataset(loc, "/profiles/followers", path);
    check_readable(ds.get(), "/profiles/followers", path, rows_);
  }
  auto open_checked = [&](const std::string& p, auto tag, std::uint64_t rows) {
    using T = decltype(tag);
    const auto len = dataset_length(loc, p, path);
    if (len != rows)
      bad_input(path,
                "dataset '" + p + "' has " + std::to_string(len) + " rows but " +
                    (rows == rows_ ? "/profiles/followers has " + std::to_string(rows_)
                                   : "rows + 1 = " + std::to_string(rows) + " were expected") +
                    " (the file is inconsistent)");
    Handle ds = open_dataset(loc, p, path);
    check_type<T>(ds.get(), p, path);
    check_readable(ds.get(), p, path, len);
    return ds;
  };
  for (std::size_t c = 0; c < kColumnCount; ++c) {
    const auto col = static_cast<Column>(c);
    const std::string p = "/profiles/" + std::string(column_info(col).name);
    Handle ds;
    if (v2 && col == Column::handle) {
      if (!exists(loc, "/profiles/handle_offsets")) continue;
      handle_offsets_ = open_checked("/profiles/handle_offsets", std::uint64_t{}, rows_ + 1);
      ds = open_dataset(loc, "/profiles/handle_bytes", path);
      check_type<std::uint8_t>(ds.get(), "/profiles/handle_bytes", path);
      check_readable(ds.get(), "/profiles/handle_bytes", path,
                     dataset_length(loc, "/profiles/handle_bytes", path));
      present_.push_back(col);
      datasets_.push_back(std::move(ds));
      continue;
    }
    if (!exists(loc, p)) continue;
    switch (col) {
      case Column::id:
        ds = open_checked(p, std::uint64_t{}, rows_);
        break;
      case Column::handle:
        ds = open_checked(p, std::string{}, rows_);
        break;
      case Column::country:
        if (v2) {
          ds = open_checked(p, std::uint16_t{}, rows_);
          try {
            // Written when the first country appears: absent when every country is missing.
            if (has_attr(ds.get(), "categories"))
              country_names_ = read_attr_strings(ds.get(), "categories");
          } catch (const Error&) {
            bad_input(path, "dataset '" + p +
                                "' has no readable 'categories' attribute (expected the country "
                                "names its codes index)");
          }
        } else {
          ds = open_checked(p, std::string{}, rows_);
        }
        break;
      case Column::platform:
      case Column::niche:
        ds = open_checked(p, std::uint8_t{}, rows_);
        break;
      default:
        ds = open_checked(p, double{}, rows_);
        break;
    }
    present_.push_back(col);
    datasets_.push_back(std::move(ds));
  }
  if (exists(loc, "/profiles/true_fake_share"))
    truth_ = open_checked("/profiles/true_fake_share", double{}, rows_);
}

bool ProfileReader::read(ProfileChunk& c, std::size_t max_rows) {
  const LibraryLock lock;
  if (next_ >= rows_) return false;
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(max_rows, rows_ - next_));
  c.clear();
  c.resize(n);
  c.first_row = next_;
  const std::string& path = data_file().path();
  const bool v2 = data_file().format_major() >= 2;
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
        if (v2) {
          std::vector<std::uint64_t> off;
          read_open_rows(handle_offsets_.get(), "/profiles/handle_offsets", next_, n + 1, off,
                         path);
          for (std::size_t i = 0; i < n; ++i)
            if (off[i + 1] < off[i] || off[i + 1] - off[i] > kMaxHandleBytes)
              bad_input(path, "dataset '/profiles/handle_offsets' index " +
                                  std::to_string(next_ + i + 1) + " holds " +
                                  std::to_string(off[i + 1]) + " after " + std::to_string(off[i]) +
                                  ", expected offsets that grow by at most " +
                                  std::to_string(kMaxHandleBytes) + " bytes a handle");
          std::vector<std::uint8_t> bytes;
          read_open_rows(ds, "/profiles/handle_bytes", off[0],
                         static_cast<std::size_t>(off[n] - off[0]), bytes, path);
          for (std::size_t i = 0; i < n; ++i)
            c.handle[i].assign(reinterpret_cast<const char*>(bytes.data()) + (off[i] - off[0]),
                               static_cast<std::size_t>(off[i + 1] - off[i]));
        } else {
          read_open_rows(ds, p, next_, n, c.handle, path);
        }
        break;
      case Column::country:
        if (v2) {
          std::vector<std::uint16_t> codes;
          read_open_rows(ds, p, next_, n, codes, path);
          for (std::size_t i = 0; i < n; ++i) {
            if (codes[i] == kCountryMissing) {
              c.country[i].clear();
            } else if (codes[i] < country_names_.size()) {
              c.country[i] = country_names_[codes[i]];
            } else {
              bad_input(path,
                        "dataset '" + p + "' row " + std::to_string(next_ + i) + " holds code " +
                            std::to_string(codes[i]) + ", expected 0-" +
                            std::to_string(static_cast<long long>(country_names_.size()) - 1) +
                            " (its 'categories') or 65535");
            }
          }
        } else {
          read_open_rows(ds, p, next_, n, c.country, path);
        }
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
