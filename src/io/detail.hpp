#pragma once
// Internal to src/io/: the checked HDF5 calls shared by the io sources (error reporting,
// native types, dataset creation, opening and typed reads). Only files under src/io/ include
// this header, and with it <hdf5.h>.
#include <hdf5.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <string>
#include <type_traits>
#include <vector>

#include "microreach/error.hpp"
#include "microreach/fault_guard.hpp"
#include "microreach/io/hdf5.hpp"

namespace microreach::h5::detail {
static_assert(std::is_same_v<hid_t, Id>, "h5::Id must be the type of an HDF5 identifier");

// HDF5 prints its own error stack by default; we report errors ourselves, with context.
// Debian's libhdf5 is built thread-safe, where that setting is per thread: the pipeline's
// writer and reader stages run on TBB worker threads, so every entry point that may run there
// silences its thread (once per thread, a thread_local test afterwards).
inline void silence_hdf5() {
  thread_local const bool once = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)once;
}

[[noreturn]] inline void fail(const std::string& what) {
  throw Error("HDF5: " + what);
}

inline hid_t check(hid_t id, const std::string& what) {
  if (id < 0) fail(what);
  return id;
}
inline void check(herr_t rc, const std::string& what, int) {
  if (rc < 0) fail(what);
}

inline Handle utf8_string_type() {
  Handle t(check(H5Tcopy(H5T_C_S1), "copy string type"));
  check(H5Tset_size(t.get(), H5T_VARIABLE), "set string size", 0);
  check(H5Tset_cset(t.get(), H5T_CSET_UTF8), "set UTF-8", 0);
  return t;
}

template <class T>
hid_t native_type() {
  if constexpr (std::is_same_v<T, double>)
    return H5T_NATIVE_DOUBLE;
  else if constexpr (std::is_same_v<T, float>)
    return H5T_NATIVE_FLOAT;
  else if constexpr (std::is_same_v<T, std::uint8_t>)
    return H5T_NATIVE_UINT8;
  else if constexpr (std::is_same_v<T, std::uint16_t>)
    return H5T_NATIVE_UINT16;
  else if constexpr (std::is_same_v<T, std::uint32_t>)
    return H5T_NATIVE_UINT32;
  else if constexpr (std::is_same_v<T, std::uint64_t>)
    return H5T_NATIVE_UINT64;
  else if constexpr (std::is_same_v<T, std::int64_t>)
    return H5T_NATIVE_INT64;
  else if constexpr (std::is_same_v<T, std::int32_t>)
    return H5T_NATIVE_INT32;
  else
    static_assert(sizeof(T) == 0, "unsupported HDF5 column type");
}

template <class T>
const char* type_name() {
  if constexpr (std::is_same_v<T, std::string>)
    return "a string";
  else if constexpr (std::is_floating_point_v<T>)
    return "a floating-point number";
  else
    return "an integer";
}

inline std::string parent_of(const std::string& path) {
  const auto pos = path.rfind('/');
  return pos == std::string::npos || pos == 0 ? std::string() : path.substr(0, pos);
}

// The filter plugins --compress writes with (registered HDF5 filter ids), for the writer's
// check and the reader's message when HDF5 cannot load one.
struct PluginFilter {
  H5Z_filter_t id;
  const char* codec;    // the --compress value that writes it
  const char* filter;   // what the filter is
  const char* package;  // the Debian package with the plugin for the serial HDF5 library
};
inline constexpr PluginFilter kLz4Plugin{32004, "lz4", "the LZ4 filter plugin",
                                         "hdf5-filter-plugin"};
// Blosc, used for Zstd (Blosc's compressor code 5, BLOSC_ZSTD_COMPCODE, with its byte shuffle).
inline constexpr PluginFilter kBloscPlugin{32001, "zstd", "the Blosc filter plugin",
                                           "hdf5-filter-plugin-blosc-serial"};
inline const PluginFilter* known_plugin(H5Z_filter_t id) {
  return id == kLz4Plugin.id ? &kLz4Plugin : id == kBloscPlugin.id ? &kBloscPlugin : nullptr;
}
// "<filter> (HDF5 filter <id>; Debian package <package>)".
inline std::string describe_plugin(const PluginFilter& p) {
  return std::string(p.filter) + " (HDF5 filter " + std::to_string(p.id) + "; Debian package " +
         p.package + ", for the serial HDF5 library" +
#ifdef H5_HAVE_PARALLEL
         // Debian ships the plugins for the serial library only; loading one into the MPI
         // library's process would load a second HDF5.
         ": this microreach is built with the MPI HDF5 library, for which Debian has no filter "
         "plugins, so use gzip here, or a build without -DMICROREACH_MPI" +
#endif
         ")";
}

// Adds the shuffle and compression filters of `c` to a chunked dataset's creation list.
void set_compression(hid_t dcpl, const Compression& c, hid_t type, const std::string& path);

