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

  // A distributed run writes the numeric columns of a file this writer laid out in parallel,
  // then the text columns (handle bytes + offsets, country codes + dictionary) in row order
  // through this: a writer continuing the still empty text columns of `file`.
  static ProfileWriter continue_text(Id file);
  // Appends the next n rows of the text columns (either pointer null when not written).
  void append_text(const std::string* handle, const std::string* country, std::size_t n);

 private:
  struct Impl;
  explicit ProfileWriter(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
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

// A checksum of profile rows as read (every column of ProfileChunk, the generator's truth
// excluded), independent of how the rows are split into chunks and of the file format that
// held them. A scores file that refers to its input records it; readers following the
// reference recompute it and refuse a changed input.
class ProfileChecksum {
 public:
  void add(const ProfileChunk& c);
  std::string hex() const;  // "mr64:" + 16 hex digits
  std::uint64_t rows() const { return rows_; }

 private:
  std::vector<std::uint64_t> h_;
  std::uint64_t rows_ = 0;
};

// True when `path` is an HDF5 profiles file (filetype microreach.profiles) a scores file can
// refer to instead of copying its rows.
bool is_profiles_file(const std::string& path);

// Sequential reader of /profiles: from a profiles file, a self-contained scores file, or the
// profiles file a scores file refers to (checked against the recorded row count and checksum
// before the first row is returned).
class ProfileReader {
 public:
  explicit ProfileReader(const std::string& path);
  std::uint64_t rows() const { return rows_; }
  // Reads up to max_rows next rows into c; false when no row is left.
  bool read(ProfileChunk& c, std::size_t max_rows);
  // Next row read() returns; seek() moves it (one rank's share of a distributed run).
  std::uint64_t position() const { return next_; }
  void seek(std::uint64_t row) { next_ = row < rows_ ? row : rows_; }
  // The file opened (a scores file: read /scores from it with read_scores).
  const File& file() const { return file_; }
  // The file holding /profiles: file(), or the profiles file a scores file refers to.
  const File& data_file() const { return data_ ? *data_ : file_; }
  // Columns present in the file (the others read as missing).
  const std::vector<Column>& columns() const { return present_; }
  bool has_truth() const { return bool(truth_); }

 private:
  void open_columns();
  void follow_reference();
  File file_;
  std::unique_ptr<File> data_;  // the referenced profiles file, when file_ refers to one
  std::uint64_t rows_ = 0, next_ = 0;
  std::vector<Column> present_;
  std::vector<Handle> datasets_;  // open once, parallel to present_
  Handle truth_;
  // Format 2 text columns: handle bytes + offsets, country codes + their dictionary.
  Handle handle_offsets_;
  std::vector<std::string> country_names_;
};

// Records in a scores file being written that its profiles are the rows of another file
// (root attributes profiles_file, profiles_file_absolute, profiles_rows, profiles_checksum;
// docs/hdf5-layout.md), updated with every batch so the file is complete whenever it closes.
class ProfileReference {
 public:
  // `file`: the scores file, created at `file_path`; `input`: the profiles file scored.
  ProfileReference(Id file, const std::string& file_path, const std::string& input);
  void append(const ProfileChunk& c);
  std::uint64_t rows() const { return sum_.rows(); }

 private:
  Id file_;
  ProfileChecksum sum_;
};

// Pipeline sink writing /profiles (and /scores when `scores`) of every batch, in order. With
// `reference` (the input profiles file) a scores file refers to it instead of copying /profiles.
class TableSink : public BatchSink {
 public:
  TableSink(Id file, const ColumnOptions& opt, bool scores, bool with_truth,
            const std::vector<Column>& omit = {}, const std::string& file_path = {},
            const std::string& reference = {}) {
    if (reference.empty())
      profiles_ = std::make_unique<ProfileWriter>(file, opt, with_truth, omit);
    else
      reference_ = std::make_unique<ProfileReference>(file, file_path, reference);
    if (scores) scores_ = std::make_unique<ScoreWriter>(file, opt);
  }
  void consume(const Batch& b) override {
    if (profiles_) profiles_->append(b.profiles);
    if (reference_) reference_->append(b.profiles);
    if (scores_) scores_->append(b.scores);
  }
  std::uint64_t rows() const { return profiles_ ? profiles_->rows() : reference_->rows(); }

 private:
  std::unique_ptr<ProfileWriter> profiles_;
  std::unique_ptr<ProfileReference> reference_;
  std::unique_ptr<ScoreWriter> scores_;
};

// Reads /scores of a scores file, rows [first, first+n).
void read_scores(const File& f, std::uint64_t first, std::size_t n, ScoreChunk& out);

}  // namespace microreach::h5
