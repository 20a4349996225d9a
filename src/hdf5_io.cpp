#include "microreach/hdf5_io.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <type_traits>

#include "microreach/build_info.hpp"
#include "microreach/error.hpp"
#include "microreach/fault_guard.hpp"

namespace microreach::h5 {
namespace {

// HDF5 prints its own error stack by default; we report errors ourselves, with context.
// Debian's libhdf5 is built thread-safe, where that setting is per thread: the pipeline's
// writer and reader stages run on TBB worker threads, so every entry point that may run there
// silences its thread (once per thread, a thread_local test afterwards).
void silence_hdf5() {
  thread_local const bool once = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)once;
}

[[noreturn]] void fail(const std::string& what) {
  throw Error("HDF5: " + what);
}

hid_t check(hid_t id, const std::string& what) {
  if (id < 0) fail(what);
  return id;
}
void check(herr_t rc, const std::string& what, int) {
  if (rc < 0) fail(what);
}

Handle utf8_string_type() {
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

std::string parent_of(const std::string& path) {
  const auto pos = path.rfind('/');
  return pos == std::string::npos || pos == 0 ? std::string() : path.substr(0, pos);
}

Handle create_chunked(hid_t loc, const std::string& path, hid_t type, std::size_t chunk_rows,
                      int deflate, hsize_t initial_rows) {
  const std::string parent = parent_of(path);
  Handle group;
  if (!parent.empty()) group = ensure_group(loc, parent);
  hsize_t dims[1] = {initial_rows};
  hsize_t maxdims[1] = {H5S_UNLIMITED};
  Handle space(check(H5Screate_simple(1, dims, maxdims), "create dataspace for " + path));
  Handle dcpl(check(H5Pcreate(H5P_DATASET_CREATE), "create property list"));
  hsize_t chunk[1] = {static_cast<hsize_t>(chunk_rows > 0 ? chunk_rows : 1)};
  check(H5Pset_chunk(dcpl.get(), 1, chunk), "set chunk size for " + path, 0);
  if (deflate > 0) {
    check(H5Pset_shuffle(dcpl.get()), "set shuffle for " + path, 0);
    check(H5Pset_deflate(dcpl.get(), static_cast<unsigned>(deflate)), "set deflate for " + path, 0);
  }
  Handle lcpl(check(H5Pcreate(H5P_LINK_CREATE), "create link property list"));
  check(H5Pset_create_intermediate_group(lcpl.get(), 1), "set intermediate groups", 0);
  return Handle(
      check(H5Dcreate2(loc, path.c_str(), type, space.get(), lcpl.get(), dcpl.get(), H5P_DEFAULT),
            "create dataset " + path));
}

void describe(hid_t ds, std::string_view units, std::string_view description) {
  if (!units.empty()) write_attr(ds, "units", units);
  if (!description.empty()) write_attr(ds, "description", description);
}

std::string iso_now() {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

[[noreturn]] void bad_input(const std::string& file, const std::string& msg) {
  throw InputError(file, 0, 0, msg);
}

Handle open_dataset(hid_t loc, const std::string& path, const std::string& file) {
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

void read_strings(hid_t ds, hid_t memspace, hid_t filespace, std::string* out, std::size_t n,
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

}  // namespace

// ---------------------------------------------------------------- Handle
Handle& Handle::operator=(Handle&& o) noexcept {
  if (this != &o) {
    reset();
    id_ = o.id_;
    o.id_ = H5I_INVALID_HID;
  }
  return *this;
}

void Handle::reset() {
  silence_hdf5();
  if (id_ >= 0 && H5Iis_valid(id_) > 0) H5Idec_ref(id_);
  id_ = H5I_INVALID_HID;
}

// ---------------------------------------------------------------- File
File File::create(const std::string& path, const Provenance& prov) {
  silence_hdf5();
  File f;
  f.path_ = path;
  // HDF5 1.10 file format: extensible-array chunk indexes make appending to unlimited
  // datasets much cheaper than the 1.8 B-tree. Readable by HDF5 >= 1.10 (h5py, pandas,
  // h5dump on any current distribution).
  Handle fapl(check(H5Pcreate(H5P_FILE_ACCESS), "create file access property list"));
  check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V110, H5F_LIBVER_V110),
        "set library version bounds", 0);
  f.h_ = Handle(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()));
  if (!f.h_)
    throw Error("cannot create HDF5 file '" + path + "' (check the directory and free space)");
  const hid_t root = f.id();
  write_attr(root, "filetype", prov.filetype);
  write_attr(root, "format_version", std::vector<int>{kFormatMajor, kFormatMinor});
  write_attr(root, "microreach_version", build::kVersion);
  write_attr(root, "git_sha", build::kGitSha);
  write_attr(root, "created", iso_now());
  write_attr(root, "seed", prov.seed);
  write_attr(root, "config", prov.config);
  write_attr(root, "command", prov.command);
  return f;
}

File File::open(const std::string& path, const std::vector<std::string>& accepted) {
  silence_hdf5();
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) bad_input(path, "no such file");
  if (fs::is_directory(path, ec)) bad_input(path, "is a directory, expected an HDF5 file");
  if (FILE* fp = std::fopen(path.c_str(), "rb")) {
    std::fclose(fp);
  } else {
    bad_input(path, "cannot be read (permission denied?)");
  }
  if (H5Fis_hdf5(path.c_str()) <= 0)
    bad_input(path, "is not an HDF5 file (or is truncated); expected a file written by microreach");
  File f;
  f.path_ = path;
  note_untrusted_input(path);
  const InputFaultScope guard(path, "the file structure");
  f.h_ = Handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!f.h_) bad_input(path, "cannot be opened as HDF5 (truncated or corrupt?)");
  std::string list;
  for (const auto& a : accepted) list += (list.empty() ? "'" : ", '") + a + "'";
  if (!has_attr(f.id(), "filetype"))
    bad_input(path, "has no 'filetype' attribute: not a microreach file (expected " + list + ")");
  std::string ft;
  try {
    ft = f.filetype();
  } catch (const Error&) {
    bad_input(path, "attribute 'filetype' is not a text string: not a microreach file (expected " +
                        list + ")");
  }
  bool ok = accepted.empty();
  for (const auto& a : accepted) ok = ok || a == ft;
  if (!ok) bad_input(path, "is a '" + ft + "' file; this command needs " + list);
  if (!has_attr(f.id(), "format_version"))
    bad_input(path, "has no 'format_version' attribute (expected [" + std::to_string(kFormatMajor) +
                        ", minor])");
  const auto v = read_attr_ints(f.id(), "format_version");
  if (v.size() != 2)
    bad_input(path, "attribute 'format_version' should hold two integers [major, minor]");
  if (v[0] != kFormatMajor)
    bad_input(path, "has format version " + std::to_string(v[0]) + "." + std::to_string(v[1]) +
                        "; this microreach reads version " + std::to_string(kFormatMajor) + ".x (" +
                        (v[0] > kFormatMajor ? "upgrade microreach" : "re-create the file") + ")");
  return f;
}

