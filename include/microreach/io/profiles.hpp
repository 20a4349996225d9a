#pragma once
// Profiles and scores files (filetypes microreach.profiles and microreach.scores), layout in
// docs/hdf5-layout.md: the /profiles table (one dataset per column, categorical columns as
// codes) and the /scores table, written chunk by chunk and read back in row ranges.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "microreach/io/hdf5.hpp"
#include "microreach/pipeline.hpp"
#include "microreach/profile.hpp"
#include "microreach/scoring.hpp"

namespace microreach::h5 {

// --- profile and score tables ---
class ProfileWriter {
 public:
  // `omit`: columns the input does not have; they are not written (a reader reads an absent
  // column as missing). followers is always written.
  ProfileWriter(Id file, const ColumnOptions& opt, bool with_truth,
                const std::vector<Column>& omit = {});
  void append(const ProfileChunk& c);
  std::uint64_t rows() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

class ScoreWriter {
 public:
  ScoreWriter(Id file, const ColumnOptions& opt);
  void append(const ScoreChunk& c);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// Sequential reader of /profiles (from a profiles or a scores file).
class ProfileReader {
 public:
  explicit ProfileReader(const std::string& path);
  std::uint64_t rows() const { return rows_; }
  // Reads up to max_rows next rows into c; false when no row is left.
  bool read(ProfileChunk& c, std::size_t max_rows);
  // Next row read() returns; seek() moves it (one rank's share of a distributed run).
  std::uint64_t position() const { return next_; }
  void seek(std::uint64_t row) { next_ = row < rows_ ? row : rows_; }
  const File& file() const { return file_; }
  // Columns present in the file (the others read as missing).
  const std::vector<Column>& columns() const { return present_; }
  bool has_truth() const { return bool(truth_); }

 private:
  File file_;
  std::uint64_t rows_ = 0, next_ = 0;
  std::vector<Column> present_;
  std::vector<Handle> datasets_;  // open once, parallel to present_
  Handle truth_;
};

// Pipeline sink writing /profiles (and /scores when `scores`) of every batch, in order.
class TableSink : public BatchSink {
 public:
  TableSink(Id file, const ColumnOptions& opt, bool scores, bool with_truth,
            const std::vector<Column>& omit = {})
      : profiles_(file, opt, with_truth, omit) {
    if (scores) scores_ = std::make_unique<ScoreWriter>(file, opt);
  }
  void consume(const Batch& b) override {
    profiles_.append(b.profiles);
    if (scores_) scores_->append(b.scores);
  }
  std::uint64_t rows() const { return profiles_.rows(); }

 private:
  ProfileWriter profiles_;
  std::unique_ptr<ScoreWriter> scores_;
};

// Reads /scores of a scores file, rows [first, first+n).
void read_scores(const File& f, std::uint64_t first, std::size_t n, ScoreChunk& out);

}  // namespace microreach::h5
