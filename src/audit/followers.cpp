// Audience audit: reading follower lists (CSV/TSV/JSON through TableReader), classifying them as
// a stream of parallel blocks, and the audited-shares CSV that feeds `microreach score`.
#include <fcntl.h>
#include <unistd.h>

#include <sys/stat.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <fstream>
#include <memory>
#include <sstream>
#include <unordered_map>

#include "csv_scan.hpp"
#include "microreach/audit/followers.hpp"
#include "microreach/cancel.hpp"
#include "microreach/error.hpp"
#include "microreach/format.hpp"
#include "microreach/pipeline.hpp"
#include "microreach/table.hpp"
#include "microreach/values.hpp"
#include "read_fully.hpp"

namespace microreach::audit {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const std::vector<std::string_view> kUsernameAliases = {"username",   "user",  "handle",
                                                        "screenname", "login", "account"};
const std::vector<std::string_view> kDefaultLabels = {"label", "isfake", "fake", "rating"};

// RFC 4180 quoting of one output field (only when needed).
std::string csv_quote(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos && !s.empty() && s.front() != ' ' &&
      s.back() != ' ')
    return std::string(s);
  if (s.empty()) return std::string();
  std::string r = "\"";
  for (char c : s) {
    if (c == '"') r += '"';
    r += c;
  }
  return r + "\"";
}

