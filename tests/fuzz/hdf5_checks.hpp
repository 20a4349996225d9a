#pragma once
// One fuzz input through the HDF5 input path (h5::File::open, ProfileReader, read_scores, then
// scoring), shared by the libFuzzer target fuzz_hdf5.cpp and the regression test that replays
// tests/data/fuzz_corpus/fuzz_hdf5 (tests/test_fuzz_replay.cpp).
//
// Structure-aware: the input bytes choose how to build a small HDF5 file through the HDF5 C API
// - filetype and format_version attributes (absent, wrong type, wrong length, any value), which
// profile and score datasets exist, their type (float, integer, fixed or variable string, the
// format-2 handle bytes + offsets and country dictionary codes), rank, length and contents
// (NaN, infinities, huge or negative numbers, out-of-range codes, falling offsets) - and the
// file is then read the way `score --in` and `export` read it. Byte-level damage of the file
// format itself is not fuzzed in-process: HDF5 1.10.8 crashes inside its own parser on such
// files (a library bug the CLI contains, see fault_guard.hpp); tests/cli/robust_hdf5.sh sweeps
// damaged copies through the CLI instead.
// Invariants: only microreach::Error subclasses escape (never another exception, never a
// crash or sanitizer report); a file that is accepted reads back exactly rows() rows.
#include <hdf5.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <limits>
#include <string>
#include <vector>

#include "microreach/config.hpp"
#include "microreach/error.hpp"
#include "microreach/io/profiles.hpp"
#include "microreach/profile.hpp"
#include "microreach/scoring.hpp"

namespace microreach::fuzz {

[[noreturn]] inline void hdf5_broken(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz invariant broken: %s: %s\n", what, detail.c_str());
  std::abort();
}

// Reads the fuzz input as a stream of choices; past the end every choice is 0.
class Bytes {
 public:
  Bytes(const std::uint8_t* d, std::size_t n) : d_(d), n_(n) {}
  std::uint8_t u8() { return i_ < n_ ? d_[i_++] : 0; }
  std::uint32_t u32() {
    std::uint32_t v = 0;
    for (int k = 0; k < 4; ++k) v = (v << 8) | u8();
    return v;
  }
  double number() {
    switch (u8() % 8) {
      case 0:
        return std::numeric_limits<double>::quiet_NaN();
      case 1:
        return (u8() & 1 ? -1 : 1) * std::numeric_limits<double>::infinity();
      case 2:
        return -static_cast<double>(u32());
      case 3:
        return static_cast<double>(u32()) * 1e9;
      case 4: {
        std::uint64_t bits = (static_cast<std::uint64_t>(u32()) << 32) | u32();
        double v;
        std::memcpy(&v, &bits, sizeof v);
        return v;
      }
      default:
        return static_cast<double>(u32() % 2000000) / 100.0;
    }
  }
  std::string text(std::size_t max) {
    const std::size_t len = u8() % (max + 1);
    std::string s;
    for (std::size_t k = 0; k < len; ++k) s.push_back(static_cast<char>(u8()));
    return s;
  }

 private:
  const std::uint8_t* d_;
  std::size_t n_, i_ = 0;
};

inline void put_string_attr(hid_t obj, const char* name, const std::string& v, bool variable) {
  const hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, variable ? H5T_VARIABLE : std::max<std::size_t>(v.size(), 1));
  const hid_t sp = H5Screate(H5S_SCALAR);
  const hid_t a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
  if (variable) {
    const char* p = v.c_str();
    H5Awrite(a, t, &p);
  } else {
    std::string padded = v;
    padded.resize(std::max<std::size_t>(v.size(), 1), '\0');
    H5Awrite(a, t, padded.data());
  }
  H5Aclose(a);
  H5Sclose(sp);
  H5Tclose(t);
}

