#pragma once
// The one module that talks to HDF5 (cf. OpenMC's hdf5_interface). Every file we write starts
// with the provenance attributes (filetype, format_version, microreach_version, git_sha,
// created, seed, config, command); readers check filetype and version first and say what is
// wrong. Layout: docs/hdf5-layout.md.
#include <hdf5.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "microreach/pipeline.hpp"
#include "microreach/profile.hpp"
#include "microreach/scoring.hpp"

namespace microreach::h5 {

inline constexpr const char* kFiletypeProfiles = "microreach.profiles";
inline constexpr const char* kFiletypeScores = "microreach.scores";
inline constexpr const char* kFiletypeCampaign = "microreach.campaign";
inline constexpr const char* kFiletypeSweep = "microreach.sweep";
inline constexpr const char* kFiletypeAudit = "microreach.audit";
// One format version for all filetypes (bumped together; minor = additions only).
inline constexpr int kFormatMajor = 1;
inline constexpr int kFormatMinor = 0;

// RAII handle for any hid_t (file, group, dataset, dataspace, type, property list).
class Handle {
 public:
  Handle() = default;
  explicit Handle(hid_t id) : id_(id) {}
  ~Handle() { reset(); }
  Handle(Handle&& o) noexcept : id_(o.id_) { o.id_ = H5I_INVALID_HID; }
  Handle& operator=(Handle&& o) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t get() const { return id_; }
  explicit operator bool() const { return id_ >= 0; }
  void reset();
  // Gives up ownership without closing (after an explicit H5Fclose, say).
  hid_t release() {
    const hid_t id = id_;
    id_ = H5I_INVALID_HID;
    return id;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
};

struct Provenance {
  std::string filetype;
  std::uint64_t seed = 0;
  std::string config;   // configuration as text (TOML-like)
  std::string command;  // the command line that made the file
};

class File {
 public:
  // Create (truncating) a file for writing; call on AtomicOutput::temp_path().
  static File create(const std::string& path, const Provenance& prov);
  // Open for reading; throws InputError naming the file if it is missing, unreadable, not
  // HDF5, or its filetype is not one of `accepted`, or its format version is not readable.
  static File open(const std::string& path, const std::vector<std::string>& accepted);
  hid_t id() const { return h_.get(); }
  const std::string& path() const { return path_; }
  std::string filetype() const;
  void close();  // flush and close (errors reported); the destructor closes silently

 private:
  Handle h_;
  std::string path_;
};

// --- attributes ---
void write_attr(hid_t obj, const char* name, std::string_view value);
void write_attr(hid_t obj, const char* name, double value);
void write_attr(hid_t obj, const char* name, std::int64_t value);
void write_attr(hid_t obj, const char* name, std::uint64_t value);
void write_attr(hid_t obj, const char* name, const std::vector<int>& value);
void write_attr(hid_t obj, const char* name, const std::vector<std::string>& value);
bool has_attr(hid_t obj, const char* name);
std::string read_attr_string(hid_t obj, const char* name);
double read_attr_double(hid_t obj, const char* name);
std::vector<int> read_attr_ints(hid_t obj, const char* name);
std::vector<std::string> read_attr_strings(hid_t obj, const char* name);

// --- groups and datasets ---
Handle ensure_group(hid_t loc, const std::string& path);  // creates intermediate groups
bool exists(hid_t loc, const std::string& path);

struct ColumnOptions {
  std::size_t chunk_rows = 65536;
  int deflate = 0;  // 0 = no compression, 1-9 gzip level
};

// Appends rows to a 1-D extendible chunked dataset. T: double, float, std::uint8_t,
// std::uint16_t, std::uint32_t, std::uint64_t, std::int64_t, std::string (UTF-8, variable length).
template <class T>
class ColumnWriter {
 public:
  ColumnWriter(hid_t loc, const std::string& path, std::string_view units,
               std::string_view description, const ColumnOptions& opt);
  void append(const T* data, std::size_t n);
  void append(const std::vector<T>& v) { append(v.data(), v.size()); }
  std::uint64_t rows() const { return rows_; }
  hid_t id() const { return ds_.get(); }

 private:
  Handle ds_, type_;
  std::uint64_t rows_ = 0;
};

// Whole-dataset write/read helpers (small tables: summaries, hired lists, per-trial tables).
template <class T>
void write_dataset(hid_t loc, const std::string& path, const std::vector<T>& v,
                   std::string_view units = "", std::string_view description = "");
template <class T>
std::vector<T> read_dataset(hid_t loc, const std::string& path, const std::string& file_for_errors);
// Length of a 1-D dataset; throws InputError (naming file and dataset) if absent or not 1-D.
std::uint64_t dataset_length(hid_t loc, const std::string& path, const std::string& file);
// Reads rows [first, first+n) of a 1-D dataset into out (resized to n).
template <class T>
void read_rows(hid_t loc, const std::string& path, std::uint64_t first, std::size_t n,
               std::vector<T>& out, const std::string& file_for_errors);

// Categorical columns store a code and carry an attribute `categories` listing the names
// (code i = categories[i]; 255 = unknown).
void write_categories(hid_t ds, const std::vector<std::string>& names);

// --- profile and score tables ---
class ProfileWriter {
 public:
  // `omit`: columns the input does not have; they are not written (a reader reads an absent
  // column as missing). followers is always written.
  ProfileWriter(hid_t file, const ColumnOptions& opt, bool with_truth,
                const std::vector<Column>& omit = {});
  void append(const ProfileChunk& c);
  std::uint64_t rows() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

class ScoreWriter {
 public:
  ScoreWriter(hid_t file, const ColumnOptions& opt);
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
  TableSink(hid_t file, const ColumnOptions& opt, bool scores, bool with_truth,
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