// A cell quoted in a message (the format module's one rule, at most 40 bytes).
std::string shown(std::string_view s) {
  return format::shown(s, 40);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Column resolution and row parsing
// ---------------------------------------------------------------------------------------------

FollowerColumns resolve_follower_columns(const std::vector<std::string>& header,
                                         const std::string& path, const std::string& label,
                                         bool require_label) {
  FollowerColumns c;
  c.path = path;
  c.header = header;
  std::vector<std::string> norm;
  for (const auto& h : header) norm.push_back(normalize_header(h));
  auto find = [&](std::string_view key) -> int {
    for (std::size_t i = 0; i < norm.size(); ++i)
      if (norm[i] == key) return static_cast<int>(i);
    return -1;
  };
  for (std::size_t f = 0; f < kFeatureCount; ++f)
    for (auto alias : feature_aliases(static_cast<Feature>(f)))
      if ((c.feature[f] = find(alias)) >= 0) break;
  for (auto alias : kUsernameAliases)
    if ((c.username = find(alias)) >= 0) break;
  if (!label.empty()) {
    c.label = find(normalize_header(label));
    if (c.label < 0)
      throw InputError(path, 1, 0,
                       "no label column '" + label + "' (the header has " +
                           describe_header(header) + "); name it with --label");
  } else if (require_label) {
    for (auto l : kDefaultLabels)
      if ((c.label = find(l)) >= 0) break;
    if (c.label < 0)
      throw InputError(path, 1, 0,
                       "no label column (looked for label, is_fake, fake, rating; the header has " +
                           describe_header(header) + "); name it with --label");
  }
  // A label column is never a feature (e.g. a file whose label is called "fake").
  for (auto& f : c.feature)
    if (f >= 0 && f == c.label) f = -1;
  return c;
}

bool FollowerColumns::has(Feature f) const {
  const auto i = static_cast<std::size_t>(f);
  if (feature[i] >= 0) return true;
  return (f == Feature::username_digits || f == Feature::username_length) && username >= 0;
}

std::vector<int> FollowerColumns::cells_needed(const std::vector<Feature>& features,
                                               bool want_username) const {
  std::vector<int> cols;
  auto add = [&](int c) {
    if (c >= 0 && std::find(cols.begin(), cols.end(), c) == cols.end()) cols.push_back(c);
  };
  for (auto f : features) {
    const int c = feature[static_cast<std::size_t>(f)];
    if (c >= 0)
      add(c);
    else if (f == Feature::username_digits || f == Feature::username_length)
      add(username);
  }
  add(label);
  if (want_username) add(username);
  return cols;
}

RowParser::RowParser(const FollowerColumns& cols, std::vector<Feature> features, bool want_username)
    : cols_(cols), features_(std::move(features)) {
  cells_ = cols_.cells_needed(features_, want_username);
  auto slot = [&](int c) -> int {
    if (c < 0) return -1;
    return static_cast<int>(std::find(cells_.begin(), cells_.end(), c) - cells_.begin());
  };
  for (auto f : features_) {
    const int c = cols_.feature[static_cast<std::size_t>(f)];
    if (c >= 0) {
      slots_.push_back(slot(c));
      derived_.push_back(false);
    } else if ((f == Feature::username_digits || f == Feature::username_length) &&
               cols_.username >= 0) {
      slots_.push_back(slot(cols_.username));
      derived_.push_back(true);
    } else {
      throw_missing_feature(cols_.path, f);
    }
  }
  label_slot_ = slot(cols_.label);
  username_slot_ = want_username ? slot(cols_.username) : -1;
}

std::uint64_t RowParser::parse(const std::string_view* cells, std::uint64_t line, double* x,
                               int* label) const {
  std::uint64_t missing = 0;
  for (std::size_t j = 0; j < features_.size(); ++j) {
    const Feature f = features_[j];
    const auto fi = static_cast<std::size_t>(f);
    const std::string_view text = cells[slots_[j]];
    const int col = derived_[j] ? cols_.username : cols_.feature[static_cast<std::size_t>(f)];
    const std::string& name = cols_.header[static_cast<std::size_t>(col)];
    if (derived_[j]) {
      double digits = 0.0, length = 0.0;
      if (is_missing_text(text)) {
        x[fi] = kNaN;
        ++missing;
        continue;
      }
      username_signals(text, digits, length);
      x[fi] = f == Feature::username_digits ? digits : length;
      continue;
    }
    if (feature_info(f).boolean) {
      const auto b = parse_bool(text);
      if (!b && is_missing_text(text)) {
        x[fi] = kNaN;
        ++missing;
        continue;
      }
      if (!b)
        throw InputError(cols_.path, line, static_cast<std::uint64_t>(col) + 1,
                         "column '" + name + "': found '" + shown(text) +
                             "': expected a boolean (TRUE/FALSE, true/false, 1/0, yes/no)");
      x[fi] = *b ? 1.0 : 0.0;
      continue;
    }
    const ParsedValue v = parse_value(text);
    if (v.status == ValueStatus::missing) {
      x[fi] = kNaN;
      ++missing;
      continue;
    }
    if (v.status == ValueStatus::invalid || v.percent)
      throw InputError(cols_.path, line, static_cast<std::uint64_t>(col) + 1,
                       "column '" + name + "': found '" + shown(text) +
                           "': expected a count such as 1234, 1,234, 1.2k or 3.5M");
    if (v.value < 0.0)
      throw InputError(cols_.path, line, static_cast<std::uint64_t>(col) + 1,
                       "column '" + name + "': found '" + shown(text) + "': expected a count >= 0");
    x[fi] = v.value;
  }
  if (label) {
    *label = -1;
    if (label_slot_ >= 0) {
      const std::string_view text = cells[label_slot_];
      const int l = parse_boolean_like(text);
      if (l < 0)
        throw InputError(cols_.path, line, static_cast<std::uint64_t>(cols_.label) + 1,
                         "label column '" + cols_.header[static_cast<std::size_t>(cols_.label)] +
                             "': found '" + shown(text) +
                             "': not boolean-like: expected TRUE/FALSE, 1/0, true/false or "
                             "fake/real (1/TRUE = fake)");
      *label = l;
    }
  }
  return missing;
}

// ---------------------------------------------------------------------------------------------
// Whole files in memory (fit, evaluate)
// ---------------------------------------------------------------------------------------------

FollowerData read_followers(const std::string& path, const FollowerReadOptions& opt) {
  auto t = TableReader::open(path, opt.table);
  const FollowerColumns cols =
      resolve_follower_columns(t->header(), path, opt.label, opt.require_label);
  // Every feature the file has (features it lacks stay empty columns in FollowerData).
  std::vector<Feature> present;
  for (std::size_t f = 0; f < kFeatureCount; ++f)
    if (cols.has(static_cast<Feature>(f))) present.push_back(static_cast<Feature>(f));
  const RowParser parser(cols, present, cols.username >= 0);
  FollowerData d;
  d.source = path;
  std::vector<std::string> fields, cells(parser.cells().size());
  std::vector<std::string_view> views(cells.size());
  std::array<double, kFeatureCount> x;
  x.fill(kNaN);
  while (t->next(fields)) {
    if ((d.rows & 0xFFFF) == 0) throw_if_cancelled();
    for (std::size_t k = 0; k < cells.size(); ++k) cells[k] = fields[parser.cells()[k]];
    int label = -1;
    for (std::size_t k = 0; k < cells.size(); ++k) views[k] = cells[k];
    d.missing_values += parser.parse(views.data(), t->line(), x.data(), &label);
    for (auto f : present) d.col(f).push_back(x[static_cast<std::size_t>(f)]);
    if (cols.label >= 0) d.label.push_back(static_cast<std::uint8_t>(label));
    if (parser.username_slot() >= 0) d.username.push_back(cells[parser.username_slot()]);
    d.line.push_back(t->line());
    ++d.rows;
  }
  if (d.rows == 0) throw InputError(path, 0, 0, "no data rows under the header");
  return d;
}

FollowerData read_followers(const std::vector<std::string>& paths, const FollowerReadOptions& opt) {
  if (paths.empty()) throw ConfigError("files", "", "at least one labelled file");
  FollowerData all = read_followers(paths[0], opt);
  for (std::size_t i = 1; i < paths.size(); ++i) {
    FollowerData more = read_followers(paths[i], opt);
    for (std::size_t f = 0; f < kFeatureCount; ++f) {
      auto& a = all.x[f];
      const auto& b = more.x[f];
      // A feature kept only if every file has it (else it would be half missing).
      if (a.empty() || b.empty())
        a.clear();
      else
        a.insert(a.end(), b.begin(), b.end());
    }
    all.label.insert(all.label.end(), more.label.begin(), more.label.end());
    if (all.username.empty() || more.username.empty())
      all.username.clear();
    else
      all.username.insert(all.username.end(), more.username.begin(), more.username.end());
    all.line.insert(all.line.end(), more.line.begin(), more.line.end());
    all.rows += more.rows;
    all.missing_values += more.missing_values;
    all.source += ", " + more.source;
  }
  return all;
}

// ---------------------------------------------------------------------------------------------
// Streaming classification through run_pipeline: serial read -> parallel parse + classify ->
// serial in-order sink
//
// CSV/TSV: the serial stage only reads raw bytes and cuts them after the last complete record
// (csv::last_record_end, the import's block cutter); records are tokenised (csv::parse_record),
// parsed and classified in the parallel stage. JSON: TableReader::next() in the serial stage,
// the cells of each block parsed and classified in parallel. Either way each block's first
// error is kept with the block and raised by the in-order sink, so the first bad row in the
// file is the one reported, whatever the thread count.
// ---------------------------------------------------------------------------------------------

namespace {

// What a pipeline batch carries for the audit: the classified rows and, for JSON, the cells the
// serial stage read (the raw CSV records travel in Batch::raw).
struct FollowerBlock : BatchPayload {
  ClassifiedBlock out;
  std::vector<std::string> cells;  // JSON: rows x parser.cells().size(), capacity reused
  std::size_t cell_rows = 0;
};

// Raw CSV reader positioned after the header (and a rule line under it), mirroring TableReader.
class CsvBlocks {
 public:
  CsvBlocks(const std::string& path, char delim, std::size_t block_bytes,
            std::size_t max_record_bytes)
      : path_(path), delim_(delim), block_(block_bytes), max_record_(max_record_bytes) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw InputError(path, 0, 0, std::string("cannot open: ") + std::strerror(errno));
    skip_header();
  }
  ~CsvBlocks() {
    if (fd_ >= 0) ::close(fd_);
  }
  CsvBlocks(const CsvBlocks&) = delete;
  CsvBlocks& operator=(const CsvBlocks&) = delete;
  char delimiter() const { return delim_; }

  // Next block of whole records into raw; false at the end.
  bool next(std::string& raw, std::uint64_t& first_line) {
    if (done_) return false;
    const auto cut = csv::next_block(
        raw, carry_, std::max(block_, carry_.size() + 1), delim_, max_record_,
        [&](std::string& s, std::size_t want) { fill(s, want); }, [&] { return eof_; });
    if (!cut) {
      done_ = true;
      return false;
    }
    if (cut->kind == csv::BlockCut::unterminated)
      throw InputError(
          path_, line_ + static_cast<std::uint64_t>(std::count(raw.begin(), raw.end(), '\n')), 0,
          "a quoted field opened in the record starting here is never closed "
          "(expected a closing '\"' before the end of the file)");
    if (cut->kind == csv::BlockCut::too_long)
      throw InputError(path_, line_, 0,
                       "a record longer than " + std::to_string(max_record_ >> 20) +
                           " MiB starts here: probably an unmatched quote");
    if (eof_) done_ = true;
    first_line = line_;
    line_ += static_cast<std::uint64_t>(std::count(raw.begin(), raw.end(), '\n'));
    return true;
  }

 private:
  void fill(std::string& s, std::size_t want) {
    const std::size_t old = s.size();
    s.resize(std::max(want, old + 1));
    s.resize(old + read_fully(fd_, s.data() + old, s.size() - old, path_, eof_,
                              [] { throw_if_cancelled(); }));
  }
  // The header is the first non-empty record (TableReader has already parsed and checked it);
  // a rule line right under it ("=====") is skipped too, as TableReader does.
  void skip_header() {
    std::string buf;
    fill(buf, 65536);
    if (buf.rfind("\xEF\xBB\xBF", 0) == 0) buf.erase(0, 3);
    for (bool header_done = false;;) {
      const char* s = buf.data();
      const char* e = s + buf.size();
      const csv::ScanResult r = csv::find_record_end(s, e, delim_, eof_);
      if (!r.end) {
        if (eof_ || buf.size() > max_record_) break;  // TableReader reported it already
        fill(buf, buf.size() + 65536);
        continue;
      }
      const bool empty_line = csv::strip_eol(s, r.end) == s;
      if (header_done && !csv::is_rule_line(s, r.end)) break;
      line_ += static_cast<std::uint64_t>(std::count(s, r.end, '\n'));
      buf.erase(0, static_cast<std::size_t>(r.end - s));
      if (header_done) break;  // the rule line
      if (!empty_line) header_done = true;
      if (buf.empty() && eof_) break;
      if (buf.empty()) fill(buf, 65536);
    }
    carry_ = std::move(buf);
  }
  std::string path_;
  char delim_;
  std::size_t block_, max_record_;
  int fd_ = -1;
  bool eof_ = false, done_ = false;
  std::string carry_;
  std::uint64_t line_ = 1;
};

// Tokenises the whole records of a CSV block and calls on_row(line) with `views` holding the
// cells the parser needs; blank records are skipped; malformed records throw InputError with the
// same messages as TableReader.
template <class OnRow>
void for_each_csv_row(const std::string& raw, std::uint64_t first_line, const std::string& path,
                      char delim, const std::vector<std::string>& header, const RowParser& parser,
                      std::vector<std::string_view>& views, std::vector<std::string>& scratch,
                      OnRow&& on_row) {
  const char* p = raw.data();
  const char* end = p + raw.size();
  std::vector<csv::Field> fields;
  fields.reserve(header.size() + 4);
  csv::RecordInfo info;
  std::uint64_t line = first_line;
  const auto& need = parser.cells();
  scratch.resize(need.size());
  while (p < end) {
    const char* rec = p;
    p = csv::parse_record(p, end, delim, fields, info);
    const std::uint64_t rec_line = line;
    line += info.newlines;
    if (csv::is_blank_record(rec, p, delim)) continue;
    if (info.error != csv::FieldError::none) {
      const std::uint32_t k = info.error_field;
      const std::string name = k < header.size() ? header[k] : "#" + std::to_string(k + 1);
      throw InputError(path, rec_line, k + 1,
                       "column '" + name +
                           "': text after the closing quote of a quoted field: expected the "
                           "delimiter or the end of the line right after it");
    }
    if (fields.size() != header.size())
      throw InputError(path, rec_line, std::min(fields.size(), header.size()) + 1,
                       "found " + std::to_string(fields.size()) + " fields, expected " +
                           std::to_string(header.size()) + " as in the header");
    for (std::size_t k = 0; k < need.size(); ++k) {
      const csv::Field& f = fields[static_cast<std::size_t>(need[k])];
      if (f.escaped) {
        csv::unescape(f, scratch[k]);
        views[k] = scratch[k];
      } else {
        views[k] = f.view();
      }
    }
    on_row(rec_line);
  }
}

// The follower file as a pipeline source: read() cuts the next block (raw CSV records, or the
// needed cells of block_rows JSON rows), materialize() parses and classifies it in parallel,
// keeping the block's first error in Batch::error for the in-order output stage to raise.
class FollowerSource : public ProfileSource {
 public:
  FollowerSource(std::string path, std::vector<std::string> header,
                 std::unique_ptr<TableReader> table, std::unique_ptr<CsvBlocks> blocks,
                 const RowParser& parser, const LogisticModel& model, std::size_t block_rows,
                 bool labelled)
      : path_(std::move(path)),
        header_(std::move(header)),
        table_(std::move(table)),
        blocks_(std::move(blocks)),
        parser_(parser),
        model_(model),
        block_rows_(block_rows),
        labelled_(labelled) {}
  bool read(Batch& b) override {
    if (!b.payload) b.payload = std::make_unique<FollowerBlock>();
    auto& w = static_cast<FollowerBlock&>(*b.payload);
    if (blocks_) return blocks_->next(b.raw, b.raw_first_line);
    if (done_) return false;
    const std::size_t ncell = parser_.cells().size();
    if (w.cells.size() < block_rows_ * ncell) w.cells.resize(block_rows_ * ncell);
    auto& lines = w.out.line;
    lines.clear();
    std::size_t r = 0;
    while (r < block_rows_) {
      if (!table_->next(fields_)) {
        done_ = true;
        break;
      }
      for (std::size_t k = 0; k < ncell; ++k)
        w.cells[r * ncell + k].swap(fields_[parser_.cells()[k]]);
      lines.push_back(table_->line());
      ++r;
    }
    w.cell_rows = r;
    return r > 0;
  }

  void materialize(Batch& b) const override {
    auto& w = static_cast<FollowerBlock&>(*b.payload);
    auto& o = w.out;
    std::vector<std::uint64_t> json_lines;
    if (!blocks_) json_lines.swap(o.line);
    o.line.clear();
    o.probability.clear();
    o.flagged.clear();
    o.label.clear();
    o.username.clear();
    o.missing_values = 0;
    const std::size_t ncell = parser_.cells().size();
    std::array<double, kFeatureCount> x;
    x.fill(kNaN);
    std::vector<std::string_view> views(ncell);
    std::vector<std::string> scratch;
    try {
      if (!blocks_) {
        for (std::size_t r = 0; r < w.cell_rows; ++r) {
          for (std::size_t k = 0; k < ncell; ++k) views[k] = w.cells[r * ncell + k];
          classify_row(views.data(), json_lines[r], o, x);
        }
      } else {
        for_each_csv_row(b.raw, b.raw_first_line, path_, blocks_->delimiter(), header_, parser_,
                         views, scratch,
                         [&](std::uint64_t line) { classify_row(views.data(), line, o, x); });
      }
    } catch (...) {
      b.error = std::current_exception();
    }
    b.rows_read = o.line.size();
  }

  std::string describe() const override { return path_; }

 private:
  // Classifies one row given views of its needed cells.
  void classify_row(const std::string_view* cells, std::uint64_t line, ClassifiedBlock& o,
                    std::array<double, kFeatureCount>& x) const {
    int label = -1;
    o.missing_values += parser_.parse(cells, line, x.data(), labelled_ ? &label : nullptr);
    const double p = model_.probability(x.data());
    o.line.push_back(line);
    o.probability.push_back(p);
    o.flagged.push_back(p >= model_.threshold ? 1 : 0);
    if (labelled_) o.label.push_back(static_cast<std::uint8_t>(label));
    if (parser_.username_slot() >= 0) o.username.emplace_back(cells[parser_.username_slot()]);
  }

  std::string path_;
  std::vector<std::string> header_;
  std::unique_ptr<TableReader> table_;  // JSON (CSV/TSV: blocks_)
  std::unique_ptr<CsvBlocks> blocks_;
  const RowParser& parser_;
  const LogisticModel& model_;
  std::size_t block_rows_;
  bool labelled_;
  bool done_ = false;
  std::vector<std::string> fields_;
};

// Counts the classified rows in file order and hands each block on.
class ClassifiedSink : public BatchSink {
 public:
  ClassifiedSink(StreamStats& stats, const std::function<void(const ClassifiedBlock&)>& sink)
      : stats_(stats), sink_(sink) {}
  void consume(const Batch& b) override {
    // The payload belongs to the batch, which this serial stage holds alone.
    auto& o = static_cast<FollowerBlock&>(*b.payload).out;
    o.first_row = stats_.rows;
    stats_.rows += o.line.size();
    for (auto f : o.flagged) stats_.flagged += f;
    stats_.missing_values += o.missing_values;
    ++stats_.blocks;
    if (sink_ && !o.line.empty()) sink_(o);
  }

 private:
  StreamStats& stats_;
  const std::function<void(const ClassifiedBlock&)>& sink_;
};

}  // namespace

