// Profiles/scores tables written by every rank into its own rows with parallel HDF5.
// The three steps are described in include/microreach/parallel_table.hpp.
#include "microreach/io/parallel_table.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <vector>

#include <unistd.h>

#include "detail.hpp"
#include "microreach/cancel.hpp"
#include "microreach/dist.hpp"
#include "microreach/error.hpp"
#include "microreach/io/hdf5.hpp"
#include "microreach/io/profiles.hpp"

namespace microreach::h5 {
namespace {

[[noreturn]] void hdf5_failed(const std::string& what) {
  throw Error("HDF5: " + what);
}
hid_t checked(hid_t id, const std::string& what) {
  if (id < 0) hdf5_failed(what);
  return id;
}
void checked_rc(herr_t rc, const std::string& what) {
  if (rc < 0) hdf5_failed(what);
}

// Names of the datasets in group `group` of `file` ("" when the group is absent).
std::vector<std::string> datasets_in(hid_t file, const char* group) {
  std::vector<std::string> out;
  if (H5Lexists(file, group, H5P_DEFAULT) <= 0) return out;
  Handle g(checked(H5Gopen2(file, group, H5P_DEFAULT), std::string("open group ") + group));
  H5G_info_t info;
  checked_rc(H5Gget_info(g.get(), &info), std::string("list group ") + group);
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t len =
        H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (len < 0) hdf5_failed(std::string("list group ") + group);
    std::string name(static_cast<std::size_t>(len), '\0');
    H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size() + 1,
                       H5P_DEFAULT);
    out.push_back(std::string(group) + "/" + name);
  }
  return out;
}

std::vector<std::string> table_datasets(hid_t file) {
  std::vector<std::string> all = datasets_in(file, "/profiles");
  for (std::string& s : datasets_in(file, "/scores")) all.push_back(std::move(s));
  return all;
}

// Datasets whose length is not the row count, written in row order after the numeric columns
// (ProfileWriter::continue_text): the handle bytes and offsets with their dimension scales, and
// the country codes (their dictionary grows in order of first appearance).
bool is_text_dataset(const std::string& path) {
  return path == "/profiles/handle_bytes" || path == "/profiles/handle_offsets" ||
         path == "/profiles/handle_byte" || path == "/profiles/handle_offset" ||
         path == "/profiles/country";
}

}  // namespace

