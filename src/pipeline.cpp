#include "microreach/pipeline.hpp"

#include <tbb/concurrent_queue.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "microreach/cancel.hpp"
#include "microreach/error.hpp"
#include "microreach/import.hpp"
#include "microreach/io/profiles.hpp"
#include "microreach/synth.hpp"
#include "microreach/values.hpp"

namespace microreach {
namespace {

using Clock = std::chrono::steady_clock;

// A one-line progress bar on stderr: shown only on a terminal, only after the first second,
// redrawn at most ten times a second, erased at the end.
class ProgressBar {
 public:
  ProgressBar(bool enabled, std::uint64_t total, bool bytes)
      : enabled_(enabled && ::isatty(2)), total_(total), bytes_(bytes), start_(Clock::now()) {}
  ~ProgressBar() {
    if (shown_) std::fprintf(stderr, "\r\033[K");
  }
  void update(std::uint64_t done, std::uint64_t rows) {
    if (!enabled_) return;
    const auto now = Clock::now();
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    if (elapsed < 1.0 || now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    shown_ = true;
    const double rate = rows / elapsed;
    if (total_ > 0) {
      const double f = std::min(1.0, static_cast<double>(done) / total_);
      const int width = 30, filled = static_cast<int>(f * width);
      std::fprintf(stderr, "\r[%.*s%*s] %5.1f%%  %llu rows  %.2fM rows/s", filled,
                   "##############################", width - filled, "", 100 * f,
                   static_cast<unsigned long long>(rows), rate / 1e6);
    } else {
      std::fprintf(stderr, "\r%llu rows  %.2fM rows/s", static_cast<unsigned long long>(rows),
                   rate / 1e6);
    }
    (void)bytes_;
    std::fflush(stderr);
  }

 private:
  bool enabled_;
  std::uint64_t total_;
  bool bytes_;
  Clock::time_point start_, last_{};
  bool shown_ = false;
};

// The ranges of values.hpp for sources that do not check rows themselves (HDF5 input): the
// first value out of range stops the run with the dataset and the row index, in input order.
void check_batch_ranges(Batch& b, const ProfileSource& source) {
  const ProfileChunk& p = b.profiles;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (const auto bad = check_profile_ranges(p, i)) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.17g", bad->value);
      b.error = std::make_exception_ptr(InputError(
          source.describe(), 0, 0,
          "dataset /profiles/" + std::string(column_info(bad->column).name) + ", index " +
              std::to_string(p.first_row + i) + ": found " + buf + ": " + bad->expected));
      b.profiles.clear();
      return;
    }
  }
}

void reset(Batch& b) {
  b.begin = 0;
  b.count = 0;
  b.raw.clear();
  b.raw_first_line = 0;
  b.raw_offset = 0;
  b.rejects.clear();
  b.rows_read = 0;
  b.error = nullptr;
}

}  // namespace