StreamStats classify_followers(const std::string& path, const LogisticModel& model,
                               const FollowerReadOptions& opt, const StreamOptions& sopt,
                               const std::function<void(const ClassifiedBlock&)>& sink) {
  const auto t0 = std::chrono::steady_clock::now();
  auto table = TableReader::open(path, opt.table);
  const FollowerColumns cols =
      resolve_follower_columns(table->header(), path, opt.label, opt.require_label);
  const RowParser parser(cols, model.features(), sopt.keep_usernames && cols.username >= 0);
  std::vector<std::string> header = table->header();
  std::unique_ptr<CsvBlocks> blocks;
  if (table->format() == TableFormat::csv) {
    blocks = std::make_unique<CsvBlocks>(path, table->delimiter(), sopt.block_bytes,
                                         opt.table.max_record_bytes);
    table.reset();
  }
  FollowerSource source(path, std::move(header), std::move(table), std::move(blocks), parser, model,
                        std::max<std::size_t>(sopt.block_rows, 1), cols.label >= 0);
  StreamStats stats;
  ClassifiedSink out(stats, sink);
  PipelineOptions po;
  po.tokens = sopt.tokens;
  po.score = false;
  run_pipeline(source, {&out}, po);
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return stats;
}

// ---------------------------------------------------------------------------------------------
// Audited shares
// ---------------------------------------------------------------------------------------------