inline Handle create_chunked(hid_t loc, const std::string& path, hid_t type, std::size_t chunk_rows,
                             const Compression& compress, hsize_t initial_rows) {
  const std::string parent = parent_of(path);
  Handle group;
  if (!parent.empty()) group = ensure_group(loc, parent);
  hsize_t dims[1] = {initial_rows};
  hsize_t maxdims[1] = {H5S_UNLIMITED};
  Handle space(check(H5Screate_simple(1, dims, maxdims), "create dataspace for " + path));
  Handle dcpl(check(H5Pcreate(H5P_DATASET_CREATE), "create property list"));
  hsize_t chunk[1] = {static_cast<hsize_t>(chunk_rows > 0 ? chunk_rows : 1)};
  check(H5Pset_chunk(dcpl.get(), 1, chunk), "set chunk size for " + path, 0);
  set_compression(dcpl.get(), compress, type, path);
  Handle lcpl(check(H5Pcreate(H5P_LINK_CREATE), "create link property list"));
  check(H5Pset_create_intermediate_group(lcpl.get(), 1), "set intermediate groups", 0);
  return Handle(
      check(H5Dcreate2(loc, path.c_str(), type, space.get(), lcpl.get(), dcpl.get(), H5P_DEFAULT),
            "create dataset " + path));
}

inline void describe(hid_t ds, std::string_view units, std::string_view description) {
  if (!units.empty()) write_attr(ds, "units", units);
  if (!description.empty()) write_attr(ds, "description", description);
}