PipelineStats run_pipeline(ProfileSource& source, const std::vector<BatchSink*>& sinks,
                           const PipelineOptions& opt) {
  if (opt.score && opt.scoring == nullptr)
    throw Error("run_pipeline: scoring requested without a configuration");
  const std::size_t tokens =
      opt.tokens ? opt.tokens
                 : 4 * static_cast<std::size_t>(tbb::this_task_arena::max_concurrency());
  std::vector<std::unique_ptr<Batch>> pool;
  tbb::concurrent_queue<Batch*> free_batches;
  for (std::size_t i = 0; i < tokens; ++i) {
    pool.push_back(std::make_unique<Batch>());
    free_batches.push(pool.back().get());
  }
  PipelineStats stats;
  const auto start = Clock::now();
  // Text imports check every row as they convert it (with its line and column); generated
  // rows are in range by construction. Every other source (HDF5 files) is checked here.
  const bool check_ranges = dynamic_cast<const GeneratorSource*>(&source) == nullptr &&
                            dynamic_cast<const ImportSource*>(&source) == nullptr;
  ProgressBar bar(opt.progress, source.size_hint(), source.progress_in_bytes());
  std::uint64_t sequence = 0;

  tbb::parallel_pipeline(
      tokens,
      tbb::make_filter<void, Batch*>(tbb::filter_mode::serial_in_order,
                                     [&](tbb::flow_control& fc) -> Batch* {
                                       throw_if_cancelled();
                                       Batch* b = nullptr;
                                       if (!free_batches.try_pop(b))
                                         throw Error("pipeline: no free batch (internal error)");
                                       reset(*b);
                                       b->sequence = sequence++;
                                       if (!source.read(*b)) {
                                         free_batches.push(b);
                                         fc.stop();
                                         return nullptr;
                                       }
                                       return b;
                                     }) &
          tbb::make_filter<Batch*, Batch*>(tbb::filter_mode::parallel,
                                           [&](Batch* b) {
                                             if (cancel_requested()) return b;
                                             source.materialize(*b);
                                             if (!b->error && check_ranges)
                                               check_batch_ranges(*b, source);
                                             if (opt.score && !b->error)
                                               score_chunk(b->profiles, *opt.scoring, b->scores,
                                                           opt.audited);
                                             return b;
                                           }) &
          tbb::make_filter<Batch*, void>(tbb::filter_mode::serial_in_order, [&](Batch* b) {
            throw_if_cancelled();
            if (b->error) std::rethrow_exception(b->error);
            for (BatchSink* s : sinks) s->consume(*b);
            stats.batches++;
            stats.rows += b->profiles.size();
            stats.rows_read += b->rows_read ? b->rows_read : b->profiles.size();
            stats.rejected += b->rejects.size();
            bar.update(source.progress_in_bytes() ? b->raw_offset + b->raw.size() : stats.rows_read,
                       stats.rows_read);
            free_batches.push(b);
          }));
  throw_if_cancelled();
  stats.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return stats;
}

// ---------------------------------------------------------------- GeneratorSource
GeneratorSource::GeneratorSource(std::uint64_t seed, std::uint64_t count, std::size_t batch_rows,
                                 const GeneratorConfig& gen, const ScoringConfig& scoring)
    : seed_(seed),
      count_(count),
      end_(count),
      batch_rows_(batch_rows ? batch_rows : 16384),
      gen_(gen),
      scoring_(scoring) {}

bool GeneratorSource::select_rows(std::uint64_t begin, std::uint64_t end) {
  next_ = std::min(begin, count_);
  end_ = std::min(std::max(end, next_), count_);
  return true;
}

bool GeneratorSource::read(Batch& b) {
  if (next_ >= end_) return false;
  b.begin = next_;
  b.count = static_cast<std::size_t>(std::min<std::uint64_t>(batch_rows_, end_ - next_));
  next_ += b.count;
  return true;
}

void GeneratorSource::materialize(Batch& b) const {
  generate_chunk(seed_, b.begin, b.count, gen_, scoring_, b.profiles);
}

std::string GeneratorSource::describe() const {
  return "synthetic population (" + std::to_string(count_) + " profiles, seed " +
         std::to_string(seed_) + ")";
}

// ---------------------------------------------------------------- Hdf5Source
struct Hdf5Source::Impl {
  explicit Impl(const std::string& path) : reader(path) {}
  h5::ProfileReader reader;
};

Hdf5Source::Hdf5Source(const std::string& path, std::size_t batch_rows)
    : impl_(std::make_unique<Impl>(path)),
      path_(path),
      batch_rows_(batch_rows ? batch_rows : 16384) {}
Hdf5Source::~Hdf5Source() = default;

bool Hdf5Source::read(Batch& b) {
  const std::uint64_t at = impl_->reader.position();
  if (at >= end_) return false;
  return impl_->reader.read(
      b.profiles, static_cast<std::size_t>(std::min<std::uint64_t>(batch_rows_, end_ - at)));
}
bool Hdf5Source::select_rows(std::uint64_t begin, std::uint64_t end) {
  impl_->reader.seek(begin);
  end_ = end;
  return true;
}
std::uint64_t Hdf5Source::size_hint() const {
  return impl_->reader.rows();
}
bool Hdf5Source::has_truth() const {
  return impl_->reader.has_truth();
}

// ---------------------------------------------------------------- CollectSink
void CollectSink::consume(const Batch& b) {
  const auto& p = b.profiles;
  const auto& s = b.scores;
  const bool scored = s.size() == p.size();
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (keep_ && !keep_(p, s, i)) continue;
    profiles.append_row(p, i);
    if (scored) scores.append_row(s, i);
  }
}

}  // namespace microreach