AuditedShares load_audited_shares(const std::string& path) {
  auto t = TableReader::open(path);
  const auto& h = t->header();
  auto col = [&](const char* name) -> std::size_t {
    const auto c = t->find_column(name);
    if (!c)
      throw InputError(path, 1, 0,
                       std::string("no '") + name +
                           "' column: an audited-shares file needs handle, fake_share, lo, hi "
                           "(as written by `microreach audit --append-to`); the header has " +
                           describe_header(h));
    return *c;
  };
  const std::size_t ch = col("handle"), cf = col("fake_share"), cl = col("lo"), cu = col("hi");
  AuditedShares out;
  std::unordered_map<std::string, std::uint64_t> first_line;
  std::vector<std::string> f;
  while (t->next(f)) {
    const auto line = t->line();
    std::string handle = f[ch];
    while (!handle.empty() && std::isspace(static_cast<unsigned char>(handle.back())))
      handle.pop_back();
    const auto b = handle.find_first_not_of(" \t");
    handle = b == std::string::npos ? "" : handle.substr(b);
    if (handle.empty()) throw InputError(path, line, ch + 1, "column 'handle' is empty");
    auto share = [&](std::size_t c, const char* name) {
      const ParsedValue v = parse_value(f[c]);
      if (!v.ok() || v.value < 0.0 || v.value > 1.0)
        throw InputError(path, line, c + 1,
                         std::string("column '") + name + "': found '" + shown(f[c]) +
                             "': expected a share in [0, 1] (e.g. 0.12 or 12%)");
      return v.value;
    };
    AuditedShare a{share(cf, "fake_share"), share(cl, "lo"), share(cu, "hi")};
    if (!(a.lo <= a.estimate && a.estimate <= a.hi))
      throw InputError(path, line, cf + 1,
                       "handle '" + handle + "': expected lo <= fake_share <= hi, found lo " +
                           f[cl] + ", fake_share " + f[cf] + ", hi " + f[cu]);
    const auto [it, fresh] = first_line.emplace(handle, line);
    if (!fresh)
      throw InputError(path, line, ch + 1,
                       "handle '" + handle + "' is already audited at line " +
                           std::to_string(it->second) + ": one row per handle");
    out.by_handle.emplace(handle, a);
  }
  return out;
}