void record_profiles_reference(const std::string& file, const std::string& profiles,
                               std::size_t chunk_rows) {
  Handle f(H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
  if (!f) throw Error("cannot reopen HDF5 file '" + file + "' to record its profiles file");
  {
    ProfileReference ref(f.get(), file, profiles);
    ProfileReader in(profiles);
    ProfileChunk c;
    while (in.read(c, chunk_rows)) {
      ref.append(c);
      throw_if_cancelled();
    }
  }
  if (H5Fclose(f.release()) < 0) throw Error("cannot close '" + file + "'");
}

void size_tables(Id file, std::uint64_t rows) {
  for (const std::string& path : table_datasets(file)) {
    if (is_text_dataset(path)) continue;
    Handle ds(checked(H5Dopen2(file, path.c_str(), H5P_DEFAULT), "open dataset " + path));
    hsize_t dims[1] = {rows};
    checked_rc(H5Dset_extent(ds.get(), dims), "size dataset " + path);
  }
}

#if defined(MICROREACH_HAVE_MPI) && defined(H5_HAVE_PARALLEL)

namespace {

// Dimension scales of the row axis: sized, never written (they store no values).
bool is_row_dimension(const std::string& path) {
  return path == "/profiles/row" || path == "/scores/row";
}

// Where a batch keeps the values of one dataset of the file.
struct ColumnRef {
  std::string path;
  hid_t mem_type = H5I_INVALID_HID;  // a native type (not owned); invalid for text
  std::function<const void*(const Batch&)> data;
  std::function<const std::vector<std::string>*(const Batch&)> text;
  Handle ds;
};

const std::vector<std::pair<const char*, std::vector<double> ScoreChunk::*>>& score_doubles() {
  static const std::vector<std::pair<const char*, std::vector<double> ScoreChunk::*>> v = {
      {"score", &ScoreChunk::score},
      {"engagement", &ScoreChunk::engagement},
      {"authenticity", &ScoreChunk::authenticity},
      {"relevance", &ScoreChunk::relevance},
      {"cost_efficiency", &ScoreChunk::cost_efficiency},
      {"responsiveness", &ScoreChunk::responsiveness},
      {"engagement_rate", &ScoreChunk::engagement_rate},
      {"benchmark_rate", &ScoreChunk::benchmark_rate},
      {"fake_share", &ScoreChunk::fake_share},
      {"fake_share_lo", &ScoreChunk::fake_share_lo},
      {"fake_share_hi", &ScoreChunk::fake_share_hi},
      {"authentic_followers", &ScoreChunk::authentic_followers},
      {"expected_reach", &ScoreChunk::expected_reach},
      {"expected_engagements", &ScoreChunk::expected_engagements},
      {"price", &ScoreChunk::price},
      {"cpe", &ScoreChunk::cpe},
      {"cpm", &ScoreChunk::cpm},
  };
  return v;
}

// `c` reads the column `member` of the batch's `part` (profiles or scores) as it is in memory.
template <class Part, class T>
void bind(ColumnRef& c, Part Batch::*part, std::vector<T> Part::*member) {
  c.mem_type = detail::native_type<T>();
  c.data = [part, member](const Batch& b) -> const void* { return ((b.*part).*member).data(); };
}

ColumnRef column_for(const std::string& path) {
  ColumnRef c;
  c.path = path;
  const std::string name = path.substr(path.rfind('/') + 1);
  if (path.rfind("/profiles/", 0) == 0) {
    if (name == "id") {
      bind(c, &Batch::profiles, &ProfileChunk::id);
    } else if (name == "handle_bytes") {
      c.text = [](const Batch& b) { return &b.profiles.handle; };
    } else if (name == "country") {
      c.text = [](const Batch& b) { return &b.profiles.country; };
    } else if (name == "platform") {
      bind(c, &Batch::profiles, &ProfileChunk::platform);
    } else if (name == "niche") {
      bind(c, &Batch::profiles, &ProfileChunk::niche);
    } else if (name == "true_fake_share") {
      bind(c, &Batch::profiles, &ProfileChunk::true_fake_share);
    } else {
      for (std::size_t k = 0; k < kColumnCount; ++k) {
        const auto col = static_cast<Column>(k);
        if (column_info(col).name == name && ProfileChunk().numeric(col) != nullptr) {
          c.mem_type = H5T_NATIVE_DOUBLE;
          c.data = [col](const Batch& b) -> const void* { return b.profiles.numeric(col)->data(); };
        }
      }
    }
  } else {
    if (name == "tier") {
      bind(c, &Batch::scores, &ScoreChunk::tier);
    } else if (name == "missing") {
      bind(c, &Batch::scores, &ScoreChunk::missing);
    } else if (name == "flags") {
      bind(c, &Batch::scores, &ScoreChunk::flags);
    } else {
      for (const auto& [n, member] : score_doubles())
        if (name == n) bind(c, &Batch::scores, member);
    }
  }
  if (!c.data && !c.text)
    throw Error("parallel HDF5 writer: no data for dataset " + path + " (internal error)");
  return c;
}

std::string io_reason(int e) {
  return e == ENOSPC ? "no space left on the disk (disk full)"
         : e != 0    ? std::string(std::strerror(e)) + " (disk full or I/O error?)"
                     : "disk full or I/O error";
}

}  // namespace

struct ParallelTableSink::Impl {
  std::string path;
  std::uint64_t first = 0, rows = 0, written = 0, total_rows = 0;
  std::uint64_t rounds = 0, done = 0;  // collective write rounds: most batches of any rank
  Handle file, dxpl;
  std::vector<ColumnRef> numeric, text;
  // Strings of this rank's rows, in row order: per batch a row count, then per text column
  // that many (length, bytes) records.
  AtomicOutput spill;
  std::FILE* spill_file = nullptr;

  Impl(const std::string& p, const std::string& spill_name) : path(p), spill(spill_name) {}
  ~Impl() {
    if (spill_file) std::fclose(spill_file);
  }

  void write_round(const Batch* b) {
    dist::check();  // every rank is still there: no one waits on a rank that failed
    const std::size_t n = b ? b->profiles.size() : 0;
    for (ColumnRef& c : numeric) {
      Handle fs(checked(H5Dget_space(c.ds.get()), "dataspace of " + c.path));
      hsize_t start[1] = {first + written}, count[1] = {n};
      hsize_t one[1] = {std::max<hsize_t>(n, 1)};
      Handle ms(checked(H5Screate_simple(1, one, nullptr), "memory dataspace"));
      if (n > 0) {
        checked_rc(H5Sselect_hyperslab(fs.get(), H5S_SELECT_SET, start, nullptr, count, nullptr),
                   "select rows of " + c.path);
      } else {
        checked_rc(H5Sselect_none(fs.get()), "select no rows");
        checked_rc(H5Sselect_none(ms.get()), "select no rows");
      }
      static const double dummy = 0;
      errno = 0;
      if (H5Dwrite(c.ds.get(), c.mem_type, ms.get(), fs.get(), dxpl.get(),
                   n > 0 ? c.data(*b) : &dummy) < 0)
        throw Error("cannot write dataset '" + c.path + "' to '" + path + "': " + io_reason(errno));
    }
    written += n;
    done++;
  }

  void spill_batch(const Batch& b) {
    const std::uint64_t n = b.profiles.size();
    bool ok = std::fwrite(&n, sizeof n, 1, spill_file) == 1;
    for (ColumnRef& c : text)
      for (const std::string& s : *c.text(b)) {
        const auto len = static_cast<std::uint32_t>(s.size());
        ok = ok && std::fwrite(&len, sizeof len, 1, spill_file) == 1 &&
             std::fwrite(s.data(), 1, s.size(), spill_file) == s.size();
      }
    if (!ok) throw Error("cannot write '" + spill.temp_path() + "': " + io_reason(errno));
  }

  // Step 3, rank 0: the text columns of every rank's rows, reading the spill files in rank
  // order (`spills`) and appending through the serial writer's own text code, so the handle
  // offsets and the country dictionary come out as a one-process run writes them.
  void write_strings(const std::vector<std::string>& spills) {
    Handle f(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
    if (!f) throw Error("cannot reopen HDF5 file '" + path + "' to write its text columns");
    bool has_handle = false, has_country = false;
    for (const ColumnRef& c : text) {
      has_handle = has_handle || c.path == "/profiles/handle_bytes";
      has_country = has_country || c.path == "/profiles/country";
    }
    {
      ProfileWriter w = ProfileWriter::continue_text(f.get());
      std::vector<std::string> handle, country;
      std::uint64_t total = 0;
      for (const std::string& sp : spills) {
        std::FILE* in = std::fopen(sp.c_str(), "rb");
        if (!in) throw Error("cannot read back '" + sp + "': " + io_reason(errno));
        std::unique_ptr<std::FILE, int (*)(std::FILE*)> closer(in, &std::fclose);
        for (;;) {
          std::uint64_t n = 0;
          if (std::fread(&n, sizeof n, 1, in) != 1) break;
          for (const ColumnRef& c : text) {
            std::vector<std::string>& values =
                c.path == "/profiles/handle_bytes" ? handle : country;
            values.assign(n, std::string());
            for (std::uint64_t i = 0; i < n; ++i) {
              std::uint32_t len = 0;
              if (std::fread(&len, sizeof len, 1, in) != 1)
                throw Error("'" + sp + "' is truncated");
              values[i].resize(len);
              if (len && std::fread(values[i].data(), 1, len, in) != len)
                throw Error("'" + sp + "' is truncated");
            }
          }
          w.append_text(has_handle ? handle.data() : nullptr,
                        has_country ? country.data() : nullptr, n);
          total += n;
          throw_if_cancelled();
        }
      }
      if (total != total_rows)
        throw Error("parallel HDF5 writer: text of " + std::to_string(total) + " rows of " +
                    std::to_string(total_rows) + " (internal error)");
    }
    errno = 0;
    if (H5Fclose(f.release()) < 0) throw Error("cannot close '" + path + "': " + io_reason(errno));
  }
};

ParallelTableSink::ParallelTableSink(const std::string& path, std::uint64_t first,
                                     std::uint64_t rows, std::size_t batch_rows,
                                     const std::string& spill_dir_file, std::uint64_t batches) {
  // The spill file's name names the rank: ranks may share a process id on different nodes.
  impl_ = std::make_unique<Impl>(path, spill_dir_file + ".rank" + std::to_string(dist::rank()));
  Impl& m = *impl_;
  m.first = first;
  m.rows = rows;
  std::uint64_t most = 0;
  for (std::uint64_t r : dist::allgather(batches ? batches : (rows + batch_rows - 1) / batch_rows))
    most = std::max(most, r);
  m.rounds = most;
  for (std::uint64_t r : dist::allgather(rows)) m.total_rows += r;
  dist::guarded([&] {
    m.spill_file = std::fopen(m.spill.temp_path().c_str(), "w+b");
    if (!m.spill_file)
      throw Error("cannot create '" + m.spill.temp_path() + "': " + io_reason(errno));
    // A signal that came before the file existed removed nothing, and this rank may now wait
    // in a collective call for ranks already gone until the launcher kills it: remove the
    // file at once rather than at the end of the unwinding.
    if (cancel_requested()) {
      ::unlink(m.spill.temp_path().c_str());
      throw Interrupted();
    }
  });
  dist::check();
  // Collective open with MPI-IO; collective transfers.
  Handle fapl(checked(H5Pcreate(H5P_FILE_ACCESS), "file access property list"));
  checked_rc(H5Pset_fapl_mpio(fapl.get(), MPI_COMM_WORLD, MPI_INFO_NULL), "set MPI-IO driver");
  m.file = Handle(H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl.get()));
  if (!m.file) throw Error("cannot open '" + path + "' with MPI-IO (parallel HDF5)");
  m.dxpl = Handle(checked(H5Pcreate(H5P_DATASET_XFER), "transfer property list"));
  checked_rc(H5Pset_dxpl_mpio(m.dxpl.get(), H5FD_MPIO_COLLECTIVE), "set collective transfers");
  for (const std::string& p : table_datasets(m.file.get())) {
    if (is_row_dimension(p) || p == "/profiles/handle_offsets" || p == "/profiles/handle_byte" ||
        p == "/profiles/handle_offset")
      continue;
    ColumnRef c = column_for(p);
    c.ds = Handle(checked(H5Dopen2(m.file.get(), p.c_str(), H5P_DEFAULT), "open dataset " + p));
    (c.text ? m.text : m.numeric).push_back(std::move(c));
  }
}

ParallelTableSink::~ParallelTableSink() = default;

void ParallelTableSink::consume(const Batch& b) {
  const LibraryLock lock;
  impl_->spill_batch(b);
  impl_->write_round(&b);
}

void ParallelTableSink::finish() {
  const LibraryLock lock;
  Impl& m = *impl_;
  while (m.done < m.rounds) m.write_round(nullptr);
  dist::guarded([&] {
    if (m.written != m.rows)
      throw Error("parallel HDF5 writer: rank wrote " + std::to_string(m.written) + " rows of " +
                  std::to_string(m.rows) + " (internal error)");
  });
  dist::check();
  // Collective close (flushes the metadata every rank holds).
  for (ColumnRef& c : m.numeric) c.ds.reset();
  for (ColumnRef& c : m.text) c.ds.reset();
  m.dxpl.reset();
  errno = 0;
  const herr_t rc = H5Fclose(m.file.release());
  const int e = errno;
  dist::guarded([&] {
    if (rc < 0) throw Error("cannot close '" + m.path + "' (parallel HDF5): " + io_reason(e));
  });
  // Step 3: text columns, one rank after the other.
  if (!m.text.empty()) {
    dist::guarded([&] {
      if (std::fflush(m.spill_file) != 0)
        throw Error("cannot write '" + m.spill.temp_path() + "': " + io_reason(errno));
    });
    dist::check();
    const std::vector<std::string> spills = dist::gather(m.spill.temp_path());
    dist::guarded([&] {
      if (dist::is_root()) m.write_strings(spills);
    });
    dist::check();  // the spill files stay until rank 0 has read them
  }
}

#else  // a build without parallel HDF5 never makes a distributed run

struct ParallelTableSink::Impl {};
ParallelTableSink::ParallelTableSink(const std::string&, std::uint64_t, std::uint64_t, std::size_t,
                                     const std::string&, std::uint64_t) {
  throw Error("parallel HDF5 output needs a build with -DMICROREACH_MPI=ON");
}
ParallelTableSink::~ParallelTableSink() = default;
void ParallelTableSink::consume(const Batch&) {}
void ParallelTableSink::finish() {}

#endif

}  // namespace microreach::h5
