#include "microreach/io/hdf5.hpp"

#include <cerrno>
#include <cstdio>
#include <filesystem>

#include <hdf5_hl.h>

#include "detail.hpp"
#include "microreach/build_info.hpp"
#include "microreach/profile.hpp"

namespace microreach::h5 {
using namespace detail;

// ---------------------------------------------------------------- Handle
Handle& Handle::operator=(Handle&& o) noexcept {
  if (this != &o) {
    reset();
    id_ = o.id_;
    o.id_ = H5I_INVALID_HID;
  }
  return *this;
}

Compression Compression::parse(const std::string& option, const std::string& text) {
  const std::string expected =
      "none, a gzip level 0-9, gzip[:1-9], lz4 or zstd[:1-9] (lz4 and zstd through HDF5 filter "
      "plugins)";
  auto level_of = [&](const std::string& digits) {
    if (digits.size() != 1 || digits[0] < '1' || digits[0] > '9')
      throw ConfigError(option, text, expected);
    return digits[0] - '0';
  };
  Compression c;
  const auto colon = text.find(':');
  const std::string name = text.substr(0, colon);
  const bool has_level = colon != std::string::npos;
  if (text == "none" || text == "0") return c;
  if (text.size() == 1 && text[0] >= '1' && text[0] <= '9') return {Codec::gzip, text[0] - '0'};
  if (name == "gzip") {
    c = {Codec::gzip, has_level ? level_of(text.substr(colon + 1)) : 6};
  } else if (name == "zstd") {
    c = {Codec::zstd, has_level ? level_of(text.substr(colon + 1)) : 3};
  } else if (name == "lz4" && !has_level) {
    c = {Codec::lz4, 0};
  } else {
    throw ConfigError(option, text, expected);
  }
  const PluginFilter* plugin = c.codec == Codec::lz4    ? &kLz4Plugin
                               : c.codec == Codec::zstd ? &kBloscPlugin
                                                        : nullptr;
  silence_hdf5();
  if (plugin && H5Zfilter_avail(plugin->id) <= 0)  // loads the plugin from HDF5's plugin path
    throw ConfigError(option, text,
                      "a codec this HDF5 library can load: " + name + " needs " +
                          describe_plugin(*plugin) +
                          ", not found in HDF5's plugin path (HDF5_PLUGIN_PATH); gzip needs none");
  return c;
}

std::string Compression::str() const {
  switch (codec) {
    case Codec::none:
      return "none";
    case Codec::gzip:
      return "gzip:" + std::to_string(level);
    case Codec::lz4:
      return "lz4";
    case Codec::zstd:
      return "zstd:" + std::to_string(level);
  }
  return "none";
}

void detail::set_compression(hid_t dcpl, const Compression& c, hid_t type,
                             const std::string& path) {
  if (!c) return;
  if (c.codec == Compression::Codec::zstd) {
    // Blosc's parameters: 0-3 are filled in by the filter (its version, the type size, the
    // chunk size); then the level, the shuffle (1 = byte shuffle) and the compressor.
    constexpr unsigned kZstdCode = 5;  // BLOSC_ZSTD_COMPCODE
    const unsigned cd[7] = {
        0, 0,        static_cast<unsigned>(H5Tget_size(type)), 0, static_cast<unsigned>(c.level),
        1, kZstdCode};
    check(H5Pset_filter(dcpl, kBloscPlugin.id, H5Z_FLAG_MANDATORY, 7, cd),
          "set the Blosc filter (" + c.str() + ") for " + path, 0);
    return;
  }
  check(H5Pset_shuffle(dcpl), "set shuffle for " + path, 0);
  if (c.codec == Compression::Codec::gzip) {
    check(H5Pset_deflate(dcpl, static_cast<unsigned>(c.level)), "set deflate for " + path, 0);
  } else {
    check(H5Pset_filter(dcpl, kLz4Plugin.id, H5Z_FLAG_MANDATORY, 0, nullptr),
          "set the LZ4 filter for " + path, 0);
  }
}

std::recursive_mutex& library_mutex() {
  static std::recursive_mutex m;
  return m;
}

LibraryLock::LibraryLock() : lock_(library_mutex()) {}

void Handle::reset() {
  silence_hdf5();
  if (id_ >= 0 && H5Iis_valid(id_) > 0) H5Idec_ref(id_);
  id_ = H5I_INVALID_HID;
}

// ---------------------------------------------------------------- File
int format_major_for(const std::string& filetype) {
  return filetype == kFiletypeProfiles || filetype == kFiletypeScores ? kFormatMajor : 1;
}

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
  write_attr(root, "format_version",
             std::vector<int>{format_major_for(prov.filetype), kFormatMinor});
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
  const int newest = format_major_for(ft);
  const std::string readable =
      newest == kFormatMajorOldest
          ? std::to_string(newest) + ".x"
          : std::to_string(kFormatMajorOldest) + ".x to " + std::to_string(newest) + ".x";
  if (!has_attr(f.id(), "format_version"))
    bad_input(path, "has no 'format_version' attribute (expected [major, minor], major " +
                        readable + ")");
  // Read as 64-bit integers so a huge stored value is quoted as stored, not clamped.
  std::vector<long long> v;
  {
    Handle a(H5Aopen(f.id(), "format_version", H5P_DEFAULT));
    Handle at(a ? H5Aget_type(a.get()) : -1);
    Handle sp(a ? H5Aget_space(a.get()) : -1);
    const hssize_t npts = sp ? H5Sget_simple_extent_npoints(sp.get()) : -1;
    if (at && H5Tget_class(at.get()) == H5T_INTEGER && npts >= 0 && npts <= 16) {
      v.resize(static_cast<std::size_t>(npts));
      if (npts > 0 && H5Aread(a.get(), H5T_NATIVE_LLONG, v.data()) < 0) v.clear();
    }
  }
  if (v.size() != 2)
    bad_input(path, "attribute 'format_version' should hold two integers [major, minor]");
  if (v[0] < kFormatMajorOldest || v[0] > newest)
    bad_input(path, "has format version " + std::to_string(v[0]) + "." + std::to_string(v[1]) +
                        "; this microreach reads " + ft + " files of version " + readable + " (" +
                        (v[0] > newest ? "upgrade microreach" : "re-create the file") + ")");
  f.major_ = static_cast<int>(v[0]);
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

void write_attrs(hid_t obj, std::initializer_list<NamedAttr> attrs) {
  for (const NamedAttr& a : attrs)
    std::visit([&](const auto& v) { write_attr(obj, a.name, v); }, a.value);
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
  const Compression compress = std::is_same_v<T, std::string> ? Compression{} : opt.compress;
  ds_ = create_chunked(loc, path, type_.get(), opt.chunk_rows, compress, 0);
  describe(ds_.get(), units, description);
}

template <class T>
ColumnWriter<T>::ColumnWriter(hid_t loc, const std::string& path) {
  if constexpr (std::is_same_v<T, std::string>)
    type_ = utf8_string_type();
  else
    type_ = Handle(check(H5Tcopy(native_type<T>()), "copy type"));
  ds_ = Handle(check(H5Dopen2(loc, path.c_str(), H5P_DEFAULT), "open dataset " + path));
  Handle fs(check(H5Dget_space(ds_.get()), "get dataspace"));
  hsize_t dims[1] = {0};
  if (H5Sget_simple_extent_ndims(fs.get()) != 1)
    throw Error("HDF5: dataset " + path + " is not 1-D");
  H5Sget_simple_extent_dims(fs.get(), dims, nullptr);
  rows_ = dims[0];
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

template <class T>
void read_rows(hid_t loc, const std::string& path, std::uint64_t first, std::size_t n,
               std::vector<T>& out, const std::string& file) {
  silence_hdf5();
  Handle ds = open_dataset(loc, path, file);
  check_type<T>(ds.get(), path, file);
  {
    Handle fs(check(H5Dget_space(ds.get()), "get dataspace"));
    const hssize_t len = H5Sget_simple_extent_npoints(fs.get());
    check_readable(ds.get(), path, file, len < 0 ? 0 : static_cast<std::uint64_t>(len));
  }
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

Handle create_dimension(Id loc, const std::string& dataset_path, std::uint64_t length,
                        const std::vector<Id>& attach) {
  silence_hdf5();
  Handle ds = create_chunked(loc, dataset_path, H5T_NATIVE_FLOAT, 65536, {}, length);
  // The netCDF-4 marker h5netcdf and netCDF-C read as "a dimension without a coordinate
  // variable"; the chunks are never written, so the scale takes no space.
  char name[80];
  std::snprintf(name, sizeof name, "This is a netCDF dimension but not a netCDF variable.%10llu",
                static_cast<unsigned long long>(length));
  check(H5DSset_scale(ds.get(), name), "make " + dataset_path + " a dimension scale", 0);
  for (const Id d : attach)
    check(H5DSattach_scale(d, ds.get(), 0), "attach dimension " + dataset_path, 0);
  return ds;
}

void extend_dimension(Id scale, std::uint64_t length) {
  silence_hdf5();
  hsize_t dims[1] = {length};
  check(H5Dset_extent(scale, dims), "extend a dimension scale", 0);
}

void write_categories(hid_t ds, const std::vector<std::string>& names) {
  write_attr(ds, "categories", names);
  write_attr(ds, "missing_code", static_cast<std::int64_t>(kUnknown));
}

}  // namespace microreach::h5

// ---------------------------------------------------------------- n-dimensional datasets
namespace microreach::h5 {
namespace {
std::vector<hsize_t> to_hsize(const std::vector<std::uint64_t>& v) {
  return std::vector<hsize_t>(v.begin(), v.end());
}

template <class T>
Handle memory_type() {
  if constexpr (std::is_same_v<T, std::string>)
    return utf8_string_type();
  else
    return Handle(check(H5Tcopy(native_type<T>()), "copy type"));
}

// File space with `slab` selected, and the memory space of the block.
std::pair<Handle, Handle> select(hid_t ds, const Slab& slab, const std::string& path) {
  Handle fs(check(H5Dget_space(ds), "get dataspace of " + path));
  if (slab.count.empty()) {
    Handle ms(check(H5Scopy(fs.get()), "copy dataspace of " + path));
    return {std::move(fs), std::move(ms)};
  }
  const int rank = H5Sget_simple_extent_ndims(fs.get());
  if (rank < 0 || slab.start.size() != static_cast<std::size_t>(rank) ||
      slab.count.size() != slab.start.size())
    fail("selection of " + path + " does not match its rank");
  const auto start = to_hsize(slab.start), count = to_hsize(slab.count);
  check(H5Sselect_hyperslab(fs.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
        "select block of " + path, 0);
  Handle ms(check(H5Screate_simple(rank, count.data(), nullptr), "memory space of " + path));
  return {std::move(fs), std::move(ms)};
}
}  // namespace

template <class T>
Dataset Dataset::create(Id loc, const std::string& path, const DatasetShape& shape) {
  silence_hdf5();
  const int rank = static_cast<int>(shape.dims.size());
  auto dims = to_hsize(shape.dims);
  std::vector<hsize_t> maxdims = shape.max_dims.empty() ? dims : to_hsize(shape.max_dims);
  for (auto& m : maxdims)
    if (m == kUnlimited) m = H5S_UNLIMITED;
  Handle space(
      check(H5Screate_simple(rank, dims.data(), maxdims.data()), "create dataspace for " + path));
  Handle dcpl(check(H5Pcreate(H5P_DATASET_CREATE), "create property list"));
  if (!shape.chunk.empty()) {
    const auto chunk = to_hsize(shape.chunk);
    check(H5Pset_chunk(dcpl.get(), rank, chunk.data()), "set chunk size for " + path, 0);
  }
  Handle type = memory_type<T>();
  if (!shape.chunk.empty()) set_compression(dcpl.get(), shape.compress, type.get(), path);
  Handle lcpl(check(H5Pcreate(H5P_LINK_CREATE), "create link property list"));
  check(H5Pset_create_intermediate_group(lcpl.get(), 1), "set intermediate groups", 0);
  Dataset d;
  d.path_ = path;
  d.ds_ = Handle(check(
      H5Dcreate2(loc, path.c_str(), type.get(), space.get(), lcpl.get(), dcpl.get(), H5P_DEFAULT),
      "create dataset " + path));
  return d;
}

Dataset Dataset::open(Id loc, const std::string& path, const std::string& file) {
  silence_hdf5();
  Dataset d;
  d.path_ = path;
  d.file_ = file;
  d.ds_ = open_dataset(loc, path, file);
  return d;
}

std::vector<std::uint64_t> Dataset::dims() const {
  Handle fs(check(H5Dget_space(ds_.get()), "get dataspace of " + path_));
  const int rank = H5Sget_simple_extent_ndims(fs.get());
  std::vector<hsize_t> d(static_cast<std::size_t>(std::max(rank, 0)));
  if (rank > 0) H5Sget_simple_extent_dims(fs.get(), d.data(), nullptr);
  return std::vector<std::uint64_t>(d.begin(), d.end());
}

void Dataset::extend(const std::vector<std::uint64_t>& dims) {
  const auto d = to_hsize(dims);
  check(H5Dset_extent(ds_.get(), d.data()), "extend dataset " + path_, 0);
}

template <class T>
void Dataset::write(const T* data, const Slab& slab) {
  silence_hdf5();
  auto [fs, ms] = select(ds_.get(), slab, path_);
  if (H5Sget_select_npoints(ms.get()) == 0) return;
  Handle type = memory_type<T>();
  if constexpr (std::is_same_v<T, std::string>) {
    std::vector<const char*> ptrs(static_cast<std::size_t>(H5Sget_select_npoints(ms.get())));
    for (std::size_t i = 0; i < ptrs.size(); ++i) ptrs[i] = data[i].c_str();
    check(H5Dwrite(ds_.get(), type.get(), ms.get(), fs.get(), H5P_DEFAULT, ptrs.data()),
          "cannot write " + path_, 0);
  } else {
    check(H5Dwrite(ds_.get(), type.get(), ms.get(), fs.get(), H5P_DEFAULT, data),
          "cannot write " + path_, 0);
  }
}

template <class T>
void Dataset::read(T* data, const Slab& slab) const {
  silence_hdf5();
  check_type<T>(ds_.get(), path_, file_);
  auto [fs, ms] = select(ds_.get(), slab, path_);
  const auto n = static_cast<std::size_t>(H5Sget_select_npoints(ms.get()));
  if (n == 0) return;
  if constexpr (std::is_same_v<T, std::string>)
    read_strings(ds_.get(), ms.get(), fs.get(), data, n, path_, file_);
  else
    read_numbers<T>(ds_.get(), ms.get(), fs.get(), data, path_, file_);
}

void Dataset::describe(std::string_view units, std::string_view description) {
  detail::describe(ds_.get(), units, description);
}

#define MICROREACH_H5_DATASET(T)                                                    \
  template Dataset Dataset::create<T>(Id, const std::string&, const DatasetShape&); \
  template void Dataset::write<T>(const T*, const Slab&);                           \
  template void Dataset::read<T>(T*, const Slab&) const;
MICROREACH_H5_DATASET(double)
MICROREACH_H5_DATASET(float)
MICROREACH_H5_DATASET(std::uint8_t)
MICROREACH_H5_DATASET(std::uint16_t)
MICROREACH_H5_DATASET(std::uint32_t)
MICROREACH_H5_DATASET(std::uint64_t)
MICROREACH_H5_DATASET(std::int64_t)
MICROREACH_H5_DATASET(std::string)
#undef MICROREACH_H5_DATASET

}  // namespace microreach::h5
