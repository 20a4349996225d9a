#pragma once
// The small HDF5 wrapper under every microreach file (models: OpenMC's hdf5_interface and
// HighFive's wrapped calls). Only src/io/ includes <hdf5.h>; this header hides it: an HDF5
// identifier travels as h5::Id (the same 64-bit integer as hid_t, checked where <hdf5.h> is
// included) and is owned by an h5::Handle. The file layouts built on it live next to it, one
// header per file kind: io/profiles.hpp, io/campaign.hpp, io/sweep.hpp, io/audit.hpp.
//
// Every file starts with the provenance attributes (filetype, format_version,
// microreach_version, git_sha, created, seed, config, command); readers check filetype and
// version first and say what is wrong. Layout: docs/hdf5-layout.md; the io layer: docs/io.md.
#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "microreach/cancel.hpp"

namespace microreach::h5 {

// An HDF5 identifier (hid_t). Negative = invalid.
using Id = std::int64_t;

inline constexpr const char* kFiletypeProfiles = "microreach.profiles";
inline constexpr const char* kFiletypeScores = "microreach.scores";
inline constexpr const char* kFiletypeCampaign = "microreach.campaign";
inline constexpr const char* kFiletypeSweep = "microreach.sweep";
inline constexpr const char* kFiletypeAudit = "microreach.audit";
// File format versions [major, minor] (minor = additions only). Profiles and scores files are
// written in format 2 (text without the variable-length string heap; score files refer to
// their input); campaign, sweep and audit files stay format 1. Readers accept majors
// kFormatMajorOldest..format_major_for(filetype).
inline constexpr int kFormatMajor = 2;
inline constexpr int kFormatMinor = 0;
inline constexpr int kFormatMajorOldest = 1;
// The format major written (and the newest read) for a filetype.
int format_major_for(const std::string& filetype);

// Held by every io entry point a pipeline stage calls (a reader's read, a writer's append, the
// parallel writer's consume): the input stage reads while the output stage writes, and the HDF5
// library of an MPI build (libhdf5-openmpi) is not thread-safe. Recursive: an entry point may
// call another. Uncontended, it costs one atomic operation a batch.
class LibraryLock {
 public:
  LibraryLock();

 private:
  std::unique_lock<std::recursive_mutex> lock_;
};

// RAII handle for any identifier (file, group, dataset, dataspace, type, property list).
class Handle {
 public:
  Handle() = default;
  explicit Handle(Id id) : id_(id) {}
  ~Handle() { reset(); }
  Handle(Handle&& o) noexcept : id_(o.id_) { o.id_ = kInvalid; }
  Handle& operator=(Handle&& o) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Id get() const { return id_; }
  explicit operator bool() const { return id_ >= 0; }
  void reset();
  // Gives up ownership without closing (after an explicit H5Fclose, say).
  Id release() {
    const Id id = id_;
    id_ = kInvalid;
    return id;
  }

 private:
  static constexpr Id kInvalid = -1;
  Id id_ = kInvalid;
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
  Id id() const { return h_.get(); }
  const std::string& path() const { return path_; }
  std::string filetype() const;
  // The format major version of an opened file (0 for a file being written).
  int format_major() const { return major_; }
  void close();  // flush and close (errors reported); the destructor closes silently

 private:
  Handle h_;
  std::string path_;
  int major_ = 0;
};

// An output's free-space check: refuse up front (ConfigError naming `option` and `value`) when
// at least min_bytes would be written and the destination's file system has less free.
struct SpaceNeeded {
  std::uint64_t min_bytes = 0;
  std::string option, value;
};

// Writes the HDF5 file `path` all or nothing, as every command does: the file is created under a
// temporary name beside it (AtomicOutput: devices, directories and unwritable places are refused
// naming `option`), stamped with `prov`, filled by fill(File&), closed, and only then renamed
// over `path`. On any exception the temporary file is removed and `path` is left as it was.
template <class Fill>
void write_file_atomically(const std::string& path, const Provenance& prov, Fill&& fill,
                           const SpaceNeeded& space = {}, const std::string& option = "--out") {
  AtomicOutput out(path, option);
  if (space.min_bytes > 0) out.require_space(space.min_bytes, space.option, space.value);
  {
    File file = File::create(out.temp_path(), prov);
    fill(file);
    file.close();
  }
  out.commit();
}

// --- attributes ---
void write_attr(Id obj, const char* name, std::string_view value);
void write_attr(Id obj, const char* name, double value);
void write_attr(Id obj, const char* name, std::int64_t value);
void write_attr(Id obj, const char* name, std::uint64_t value);
void write_attr(Id obj, const char* name, const std::vector<int>& value);
void write_attr(Id obj, const char* name, const std::vector<std::string>& value);
// Many scalar attributes at once: write_attrs(obj, {{"rows", n}, {"source", path}}). An int
// or a bool is ambiguous here on purpose: say which integer type the file should hold.
using AttrValue = std::variant<double, std::int64_t, std::uint64_t, std::string_view>;
struct NamedAttr {
  const char* name;
  AttrValue value;
};
void write_attrs(Id obj, std::initializer_list<NamedAttr> attrs);
bool has_attr(Id obj, const char* name);
std::string read_attr_string(Id obj, const char* name);
double read_attr_double(Id obj, const char* name);
std::vector<int> read_attr_ints(Id obj, const char* name);
std::vector<std::string> read_attr_strings(Id obj, const char* name);

// --- groups and datasets ---
Handle ensure_group(Id loc, const std::string& path);  // creates intermediate groups
bool exists(Id loc, const std::string& path);

// Compression of chunked numeric columns, each with a byte shuffle first: gzip (HDF5's own
// deflate), LZ4 (filter plugin 32004, Debian hdf5-filter-plugin) or Zstd (through the Blosc
// filter plugin 32001, Debian hdf5-filter-plugin-blosc-serial). A reader of an lz4/zstd file
// needs the plugin too (h5py on Debian finds it; docs/hdf5-layout.md).
struct Compression {
  enum class Codec : std::uint8_t { none, gzip, lz4, zstd };
  Codec codec = Codec::none;
  int level = 0;  // gzip 1-9, zstd 1-9; lz4 has none
  Compression() = default;
  // A gzip level, 0 = none (implicit: ColumnOptions{rows, 6} reads as before).
  Compression(int gzip_level)  // NOLINT(google-explicit-constructor)
      : codec(gzip_level > 0 ? Codec::gzip : Codec::none), level(gzip_level > 0 ? gzip_level : 0) {}
  Compression(Codec c, int l) : codec(c), level(l) {}
  explicit operator bool() const { return codec != Codec::none; }
  // "none", a gzip level "0".."9" (0 = none), "gzip[:1-9]", "lz4", "zstd[:1-9]". Throws
  // ConfigError naming `option` for any other text, and for lz4/zstd when this HDF5 library
  // cannot load the codec's plugin.
  static Compression parse(const std::string& option, const std::string& text);
  std::string str() const;  // the text parse() reads back
};

struct ColumnOptions {
  std::size_t chunk_rows = 65536;
  Compression compress;
};

// Appends rows to a 1-D extendible chunked dataset. T: double, float, std::uint8_t,
// std::uint16_t, std::uint32_t, std::uint64_t, std::int64_t, std::string (UTF-8, variable length).
template <class T>
class ColumnWriter {
 public:
  ColumnWriter(Id loc, const std::string& path, std::string_view units,
               std::string_view description, const ColumnOptions& opt);
  // Continues an existing 1-D dataset `path` after its current last row.
  ColumnWriter(Id loc, const std::string& path);
  void append(const T* data, std::size_t n);
  void append(const std::vector<T>& v) { append(v.data(), v.size()); }
  std::uint64_t rows() const { return rows_; }
  Id id() const { return ds_.get(); }

