#include "microreach/jobs/dist_import.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "csv_scan.hpp"
#include "microreach/error.hpp"

namespace microreach::jobs {
namespace {

// Byte blobs for the in-order gathers: fixed-size integers and length-prefixed strings.
void put(std::string& out, std::uint64_t v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}
void put(std::string& out, const std::string& s) {
  put(out, static_cast<std::uint64_t>(s.size()));
  out += s;
}
class Reader {
 public:
  explicit Reader(const std::string& s) : s_(s) {}
  bool more() const { return at_ < s_.size(); }
  std::uint64_t u64() {
    std::uint64_t v = 0;
    if (s_.size() - at_ < sizeof v) throw Error("short message between ranks (internal error)");
    std::memcpy(&v, s_.data() + at_, sizeof v);
    at_ += sizeof v;
    return v;
  }
  std::string str() {
    const std::uint64_t n = u64();
    if (s_.size() - at_ < n) throw Error("short message between ranks (internal error)");
    std::string v = s_.substr(at_, n);
    at_ += n;
    return v;
  }

 private:
  const std::string& s_;
  std::size_t at_ = 0;
};

// Pass 1's parsed rows in a rank-local binary file, one record per batch (so pass 2 has the
// same batches): rows, first_row, then every column. Scores are computed in pass 2.
constexpr Column kNumeric[] = {
    Column::followers,           Column::following,     Column::posts,
    Column::avg_likes,           Column::avg_comments,  Column::avg_shares,
    Column::avg_views,           Column::reply_rate,    Column::fake_follower_share,
    Column::follower_growth_30d, Column::price_per_post};

// f(data, bytes) on each fixed-size column of the first n rows of p, in spill order; the writer
// passes a const chunk, the reader one to fill.
template <class Chunk, class F>
void for_each_fixed_column(Chunk& p, std::size_t n, F&& f) {
  f(p.id.data(), n * sizeof(std::uint64_t));
  f(p.platform.data(), n);
  f(p.niche.data(), n);
  for (Column c : kNumeric) f(p.numeric(c)->data(), n * sizeof(double));
  f(p.true_fake_share.data(), n * sizeof(double));
}

class SpillSink : public BatchSink {
 public:
  explicit SpillSink(std::string path) : path_(std::move(path)) {
    f_ = std::fopen(path_.c_str(), "wb");
    if (!f_) throw Error("cannot create '" + path_ + "': " + std::strerror(errno));
  }
  ~SpillSink() override {
    if (f_) std::fclose(f_);
  }
  void consume(const Batch& b) override {
    const ProfileChunk& p = b.profiles;
    const std::uint64_t n = p.size();
    put(&n, sizeof n);
    put(&p.first_row, sizeof p.first_row);
    for_each_fixed_column(p, n, [&](const void* d, std::size_t bytes) { put(d, bytes); });
    for (const auto* text : {&p.handle, &p.country})
      for (const std::string& v : *text) {
        const auto len = static_cast<std::uint32_t>(v.size());
        put(&len, sizeof len);
        put(v.data(), v.size());
      }
  }
  void close() {
    std::FILE* f = f_;
    f_ = nullptr;
    if (std::fclose(f) != 0) fail();
  }

 private:
  void put(const void* p, std::size_t n) {
    if (n && std::fwrite(p, 1, n, f_) != n) fail();
  }
  [[noreturn]] void fail() const {
    throw Error("cannot write '" + path_ + "': " + std::strerror(errno));
  }
  std::string path_;
  std::FILE* f_ = nullptr;
};

// Pass 2's source: the spilled batches, in order.
class SpillSource : public ProfileSource {
 public:
  SpillSource(std::string path, std::string input, std::vector<Column> absent)
      : path_(std::move(path)), input_(std::move(input)), absent_(std::move(absent)) {
    f_ = std::fopen(path_.c_str(), "rb");
    if (!f_) throw Error("cannot read back '" + path_ + "': " + std::strerror(errno));
  }
  ~SpillSource() override { std::fclose(f_); }
  bool read(Batch& b) override {
    std::uint64_t n = 0;
    if (std::fread(&n, sizeof n, 1, f_) != 1) {
      if (std::ferror(f_)) fail();
      return false;
    }
    ProfileChunk& p = b.profiles;
    p.resize(n);
    get(&p.first_row, sizeof p.first_row);
    for_each_fixed_column(p, n, [&](void* d, std::size_t bytes) { get(d, bytes); });
    for (auto* text : {&p.handle, &p.country})
      for (std::string& v : *text) {
        std::uint32_t len = 0;
        get(&len, sizeof len);
        v.resize(len);
        get(v.data(), len);
      }
    b.rows_read = n;
    return true;
  }
  std::string describe() const override { return input_; }
  std::vector<Column> absent_columns() const override { return absent_; }

