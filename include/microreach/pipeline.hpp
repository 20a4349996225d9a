#pragma once
// The oneTBB pipeline (cf. oneTBB's parallel_pipeline "square" example):
//   serial in-order input  : ProfileSource::read()       (read a chunk of a file, or a range)
//   parallel                : ProfileSource::materialize() then score_chunk()
//   serial in-order output  : every BatchSink::consume() (HDF5 writer, summary, top-K, ...)
// A fixed pool of `tokens` batches circulates, so memory is tokens x batch size whatever the
// input size. Results do not depend on the thread count, token count or batch size.
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "microreach/config.hpp"
#include "microreach/profile.hpp"
#include "microreach/scoring.hpp"

namespace microreach {

// A row a source refused (import with --on-error skip).
struct RejectedRow {
  std::uint64_t line = 0;    // 1-based line in the file
  std::uint64_t column = 0;  // 1-based column (field index), 0 = whole row
  std::string column_name;
  std::string text;    // the offending text
  std::string reason;  // what was expected
  std::string raw;     // the whole raw row, for the rejects file
};

// Rows of another kind than profiles, for a source that makes them (the audit's classified
// followers): the source derives its own type, allocates it on a batch's first read() and keeps
// it with the batch, so its capacity is reused as the batch circulates; its sinks read it.
struct BatchPayload {
  virtual ~BatchPayload() = default;
};

struct Batch {
  std::uint64_t sequence = 0;  // 0, 1, 2, ... in input order
  std::uint64_t begin = 0;     // for range sources: first row index
  std::size_t count = 0;       // for range sources: rows to produce
  std::string raw;             // for text sources: whole rows of text
  std::uint64_t raw_first_line = 0;
  std::uint64_t raw_offset = 0;  // byte offset of raw in the file
  ProfileChunk profiles;
  ScoreChunk scores;
  std::vector<RejectedRow> rejects;
  std::uint64_t rows_read = 0;            // rows seen in this batch (kept + rejected)
  std::unique_ptr<BatchPayload> payload;  // see BatchPayload; never reset between uses
  // Set by materialize() instead of throwing: rethrown by the serial output stage, so the
  // error reported is the first one in *input* order, not the first in time.
  std::exception_ptr error;
};

class ProfileSource {
 public:
  virtual ~ProfileSource() = default;
  // Serial, in input order. Fill what materialize() needs; return false at end of input.
  virtual bool read(Batch& b) = 0;
  // Parallel (const: many batches at once). Produce b.profiles. Default: nothing to do.
  virtual void materialize(Batch& b) const { (void)b; }
  // Rows (or bytes, see progress_in_bytes) expected in total, 0 = unknown; for progress.
  virtual std::uint64_t size_hint() const { return 0; }
  virtual bool progress_in_bytes() const { return false; }
  // True when rows carry the generator's true fake share (synthetic data).
  virtual bool has_truth() const { return false; }
  // Profile columns this source never fills (an import without that column): writers leave
  // them out of the output instead of storing a column of missing values.
  virtual std::vector<Column> absent_columns() const { return {}; }
  virtual std::string describe() const = 0;
  // Rows in the whole input, known before reading (0 = not known up front).
  virtual std::uint64_t rows_known() const { return 0; }
  // Reads only rows [begin, end) of the input (one rank's share of a distributed run, with
  // rows_known() rows in all); false when this source cannot.
  virtual bool select_rows(std::uint64_t begin, std::uint64_t end) {
    (void)begin;
    (void)end;
    return false;
  }
};

class BatchSink {
 public:
  virtual ~BatchSink() = default;
  // Serial, in input order.
  virtual void consume(const Batch& b) = 0;
};

struct PipelineOptions {
  std::size_t tokens = 0;  // batches in flight; 0 = 4 x the arena's concurrency
  bool score = true;       // run score_chunk in the parallel stage
  const ScoringConfig* scoring = nullptr;
  const AuditedShares* audited = nullptr;
  bool progress = false;  // progress bar on stderr (only shown on a terminal, after 1 s)
};

struct PipelineStats {
  std::uint64_t batches = 0;
  std::uint64_t rows = 0;       // rows that reached the sinks
  std::uint64_t rows_read = 0;  // rows read, including rejected ones
  std::uint64_t rejected = 0;
  double seconds = 0.0;
};

// Runs the pipeline in the current task arena (scope the thread count with
// tbb::global_control). Exceptions from any stage propagate to the caller; SIGINT/SIGTERM
// stop it with Interrupted.
PipelineStats run_pipeline(ProfileSource& source, const std::vector<BatchSink*>& sinks,
                           const PipelineOptions& opt);

// Synthetic rows [0, count) generated in batches of batch_rows.
class GeneratorSource : public ProfileSource {
 public:
  GeneratorSource(std::uint64_t seed, std::uint64_t count, std::size_t batch_rows,
                  const GeneratorConfig& gen, const ScoringConfig& scoring);
  bool read(Batch& b) override;
  void materialize(Batch& b) const override;
  std::uint64_t size_hint() const override { return count_; }
  bool has_truth() const override { return true; }
  std::string describe() const override;
  std::uint64_t rows_known() const override { return count_; }
  bool select_rows(std::uint64_t begin, std::uint64_t end) override;

 private:
  std::uint64_t seed_, count_, next_ = 0, end_;
  std::size_t batch_rows_;
  GeneratorConfig gen_;
  ScoringConfig scoring_;
};

// Rows of /profiles in an HDF5 profiles or scores file.
class Hdf5Source : public ProfileSource {
 public:
  Hdf5Source(const std::string& path, std::size_t batch_rows);
  ~Hdf5Source() override;
  bool read(Batch& b) override;
  std::uint64_t size_hint() const override;
  bool has_truth() const override;
  std::string describe() const override { return path_; }
  std::uint64_t rows_known() const override { return size_hint(); }
  bool select_rows(std::uint64_t begin, std::uint64_t end) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string path_;
  std::size_t batch_rows_;
  std::uint64_t end_ = ~std::uint64_t{0};
};

// Keeps every row (profiles and scores) that passes `keep` in memory: candidate pools for the
// simulator, small imports. Not for unbounded inputs.
class CollectSink : public BatchSink {
 public:
  using Filter = std::function<bool(const ProfileChunk&, const ScoreChunk&, std::size_t)>;
  explicit CollectSink(Filter keep = nullptr) : keep_(std::move(keep)) {}
  void consume(const Batch& b) override;
  ProfileChunk profiles;
  ScoreChunk scores;

 private:
  Filter keep_;
};

}  // namespace microreach