 private:
  Handle ds_, type_;
  std::uint64_t rows_ = 0;
};

// Whole-dataset write/read helpers (small tables: summaries, hired lists, per-trial tables).
template <class T>
void write_dataset(Id loc, const std::string& path, const std::vector<T>& v,
                   std::string_view units = "", std::string_view description = "");
template <class T>
std::vector<T> read_dataset(Id loc, const std::string& path, const std::string& file_for_errors);
// Length of a 1-D dataset; throws InputError (naming file and dataset) if absent or not 1-D.
std::uint64_t dataset_length(Id loc, const std::string& path, const std::string& file);
// Reads rows [first, first+n) of a 1-D dataset into out (resized to n).
template <class T>
void read_rows(Id loc, const std::string& path, std::uint64_t first, std::size_t n,
               std::vector<T>& out, const std::string& file_for_errors);

// Dimension scales (HDF5 high-level library) so netCDF readers (xarray with h5netcdf) see named
// dimensions: creates `dataset_path` as a dimension without values of length `length` (netCDF's
// "dimension but not a variable": chunked, nothing stored) and attaches it to axis 0 of each
// dataset in `attach`. Returns the scale's identifier owner; grow it with extend_dimension.
Handle create_dimension(Id loc, const std::string& dataset_path, std::uint64_t length,
                        const std::vector<Id>& attach);
void extend_dimension(Id scale, std::uint64_t length);

// Categorical columns store a code and carry an attribute `categories` listing the names
// (code i = categories[i]; 255 = unknown).
void write_categories(Id ds, const std::vector<std::string>& names);

// --- n-dimensional datasets ---
// Marks an axis of DatasetShape::max_dims that may grow without bound (needs chunking).
inline constexpr std::uint64_t kUnlimited = ~std::uint64_t{0};

struct DatasetShape {
  std::vector<std::uint64_t> dims;      // current extent, row-major
  std::vector<std::uint64_t> max_dims;  // empty = dims (fixed size)
  std::vector<std::uint64_t> chunk;     // empty = contiguous storage
  Compression compress;                 // chunked datasets only
};

// A block of a dataset: `count` elements from `start` along every axis. Empty = all of it.
// A process writing its share of a dataset (one MPI rank's rows, say) passes its block.
struct Slab {
  std::vector<std::uint64_t> start, count;
};

// A dataset of any rank. T: double, float, std::uint8_t, std::uint16_t, std::uint32_t,
// std::uint64_t, std::int64_t, std::string (UTF-8, variable length); data is row-major.
class Dataset {
 public:
  // Creates `path` (and missing groups) under loc.
  template <class T>
  static Dataset create(Id loc, const std::string& path, const DatasetShape& shape);
  // Opens an existing dataset; a missing or damaged one is an InputError naming `file`.
  static Dataset open(Id loc, const std::string& path, const std::string& file);
  std::vector<std::uint64_t> dims() const;
  void extend(const std::vector<std::uint64_t>& dims);  // within max_dims
  // Writes / reads the elements of `slab` (all when empty), data holding the block row-major.
  template <class T>
  void write(const T* data, const Slab& slab = {});
  template <class T>
  void read(T* data, const Slab& slab = {}) const;
  // The `units` and `description` attributes (each written when not empty).
  void describe(std::string_view units, std::string_view description);
  Id id() const { return ds_.get(); }
  const std::string& path() const { return path_; }

 private:
  Handle ds_;
  std::string path_, file_;
};

}  // namespace microreach::h5