// A dataset of `n` rows (or n x 2) at `path` whose type the input chooses.
inline void put_dataset(hid_t file, const std::string& path, std::size_t n, Bytes& in) {
  // 0 double, 1 int64, 2 uint8, 3 vlen str, 4 fixed str, 5 float, 6 uint64 offsets (format-2
  // handle_offsets: growing, now and then falling or jumping), 7 uint16 dictionary codes with a
  // `categories` attribute (format-2 country)
  const std::uint8_t kind = in.u8() % 8;
  const bool two_d = in.u8() % 16 == 0;
  hsize_t dims[2] = {n, 2};
  const hid_t sp = H5Screate_simple(two_d ? 2 : 1, dims, nullptr);
  const hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  const std::size_t cells = n * (two_d ? 2 : 1);
  hid_t t = -1, ds = -1;
  if (kind == 0 || kind == 5) {
    std::vector<double> v(cells);
    for (auto& x : v) x = in.number();
    t = H5Tcopy(kind == 0 ? H5T_IEEE_F64LE : H5T_IEEE_F32LE);
    ds = H5Dcreate2(file, path.c_str(), t, sp, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
  } else if (kind == 1 || kind == 2) {
    std::vector<std::int64_t> v(cells);
    for (auto& x : v) x = static_cast<std::int64_t>(in.u32()) - (in.u8() % 4 == 0 ? 1LL << 31 : 0);
    t = H5Tcopy(kind == 1 ? H5T_STD_I64LE : H5T_STD_U8LE);
    ds = H5Dcreate2(file, path.c_str(), t, sp, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(ds, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
  } else if (kind == 6) {
    std::vector<std::uint64_t> v(cells);
    std::uint64_t at = 0;
    for (auto& x : v) {
      const std::uint8_t step = in.u8();
      if (step == 255)
        at = (static_cast<std::uint64_t>(in.u32()) << 32) | in.u32();  // a jump anywhere
      else if (step == 254 && at > 0)
        at -= 1;  // falling
      else
        at += step % 24;
      x = at;
    }
    t = H5Tcopy(H5T_STD_U64LE);
    ds = H5Dcreate2(file, path.c_str(), t, sp, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(ds, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
  } else if (kind == 7) {
    std::vector<std::uint16_t> v(cells);
    for (auto& x : v) x = in.u8() == 0 ? 0xFFFF : in.u8() % 12;
    t = H5Tcopy(H5T_STD_U16LE);
    ds = H5Dcreate2(file, path.c_str(), t, sp, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(ds, H5T_NATIVE_UINT16, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
    const std::uint8_t cats = in.u8() % 12;
    if (cats < 10) {
      std::vector<std::string> names(cats);
      for (auto& n : names) n = in.text(4);
      if (!names.empty()) h5::write_attr(ds, "categories", names);
    } else if (cats == 10) {
      h5::write_attr(ds, "categories", static_cast<std::int64_t>(in.u32()));  // wrong type
    }
  } else {
    std::vector<std::string> v(cells);
    for (auto& s : v) s = in.text(12);
    t = H5Tcopy(H5T_C_S1);
    if (kind == 3) {
      H5Tset_size(t, H5T_VARIABLE);
      std::vector<const char*> p;
      for (const auto& s : v) p.push_back(s.c_str());
      ds = H5Dcreate2(file, path.c_str(), t, sp, lcpl, H5P_DEFAULT, H5P_DEFAULT);
      H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, p.data());
    } else {
      H5Tset_size(t, 8);
      std::vector<char> buf(cells * 8, '\0');
      for (std::size_t k = 0; k < cells; ++k)
        std::memcpy(&buf[k * 8], v[k].data(), std::min<std::size_t>(8, v[k].size()));
      ds = H5Dcreate2(file, path.c_str(), t, sp, lcpl, H5P_DEFAULT, H5P_DEFAULT);
      H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data());
    }
  }
  if (ds >= 0) H5Dclose(ds);
  if (t >= 0) H5Tclose(t);
  H5Pclose(lcpl);
  H5Sclose(sp);
}

// Builds the file the input describes at `path`.
inline void build_file(const std::string& path, Bytes& in) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  const hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f < 0) hdf5_broken("cannot create the scratch file", path);
  // filetype
  static const char* kTypes[] = {h5::kFiletypeProfiles, h5::kFiletypeScores, h5::kFiletypeCampaign,
                                 ""};
  const std::uint8_t ft = in.u8() % 8;
  if (ft < 4)
    put_string_attr(f, "filetype", kTypes[ft], in.u8() & 1);
  else if (ft < 6)
    put_string_attr(f, "filetype", in.text(24), ft == 4);
  else if (ft == 6)
    h5::write_attr(f, "filetype", static_cast<std::int64_t>(in.u32()));
  // format_version
  const std::uint8_t fv = in.u8() % 8;
  if (fv < 5) {
    std::vector<int> v(fv == 4 ? in.u8() % 4 : 2);
    for (auto& x : v) x = static_cast<int>(in.u8() % 4) - 1;
    // mostly readable versions: the newest (2: byte-buffer text) or the oldest (1: strings)
    if (fv < 3 && v.size() == 2) v[0] = in.u8() & 1 ? h5::kFormatMajorOldest : h5::kFormatMajor;
    if (!v.empty()) h5::write_attr(f, "format_version", v);
  } else if (fv == 5) {
    put_string_attr(f, "format_version", in.text(6), true);
  } else if (fv == 6) {
    h5::write_attr(f, "format_version", in.number());
  }
  // datasets
  const std::size_t n = in.u8() % 40;
  static const char* kProfileCols[] = {
      "followers",       "avg_likes",    "avg_comments",  "handle",         "platform",
      "niche",           "id",           "country",       "price_per_post", "fake_follower_share",
      "true_fake_share", "handle_bytes", "handle_offsets"};
  static const char* kScoreCols[] = {"score", "tier", "flags", "missing", "engagement", "price"};
  if (in.u8() % 16 == 0) {
    put_dataset(f, "/profiles", n, in);  // a dataset where a group belongs
  } else {
    for (const char* c : kProfileCols) {
      if (in.u8() % 4 == 0) continue;  // absent
      const std::size_t len = in.u8() % 8 == 0 ? in.u8() % 40 : n;
      put_dataset(f, std::string("/profiles/") + c, len, in);
    }
  }
  for (const char* c : kScoreCols) {
    if (in.u8() % 3 == 0) continue;
    const std::size_t len = in.u8() % 8 == 0 ? in.u8() % 40 : n;
    put_dataset(f, std::string("/scores/") + c, len, in);
  }
  H5Fclose(f);
}

inline void fuzz_hdf5_one(const std::uint8_t* data, std::size_t size) {
  static int counter = 0;
  const std::string path = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") +
                           "/microreach-fuzz-hdf5-" + std::to_string(::getpid()) + "-" +
                           std::to_string(counter++ % 4) + ".h5";
  Bytes in(data, size);
  build_file(path, in);
  try {
    h5::ProfileReader reader(path);
    ProfileChunk chunk;
    ScoreChunk scores;
    const ScoringConfig cfg;
    std::uint64_t seen = 0;
    const std::size_t batch = 1 + in.u8() % 16;
    while (reader.read(chunk, batch)) {
      if (chunk.size() == 0 || chunk.size() > batch)
        hdf5_broken("ProfileReader::read returned a bad chunk size", std::to_string(chunk.size()));
      score_chunk(chunk, cfg, scores, nullptr);
      if (scores.size() != chunk.size()) hdf5_broken("score_chunk size", "");
      seen += chunk.size();
    }
    if (seen != reader.rows())
      hdf5_broken("rows read differ from rows()",
                  std::to_string(seen) + " vs " + std::to_string(reader.rows()));
    if (reader.file().filetype() == h5::kFiletypeScores && reader.rows() > 0)
      h5::read_scores(reader.file(), 0, static_cast<std::size_t>(reader.rows()), scores);
  } catch (const Error&) {
    // refused with a message: the expected outcome for most inputs
  } catch (const std::exception& e) {
    hdf5_broken("a non-microreach exception escaped the HDF5 input path", e.what());
  }
  std::remove(path.c_str());
}

}  // namespace microreach::fuzz