void append_audit_record(const std::string& path, const AuditRecord& rec) {
  static const std::vector<std::string> kHeader = {"handle",  "fake_share", "lo",     "hi",
                                                   "sampled", "flagged",    "method", "confidence",
                                                   "model",   "date"};
  if (rec.handle.empty()) throw ConfigError("--handle", "", "a non-empty account handle");
  auto fmt = [](double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.6g", v);
    return std::string(b);
  };
  std::string row;
  for (const std::string& v :
       {csv_quote(rec.handle), fmt(rec.fake_share), fmt(rec.lo), fmt(rec.hi),
        std::to_string(rec.sampled), std::to_string(rec.flagged), csv_quote(rec.method),
        fmt(rec.confidence), csv_quote(rec.model), csv_quote(rec.date)})
    row += (row.empty() ? "" : ",") + v;
  // Existing rows are kept verbatim (re-quoted), except an earlier audit of the same handle.
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header = kHeader;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    load_audited_shares(path);  // refuse to append to a file that is not valid
    auto t = TableReader::open(path);
    header = t->header();
    const std::size_t ch = *t->find_column("handle");
    std::vector<std::string> f;
    while (t->next(f))
      if (f[ch] != rec.handle) rows.push_back(f);
  }
  AtomicOutput out(path);
  {
    std::ofstream o(out.temp_path(), std::ios::binary);
    auto write_row = [&](const std::vector<std::string>& r) {
      for (std::size_t i = 0; i < r.size(); ++i) o << (i ? "," : "") << csv_quote(r[i]);
      o << "\n";
    };
    write_row(header);
    for (const auto& r : rows) write_row(r);
    if (header == kHeader) {
      o << row << "\n";
    } else {
      // A file with other columns: fill the ones we know, leave the rest empty.
      const std::vector<std::string> mine = {
          rec.handle,  fmt(rec.fake_share),         fmt(rec.lo),
          fmt(rec.hi), std::to_string(rec.sampled), std::to_string(rec.flagged),
          rec.method,  fmt(rec.confidence),         rec.model,
          rec.date};
      std::vector<std::string> r(header.size());
      for (std::size_t i = 0; i < header.size(); ++i)
        for (std::size_t k = 0; k < kHeader.size(); ++k)
          if (normalize_header(header[i]) == normalize_header(kHeader[k])) r[i] = mine[k];
      write_row(r);
    }
    o.flush();
    if (!o) throw Error(path + ": cannot write the audits file");
  }
  out.commit();
}

}  // namespace microreach::audit