 private:
  void get(void* p, std::size_t n) {
    if (n && std::fread(p, 1, n, f_) != n) fail();
  }
  [[noreturn]] void fail() const { throw Error("'" + path_ + "' is truncated or unreadable"); }
  std::string path_, input_;
  std::vector<Column> absent_;
  std::FILE* f_ = nullptr;
};

// Offset of the k-th of n equal shares of [begin, begin + bytes), without overflow.
std::uint64_t share_start(std::uint64_t begin, std::uint64_t bytes, std::uint64_t k,
                          std::uint64_t n) {
  return begin + bytes / n * k + bytes % n * k / n;
}

}  // namespace

ImportShare plan_import_share(ImportSource& source, const std::string& dedupe,
                              const std::string& option, const std::string& value,
                              BatchSink* rejects, const std::string& spill_beside,
                              const PipelineOptions& po, const std::function<void()>& mapped) {
  ImportShare share;
  share.input = source.describe();
  share.mode = parse_dedupe("--dedupe", dedupe.empty() ? "first" : dedupe);
  if (const std::string why = source.split_refusal(); !why.empty())
    throw ConfigError(option, value, "under mpirun: " + why);

  // The byte range: equal shares of the data, each moved to the first record start at or after
  // it. The scanner's state at a share's start depends on the bytes before it, so every rank
  // runs its share from every state, and the maps are composed in rank order.
  const auto ranks = static_cast<std::uint64_t>(dist::size());
  const auto me = static_cast<std::uint64_t>(dist::rank());
  const std::uint64_t begin = source.data_begin();
  const std::uint64_t size = source.file_bytes();
  const std::uint64_t bytes = size > begin ? size - begin : 0;
  const std::uint64_t from = share_start(begin, bytes, me, ranks);
  const ImportSource::ScanSummary scan = dist::guarded(
      [&] { return source.scan_bytes(from, share_start(begin, bytes, me + 1, ranks)); });
  const std::vector<std::uint64_t> scans = dist::allgather(scan.lines << 8 | scan.states);
  int state = csv::StateMachine::field_start;
  std::uint64_t line = source.data_first_line();
  for (std::uint64_t r = 0; r < me; ++r) {
    state = csv::StateMachine::apply(static_cast<std::uint8_t>(scans[r] & 0xFF), state);
    line += scans[r] >> 8;
  }
  const auto [start, lines] = dist::guarded([&] { return source.record_start(from, state); });
  const std::vector<std::uint64_t> starts = dist::allgather(start);
  const std::uint64_t end = me + 1 < ranks ? starts[me + 1] : size;
  // Plain copies: clang before 16 cannot capture structured bindings in a lambda.
  const std::uint64_t first_byte = start, first_line = line + lines;
  dist::guarded([&] { source.select_bytes(first_byte, std::max(first_byte, end), first_line); });
  if (mapped) mapped();
  share.rewind = [&source] { source.rewind_selection(); };
  return count_share(source, std::move(share), rejects, spill_beside, po);
}

ImportShare count_share(ProfileSource& source, ImportShare share, BatchSink* rejects,
                        const std::string& spill_beside, const PipelineOptions& po) {
  const auto ranks = static_cast<std::uint64_t>(dist::size());
  const auto me = static_cast<std::uint64_t>(dist::rank());
  // Pass 1: every row parsed and checked, the rows of each account counted.
  PipelineOptions quiet = po;
  quiet.score = false;
  quiet.progress = false;
  CountKeysSink keys;
  std::unique_ptr<SpillSink> spill;
  std::vector<BatchSink*> sinks = {&keys};
  if (rejects) sinks.push_back(rejects);
  dist::guarded([&] {
    if (spill_beside.empty()) return;
    const std::filesystem::path out(spill_beside);
    share.spill = std::make_shared<AtomicOutput>(
        (out.parent_path() /
         (out.filename().string() + ".rows.rank" + std::to_string(dist::rank())))
            .string());
    spill = std::make_unique<SpillSink>(share.spill->temp_path());
    sinks.push_back(spill.get());
  });
  const PipelineStats first = dist::guarded([&] {
    PipelineStats st = run_pipeline(source, sinks, quiet);
    if (spill) spill->close();
    return st;
  });
  share.mine = first;
  std::string mine;
  put(mine, first.rows);
  put(mine, first.rows_read);
  put(mine, first.rejected);
  for (const auto& [key, n] : keys.counts) {
    put(mine, key);
    put(mine, n);
  }
  keys.counts = {};
  const std::vector<std::string> all = dist::allgather(mine);

  // --dedupe: first and keep need the rows of each account before this range, last those in
  // it and after it; a row is a duplicate when its account has a row before it (first, keep)
  // or after it (last), on any rank.
  std::vector<std::uint64_t> kept(ranks);
  std::unordered_map<std::uint64_t, std::uint32_t> own, other;
  for (std::uint64_t r = 0; r < ranks; ++r) {
    Reader in(all[r]);
    kept[r] = in.u64();
    share.totals.rows_read += in.u64();
    share.totals.rejected += in.u64();
    const bool counted = r == me || (share.mode == Dedupe::last ? r > me : r < me);
    while (in.more()) {
      const std::uint64_t key = in.u64();
      const auto n = static_cast<std::uint32_t>(in.u64());
      if (r == me) own[key] += n;
      if (r != me && counted) other[key] += n;
    }
  }
  std::uint64_t duplicates = 0;
  for (const auto& [key, n] : own) {
    const bool elsewhere = other.count(key) != 0;
    duplicates += elsewhere ? n : n - 1;
  }
  if (share.mode == Dedupe::last) {
    for (const auto& [key, n] : own) other[key] += n;
  }
  share.counts = std::move(other);
  const std::vector<std::uint64_t> dups = dist::allgather(duplicates);
  for (std::uint64_t r = 0; r < ranks; ++r) {
    const std::uint64_t out = kept[r] - (share.mode == Dedupe::keep ? 0 : dups[r]);
    if (r == me) share.rows = {share.total_rows, share.total_rows + out};
    share.total_rows += out;
    share.duplicates += dups[r];
  }
  share.totals.rows = share.total_rows;
  share.batches = first.batches;
  return share;
}

PipelineStats run_share(ProfileSource& source, const ImportShare& share,
                        const std::vector<BatchSink*>& sinks, const PipelineOptions& po) {
  DedupeSink dedupe(share.mode, sinks);
  dedupe.set_counts(share.counts);
  PipelineStats stats;
  if (share.spill) {
    SpillSource rows(share.spill->temp_path(), share.input, source.absent_columns());
    stats = run_pipeline(rows, {&dedupe}, po);
  } else {
    // Without a spill: the range read again (its rejected rows went to pass 1's sink).
    share.rewind();
    stats = run_pipeline(source, {&dedupe}, po);
  }
  if (share.mode != Dedupe::keep) stats.rows -= dedupe.duplicates();
  stats.rows_read = share.mine.rows_read;
  stats.rejected = share.mine.rejected;
  stats.seconds += share.mine.seconds;  // both passes
  if (stats.rows != share.rows.size() || stats.batches != share.batches)
    throw InputError(source.describe(), 0, 0,
                     "the second reading of this rank's part gave " + std::to_string(stats.rows) +
                         " rows in " + std::to_string(stats.batches) + " batches, the first " +
                         std::to_string(share.rows.size()) + " in " +
                         std::to_string(share.batches) +
                         ": was the file changed during the run? expected an unchanging file");
  return stats;
}

SharedRejects::SharedRejects(const std::string& path) : path_(path) {
  if (!path.empty()) {
    if (dist::is_root()) {
      out_ = std::make_unique<AtomicOutput>(path, "--rejects");
    } else {
      // The other ranks' rows go to a hidden file beside the rejects file (or in the current
      // directory for standard output), removed in every case.
      const std::filesystem::path p(path == "-" ? "rejects.csv" : path);
      const std::filesystem::path dir = path == "-" ? std::filesystem::path(".") : p.parent_path();
      out_ = std::make_unique<AtomicOutput>(
          (dir / (p.filename().string() + ".rank" + std::to_string(dist::rank()))).string(),
          "--rejects");
    }
    writer_ = std::make_unique<RejectsWriter>(out_->temp_path());
  }
  sink_ = std::make_unique<RejectsSink>(writer_.get());
}

SharedRejects::~SharedRejects() = default;

void SharedRejects::finish(const std::string& input) {
  std::string temp;
  dist::guarded([&] {
    if (!writer_) return;
    writer_->close();
    temp = out_->temp_path();
  });
  std::string shown;
  for (const RejectedRow& r : sink_->first()) put(shown, describe_reject(input, r));
  const std::vector<std::string> firsts = dist::gather(shown);
  const std::vector<std::string> temps = dist::gather(temp);
  dist::guarded([&] {
    if (!dist::is_root()) return;
    for (const std::string& blob : firsts) {
      Reader in(blob);
      while (in.more() && first_.size() < 10) first_.push_back(in.str());
    }
    if (!writer_) return;
    // Every other rank's rows after rank 0's, in rank order, each file without its header.
    std::FILE* out = std::fopen(temp.c_str(), "ab");
    if (!out) throw Error(path_ + ": cannot append to the rejects file: " + std::strerror(errno));
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> close_out(out, &std::fclose);
    std::string buf(std::size_t{1} << 16, '\0');
    for (std::size_t r = 1; r < temps.size(); ++r) {
      std::FILE* in = std::fopen(temps[r].c_str(), "rb");
      if (!in) throw Error("cannot read back '" + temps[r] + "': " + std::strerror(errno));
      std::unique_ptr<std::FILE, int (*)(std::FILE*)> close_in(in, &std::fclose);
      int c;
      while ((c = std::fgetc(in)) != EOF && c != '\n') {
      }
      std::size_t n;
      while ((n = std::fread(buf.data(), 1, buf.size(), in)) > 0)
        if (std::fwrite(buf.data(), 1, n, out) != n)
          throw Error(path_ + ": writing the rejects file failed: " + std::strerror(errno));
      if (std::ferror(in)) throw Error("cannot read back '" + temps[r] + "'");
    }
    if (std::fclose(close_out.release()) != 0)
      throw Error(path_ + ": writing the rejects file failed: " + std::strerror(errno));
    out_->commit();
  });
  dist::check();  // the other ranks' files stay until rank 0 has read them
}

}  // namespace microreach::jobs