inline std::string iso_now() {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

[[noreturn]] inline void bad_input(const std::string& file, const std::string& msg) {
  throw InputError(file, 0, 0, msg);
}

inline Handle open_dataset(hid_t loc, const std::string& path, const std::string& file) {
  if (!exists(loc, path))
    bad_input(file, "dataset '" + path +
                        "' is missing (the file is incomplete or was not written by this version "
                        "of microreach)");
  const InputFaultScope guard(file, "dataset '" + path + "'");
  Handle ds(H5Dopen2(loc, path.c_str(), H5P_DEFAULT));
  if (!ds)
    bad_input(file, "dataset '" + path +
                        "' cannot be opened: its header is damaged (expected an intact file "
                        "written by microreach)");
  return ds;
}

// The documented limit on the rows of one dataset a reader accepts (2^40, about 10^12).
inline constexpr std::uint64_t kMaxDatasetRows = std::uint64_t{1} << 40;
// A compressed chunk may stand for at most this many times its stored bytes (gzip's limit is
// about 1032; Blosc with LZ4/Zstd on constant columns reaches ~255 per block plus headers).
inline constexpr std::uint64_t kMaxCompressionRatio = 4096;

// Before a dataset of `len` elements is read: every filter in its pipeline is available
// (otherwise "unsupported filter NAME (id N)"), its declared length is within the limit, and
// the storage actually allocated in the file can hold it (a sparse file declaring 10^10 rows
// with no chunk written is refused up front instead of read as fill values without end).
inline void check_readable(hid_t ds, const std::string& path, const std::string& file,
                           std::uint64_t len) {
  if (len > kMaxDatasetRows)
    bad_input(file, "dataset '" + path + "' declares " + std::to_string(len) +
                        " elements; at most " + std::to_string(kMaxDatasetRows) +
                        " are read (the file is damaged or not written by microreach)");
  Handle dcpl(check(H5Dget_create_plist(ds), "get creation properties of " + path));
  const int nfilters = H5Pget_nfilters(dcpl.get());
  bool filtered = false;
  for (int i = 0; i < nfilters; ++i) {
    unsigned flags = 0;
    std::size_t nvalues = 0;
    char name[128] = "";
    const H5Z_filter_t id = H5Pget_filter2(dcpl.get(), static_cast<unsigned>(i), &flags, &nvalues,
                                           nullptr, sizeof name, name, nullptr);
    if (id < 0) bad_input(file, "dataset '" + path + "' has a damaged filter pipeline");
    filtered = filtered || id != H5Z_FILTER_SHUFFLE;
    if (H5Zfilter_avail(id) <= 0) {
      std::string shown(name, strnlen(name, sizeof name));
      if (shown.empty()) shown = "without a name";
      const PluginFilter* known = known_plugin(id);
      bad_input(file, "unsupported filter '" + shown + "' (id " + std::to_string(id) +
                          ") on dataset '" + path + "': this HDF5 library cannot decode it (" +
                          (known ? "--compress " + std::string(known->codec) + " needs " +
                                       describe_plugin(*known)
                                 : std::string("install the filter's HDF5 plugin")) +
                          ", or set HDF5_PLUGIN_PATH to its directory; or rewrite the file with "
                          "gzip or without compression)");
    }
  }
  if (len == 0) return;
  Handle t(check(H5Dget_type(ds), "get type of " + path));
  const std::uint64_t elem = std::max<std::size_t>(1, H5Tget_size(t.get()));
  const std::uint64_t declared = len > ~std::uint64_t{0} / elem ? ~std::uint64_t{0} : len * elem;
  const std::uint64_t stored = H5Dget_storage_size(ds);
  if (H5Tis_variable_str(t.get()) > 0) return;  // format 1 text: bytes live in the heap
  const bool fits = filtered ? declared / kMaxCompressionRatio <= stored : declared <= stored;
  if (!fits)
    bad_input(file, "dataset '" + path + "' declares " + std::to_string(len) + " elements (" +
                        std::to_string(declared) + " bytes) but only " + std::to_string(stored) +
                        " bytes are stored in the file (a sparse or damaged file; expected "
                        "every row written)");
}

template <class T>
void check_type(hid_t ds, const std::string& path, const std::string& file) {
  Handle t(check(H5Dget_type(ds), "get type of " + path));
  const H5T_class_t cls = H5Tget_class(t.get());
  bool good;
  if constexpr (std::is_same_v<T, std::string>)
    good = cls == H5T_STRING;
  else if constexpr (std::is_floating_point_v<T>)
    good = cls == H5T_FLOAT || cls == H5T_INTEGER;
  else
    good = cls == H5T_INTEGER;
  if (!good)
    bad_input(file, "dataset '" + path + "' has the wrong type: expected " + type_name<T>());
}

template <class T>
void read_numbers(hid_t ds, hid_t memspace, hid_t filespace, T* out, const std::string& path,
                  const std::string& file) {
  const InputFaultScope guard(file, "dataset '" + path + "'");
  if (H5Dread(ds, native_type<T>(), memspace, filespace, H5P_DEFAULT, out) < 0)
    bad_input(file, "cannot read dataset '" + path + "' (the file may be truncated or corrupt)");
}

inline void read_strings(hid_t ds, hid_t memspace, hid_t filespace, std::string* out, std::size_t n,
                         const std::string& path, const std::string& file) {
  const InputFaultScope guard(file, "dataset '" + path + "'");
  Handle ft(check(H5Dget_type(ds), "get type of " + path));
  if (H5Tis_variable_str(ft.get()) > 0) {
    Handle mt = utf8_string_type();
    std::vector<char*> buf(n, nullptr);
    if (H5Dread(ds, mt.get(), memspace, filespace, H5P_DEFAULT, buf.data()) < 0) {
      // A read that failed part-way may have allocated some strings already.
      H5Dvlen_reclaim(mt.get(), memspace, H5P_DEFAULT, buf.data());
      bad_input(file, "cannot read dataset '" + path + "' (the file may be truncated or corrupt)");
    }
    for (std::size_t i = 0; i < n; ++i) out[i] = buf[i] ? buf[i] : "";
    H5Dvlen_reclaim(mt.get(), memspace, H5P_DEFAULT, buf.data());
  } else {
    const std::size_t sz = H5Tget_size(ft.get());
    Handle mt(check(H5Tcopy(H5T_C_S1), "copy type"));
    H5Tset_size(mt.get(), sz);
    std::vector<char> buf(n * sz);
    if (H5Dread(ds, mt.get(), memspace, filespace, H5P_DEFAULT, buf.data()) < 0)
      bad_input(file, "cannot read dataset '" + path + "' (the file may be truncated or corrupt)");
    for (std::size_t i = 0; i < n; ++i) {
      const char* p = buf.data() + i * sz;
      std::size_t len = 0;
      while (len < sz && p[len]) ++len;
      out[i].assign(p, len);
    }
  }
}

// Reads rows [first, first+n) of an open 1-D dataset (type already checked).
template <class T>
void read_open_rows(hid_t ds, const std::string& path, std::uint64_t first, std::size_t n,
                    std::vector<T>& out, const std::string& file) {
  Handle fs(check(H5Dget_space(ds), "get dataspace"));
  if (H5Sget_simple_extent_ndims(fs.get()) != 1)
    bad_input(file, "dataset '" + path + "' should be one-dimensional");
  hsize_t dims[1] = {0};
  H5Sget_simple_extent_dims(fs.get(), dims, nullptr);
  if (first + n > dims[0])
    bad_input(file, "dataset '" + path + "' has " + std::to_string(dims[0]) +
                        " rows, expected at least " + std::to_string(first + n));
  out.resize(n);
  if (n == 0) return;
  hsize_t start[1] = {first}, count[1] = {n};
  check(H5Sselect_hyperslab(fs.get(), H5S_SELECT_SET, start, nullptr, count, nullptr),
        "select rows", 0);
  Handle ms(check(H5Screate_simple(1, count, nullptr), "memory space"));
  if constexpr (std::is_same_v<T, std::string>) {
    read_strings(ds, ms.get(), fs.get(), out.data(), n, path, file);
  } else {
    read_numbers<T>(ds, ms.get(), fs.get(), out.data(), path, file);
  }
}

}  // namespace microreach::h5::detail