std::string File::filetype() const {
  return read_attr_string(id(), "filetype");
}

void File::close() {
  silence_hdf5();
  if (!h_) return;
  const hid_t id = h_.release();
  if (H5Fflush(id, H5F_SCOPE_GLOBAL) < 0 || H5Fclose(id) < 0)
    throw Error("cannot finish writing '" + path_ + "' (disk full or I/O error)");
}

// ---------------------------------------------------------------- attributes
namespace {
void replace_attr(hid_t obj, const char* name) {
  if (H5Aexists(obj, name) > 0) H5Adelete(obj, name);
}
}  // namespace

void write_attr(hid_t obj, const char* name, std::string_view value) {
  replace_attr(obj, name);
  Handle t = utf8_string_type();
  Handle space(check(H5Screate(H5S_SCALAR), "create scalar space"));
  Handle a(check(H5Acreate2(obj, name, t.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                 std::string("create attribute ") + name));
  const std::string s(value);
  const char* p = s.c_str();
  check(H5Awrite(a.get(), t.get(), &p), std::string("write attribute ") + name, 0);
}

template <class T>
static void write_scalar_attr(hid_t obj, const char* name, T value) {
  replace_attr(obj, name);
  Handle space(check(H5Screate(H5S_SCALAR), "create scalar space"));
  Handle a(check(H5Acreate2(obj, name, native_type<T>(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                 std::string("create attribute ") + name));
  check(H5Awrite(a.get(), native_type<T>(), &value), std::string("write attribute ") + name, 0);
}
void write_attr(hid_t obj, const char* name, double v) {
  write_scalar_attr(obj, name, v);
}
void write_attr(hid_t obj, const char* name, std::int64_t v) {
  write_scalar_attr(obj, name, v);
}
void write_attr(hid_t obj, const char* name, std::uint64_t v) {
  write_scalar_attr(obj, name, v);
}

void write_attr(hid_t obj, const char* name, const std::vector<int>& v) {
  replace_attr(obj, name);
  hsize_t dims[1] = {v.size()};
  Handle space(check(H5Screate_simple(1, dims, nullptr), "create space"));
  Handle a(check(H5Acreate2(obj, name, H5T_NATIVE_INT, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                 std::string("create attribute ") + name));
  check(H5Awrite(a.get(), H5T_NATIVE_INT, v.data()), std::string("write attribute ") + name, 0);
}

void write_attr(hid_t obj, const char* name, const std::vector<std::string>& v) {
  replace_attr(obj, name);
  Handle t = utf8_string_type();
  hsize_t dims[1] = {v.size()};
  Handle space(check(H5Screate_simple(1, dims, nullptr), "create space"));
  Handle a(check(H5Acreate2(obj, name, t.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                 std::string("create attribute ") + name));
  std::vector<const char*> ptrs;
  for (const auto& s : v) ptrs.push_back(s.c_str());
  check(H5Awrite(a.get(), t.get(), ptrs.data()), std::string("write attribute ") + name, 0);
}

bool has_attr(hid_t obj, const char* name) {
  return H5Aexists(obj, name) > 0;
}

std::vector<std::string> read_attr_strings(hid_t obj, const char* name) {
  Handle a(check(H5Aopen(obj, name, H5P_DEFAULT), std::string("open attribute ") + name));
  Handle ft(check(H5Aget_type(a.get()), "attribute type"));
  if (H5Tget_class(ft.get()) != H5T_STRING)
    throw Error(std::string("attribute '") + name + "' is not a string");
  Handle space(check(H5Aget_space(a.get()), "attribute space"));
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  std::vector<std::string> out(static_cast<std::size_t>(n));
  if (H5Tis_variable_str(ft.get()) > 0) {
    Handle mt = utf8_string_type();
    std::vector<char*> buf(out.size(), nullptr);
    check(H5Aread(a.get(), mt.get(), buf.data()), std::string("read attribute ") + name, 0);
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = buf[i] ? buf[i] : "";
    H5Dvlen_reclaim(mt.get(), space.get(), H5P_DEFAULT, buf.data());
  } else {
    const std::size_t sz = H5Tget_size(ft.get());
    std::vector<char> buf(out.size() * sz + 1, 0);
    Handle mt(check(H5Tcopy(H5T_C_S1), "copy type"));
    H5Tset_size(mt.get(), sz);
    check(H5Aread(a.get(), mt.get(), buf.data()), std::string("read attribute ") + name, 0);
    for (std::size_t i = 0; i < out.size(); ++i) {
      const char* p = buf.data() + i * sz;
      std::size_t len = 0;
      while (len < sz && p[len]) ++len;
      out[i].assign(p, len);
    }
  }
  return out;
}

std::string read_attr_string(hid_t obj, const char* name) {
  auto v = read_attr_strings(obj, name);
  return v.empty() ? std::string() : v.front();
}

double read_attr_double(hid_t obj, const char* name) {
  Handle a(check(H5Aopen(obj, name, H5P_DEFAULT), std::string("open attribute ") + name));
  double v = 0;
  check(H5Aread(a.get(), H5T_NATIVE_DOUBLE, &v), std::string("read attribute ") + name, 0);
  return v;
}

std::vector<int> read_attr_ints(hid_t obj, const char* name) {
  Handle a(check(H5Aopen(obj, name, H5P_DEFAULT), std::string("open attribute ") + name));
  Handle ft(check(H5Aget_type(a.get()), "attribute type"));
  if (H5Tget_class(ft.get()) != H5T_INTEGER) return {};
  Handle space(check(H5Aget_space(a.get()), "attribute space"));
  std::vector<int> v(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get())));
  check(H5Aread(a.get(), H5T_NATIVE_INT, v.data()), std::string("read attribute ") + name, 0);
  return v;
}

// ---------------------------------------------------------------- groups
Handle ensure_group(hid_t loc, const std::string& path) {
  silence_hdf5();
  if (exists(loc, path))
    return Handle(check(H5Gopen2(loc, path.c_str(), H5P_DEFAULT), "open group " + path));
  Handle lcpl(check(H5Pcreate(H5P_LINK_CREATE), "create link property list"));
  check(H5Pset_create_intermediate_group(lcpl.get(), 1), "set intermediate groups", 0);
  return Handle(check(H5Gcreate2(loc, path.c_str(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT),
                      "create group " + path));
}

bool exists(hid_t loc, const std::string& path) {
  // Check each component so a missing intermediate group is not an error.
  std::size_t pos = 0;
  while (true) {
    pos = path.find('/', pos + 1);
    const std::string prefix = path.substr(0, pos);
    if (!prefix.empty() && prefix != "/" && H5Lexists(loc, prefix.c_str(), H5P_DEFAULT) <= 0)
      return false;
    if (pos == std::string::npos) return true;
  }
}

// ---------------------------------------------------------------- columns
template <class T>
ColumnWriter<T>::ColumnWriter(hid_t loc, const std::string& path, std::string_view units,
                              std::string_view description, const ColumnOptions& opt) {
  if constexpr (std::is_same_v<T, std::string>)
    type_ = utf8_string_type();
  else
    type_ = Handle(check(H5Tcopy(native_type<T>()), "copy type"));
  // Variable-length strings cannot be compressed usefully; keep them uncompressed.
  const int deflate = std::is_same_v<T, std::string> ? 0 : opt.deflate;
  ds_ = create_chunked(loc, path, type_.get(), opt.chunk_rows, deflate, 0);
  describe(ds_.get(), units, description);
}

template <class T>
void ColumnWriter<T>::append(const T* data, std::size_t n) {
  silence_hdf5();
  if (n == 0) return;
  hsize_t newsize[1] = {rows_ + n};
  check(H5Dset_extent(ds_.get(), newsize), "extend dataset", 0);
  Handle fs(check(H5Dget_space(ds_.get()), "get dataspace"));
  hsize_t start[1] = {rows_}, count[1] = {n};
  check(H5Sselect_hyperslab(fs.get(), H5S_SELECT_SET, start, nullptr, count, nullptr),
        "select rows", 0);
  Handle ms(check(H5Screate_simple(1, count, nullptr), "memory space"));
  herr_t rc;
  errno = 0;
  if constexpr (std::is_same_v<T, std::string>) {
    std::vector<const char*> ptrs(n);
    for (std::size_t i = 0; i < n; ++i) ptrs[i] = data[i].c_str();
    rc = H5Dwrite(ds_.get(), type_.get(), ms.get(), fs.get(), H5P_DEFAULT, ptrs.data());
  } else {
    rc = H5Dwrite(ds_.get(), type_.get(), ms.get(), fs.get(), H5P_DEFAULT, data);
  }
  if (rc < 0) {
    const int e = errno;  // set by the failed write(2) underneath, if that is what failed
    char name[256] = "";
    char file[4096] = "";
    H5Iget_name(ds_.get(), name, sizeof name);
    H5Fget_name(ds_.get(), file, sizeof file);
    throw Error(std::string("cannot write dataset '") + name + "' to '" + file + "': " +
                (e == ENOSPC ? std::string("no space left on the disk (disk full)")
                 : e != 0    ? std::strerror(e) + std::string(" (disk full or I/O error?)")
                             : std::string("disk full or I/O error")));
  }
  rows_ += n;
}

template class ColumnWriter<double>;
template class ColumnWriter<float>;
template class ColumnWriter<std::uint8_t>;
template class ColumnWriter<std::uint16_t>;
template class ColumnWriter<std::uint32_t>;
template class ColumnWriter<std::uint64_t>;
template class ColumnWriter<std::int64_t>;
template class ColumnWriter<std::string>;

template <class T>
void write_dataset(hid_t loc, const std::string& path, const std::vector<T>& v,
                   std::string_view units, std::string_view description) {
  ColumnOptions opt;
  opt.chunk_rows = std::max<std::size_t>(1, std::min<std::size_t>(v.size(), 65536));
  ColumnWriter<T> w(loc, path, units, description, opt);
  w.append(v.data(), v.size());
}

std::uint64_t dataset_length(hid_t loc, const std::string& path, const std::string& file) {
  silence_hdf5();
  Handle ds = open_dataset(loc, path, file);
  Handle space(check(H5Dget_space(ds.get()), "get dataspace"));
  if (H5Sget_simple_extent_ndims(space.get()) != 1)
    bad_input(file, "dataset '" + path + "' should be one-dimensional");
  hsize_t dims[1] = {0};
  H5Sget_simple_extent_dims(space.get(), dims, nullptr);
  return dims[0];
}

namespace {
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
}  // namespace

template <class T>
void read_rows(hid_t loc, const std::string& path, std::uint64_t first, std::size_t n,
               std::vector<T>& out, const std::string& file) {
  silence_hdf5();
  Handle ds = open_dataset(loc, path, file);
  check_type<T>(ds.get(), path, file);
  read_open_rows(ds.get(), path, first, n, out, file);
}

template <class T>
std::vector<T> read_dataset(hid_t loc, const std::string& path, const std::string& file) {
  std::vector<T> v;
  read_rows(loc, path, 0, dataset_length(loc, path, file), v, file);
  return v;
}

#define MICROREACH_H5_INSTANTIATE(T)                                                \
  template void write_dataset<T>(hid_t, const std::string&, const std::vector<T>&,  \
                                 std::string_view, std::string_view);               \
  template void read_rows<T>(hid_t, const std::string&, std::uint64_t, std::size_t, \
                             std::vector<T>&, const std::string&);                  \
  template std::vector<T> read_dataset<T>(hid_t, const std::string&, const std::string&);
MICROREACH_H5_INSTANTIATE(double)
MICROREACH_H5_INSTANTIATE(float)
MICROREACH_H5_INSTANTIATE(std::uint8_t)
MICROREACH_H5_INSTANTIATE(std::uint16_t)
MICROREACH_H5_INSTANTIATE(std::uint32_t)
MICROREACH_H5_INSTANTIATE(std::uint64_t)
MICROREACH_H5_INSTANTIATE(std::int64_t)
MICROREACH_H5_INSTANTIATE(std::string)
#undef MICROREACH_H5_INSTANTIATE

void write_categories(hid_t ds, const std::vector<std::string>& names) {
  write_attr(ds, "categories", names);
  write_attr(ds, "missing_code", static_cast<std::int64_t>(kUnknown));
}

namespace {
template <std::size_t N>
std::vector<std::string> names_of(const std::array<std::string_view, N>& a) {
  return std::vector<std::string>(a.begin(), a.end());
}
}  // namespace

// ---------------------------------------------------------------- profiles
struct ProfileWriter::Impl {
  std::unique_ptr<ColumnWriter<std::uint64_t>> id;
  std::unique_ptr<ColumnWriter<std::string>> handle, country;
  std::unique_ptr<ColumnWriter<std::uint8_t>> platform, niche;
  std::vector<std::pair<Column, std::unique_ptr<ColumnWriter<double>>>> numeric;
  std::unique_ptr<ColumnWriter<double>> truth;
  std::uint64_t rows = 0;
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
  if (wanted(Column::handle))
    impl_->handle = std::make_unique<ColumnWriter<std::string>>(
        file, path(Column::handle), "", info(Column::handle).description, opt);
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
  if (wanted(Column::country))
    impl_->country = std::make_unique<ColumnWriter<std::string>>(
        file, path(Column::country), "", info(Column::country).description, opt);
  if (with_truth)
    impl_->truth = std::make_unique<ColumnWriter<double>>(
        file, "/profiles/true_fake_share", "1",
        "synthetic data only: the fake share the generator drew", opt);
  write_attr(ensure_group(file, "/profiles").get(), "missing_value",
             std::string_view("NaN in numeric columns; code 255 in categorical columns; empty "
                              "string in text columns; a column the input did not have is absent"));
}

void ProfileWriter::append(const ProfileChunk& c) {
  const std::size_t n = c.size();
  if (impl_->id) impl_->id->append(c.id.data(), n);
  if (impl_->handle) impl_->handle->append(c.handle.data(), n);
  if (impl_->platform) impl_->platform->append(c.platform.data(), n);
  if (impl_->niche) impl_->niche->append(c.niche.data(), n);
  for (auto& [col, w] : impl_->numeric) w->append(c.numeric(col)->data(), n);
  if (impl_->country) impl_->country->append(c.country.data(), n);
  if (impl_->truth) impl_->truth->append(c.true_fake_share.data(), n);
  impl_->rows += n;
}

std::uint64_t ProfileWriter::rows() const {
  return impl_->id->rows();
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
    {"benchmark_rate", "1", "benchmark like + comment rate at this size and platform",
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
}

void ScoreWriter::append(const ScoreChunk& c) {
  const std::size_t n = c.size();
  for (std::size_t k = 0; k < impl_->cols.size(); ++k)
    impl_->cols[k]->append((c.*kScoreCols[k].member).data(), n);
  impl_->tier->append(c.tier.data(), n);
  impl_->flags->append(c.flags.data(), n);
  impl_->missing->append(c.missing.data(), n);
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
  rows_ = dataset_length(file_.id(), "/profiles/followers", path);
  auto open_checked = [&](const std::string& p, auto tag) {
    using T = decltype(tag);
    const auto len = dataset_length(file_.id(), p, path);
    if (len != rows_)
      bad_input(path, "dataset '" + p + "' has " + std::to_string(len) +
                          " rows but /profiles/followers has " + std::to_string(rows_) +
                          " (the file is inconsistent)");
    Handle ds = open_dataset(file_.id(), p, path);
    check_type<T>(ds.get(), p, path);
    return ds;
  };
  for (std::size_t c = 0; c < kColumnCount; ++c) {
    const auto col = static_cast<Column>(c);
    const std::string p = "/profiles/" + std::string(column_info(col).name);
    if (!exists(file_.id(), p)) continue;
    Handle ds;
    switch (col) {
      case Column::id:
        ds = open_checked(p, std::uint64_t{});
        break;
      case Column::handle:
      case Column::country:
        ds = open_checked(p, std::string{});
        break;
      case Column::platform:
      case Column::niche:
        ds = open_checked(p, std::uint8_t{});
        break;
      default:
        ds = open_checked(p, double{});
        break;
    }
    present_.push_back(col);
    datasets_.push_back(std::move(ds));
  }
  if (exists(file_.id(), "/profiles/true_fake_share"))
    truth_ = open_checked("/profiles/true_fake_share", double{});
}

bool ProfileReader::read(ProfileChunk& c, std::size_t max_rows) {
  if (next_ >= rows_) return false;
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(max_rows, rows_ - next_));
  c.clear();
  c.resize(n);
  c.first_row = next_;
  const std::string& path = file_.path();
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
        read_open_rows(ds, p, next_, n, c.handle, path);
        break;
      case Column::country:
        read_open_rows(ds, p, next_, n, c.country, path);
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
