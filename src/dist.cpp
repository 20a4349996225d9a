// Ranks of a distributed run: MPI when built with MICROREACH_MPI, one process otherwise.
#include "microreach/dist.hpp"

#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>

#ifdef MICROREACH_HAVE_MPI
#include <mpi.h>
#endif

namespace microreach::dist {
namespace {

int g_rank = 0;
int g_size = 1;
bool g_mpi = false;  // MPI_Init done and not finalized

// The launcher's idea of how many processes it started (0 = not started by an MPI launcher).
// Open MPI, MPICH/Hydra and Slurm's PMI/PMIx set these in every rank's environment.
long launcher_size() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS",
                          "MV2_COMM_WORLD_SIZE", "I_MPI_NUMBER_OF_PROCESSES"}) {
    if (const char* v = std::getenv(var)) {
      const long n = std::strtol(v, nullptr, 10);
      if (n > 0) return n;
    }
  }
  // PMIx without a size variable: a rank above 0 means there are several.
  for (const char* var : {"PMIX_RANK", "PMI_RANK", "OMPI_COMM_WORLD_RANK"}) {
    if (const char* v = std::getenv(var)) {
      const long r = std::strtol(v, nullptr, 10);
      return r > 0 ? r + 1 : 1;
    }
  }
  return 0;
}

struct Status {
  int failed = 0;
  int code = 0;
};

// Every collective call starts here: all ranks learn whether any rank failed; if one did, the
// lowest failing rank's message goes to all and every rank throws RankFailed.
void exchange_status([[maybe_unused]] const Status& mine,
                     [[maybe_unused]] const std::string& message) {
#ifdef MICROREACH_HAVE_MPI
  if (!g_mpi || g_size == 1) return;
  std::vector<int> all(2 * static_cast<std::size_t>(g_size));
  const int local[2] = {mine.failed, mine.code};
  MPI_Allgather(local, 2, MPI_INT, all.data(), 2, MPI_INT, MPI_COMM_WORLD);
  int first = -1;
  for (int r = 0; r < g_size; ++r)
    if (all[2 * r]) {
      first = r;
      break;
    }
  if (first < 0) return;
  std::string text = g_rank == first ? message : std::string();
  unsigned long long len = text.size();
  MPI_Bcast(&len, 1, MPI_UNSIGNED_LONG_LONG, first, MPI_COMM_WORLD);
  text.resize(len);
  MPI_Bcast(text.data(), static_cast<int>(len), MPI_CHAR, first, MPI_COMM_WORLD);
  throw RankFailed(first, all[2 * first + 1], "rank " + std::to_string(first) + ": " + text);
#endif
}

void check_ok() {
  exchange_status({}, {});
}

}  // namespace

bool compiled_with_mpi() {
#ifdef MICROREACH_HAVE_MPI
  return true;
#else
  return false;
#endif
}

void init([[maybe_unused]] int* argc, [[maybe_unused]] char*** argv) {
  const long launched = launcher_size();
#ifdef MICROREACH_HAVE_MPI
  if (launched == 0 || g_mpi) return;  // started alone: a one-process run, no MPI needed
  int provided = 0;
  // SERIALIZED: MPI is called from one thread at a time, not always the main one (the
  // pipeline's in-order output stage runs on whichever oneTBB thread is free).
  MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided);
  g_mpi = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_size);
  if (provided < MPI_THREAD_SERIALIZED && g_size > 1) {
    finalize();
    throw Error("the MPI library does not support MPI_THREAD_SERIALIZED, which microreach needs");
  }
#else
  if (launched > 1)
    throw ConfigError(
        "MPI support is not compiled in: this microreach was started by an MPI launcher as " +
        std::to_string(launched) + " processes, which would run the same job " +
        std::to_string(launched) +
        " times. Build with -DMICROREACH_MPI=ON (scripts/setup.sh --mpi), or run it once without "
        "mpirun/srun.");
#endif
}

void finalize() {
#ifdef MICROREACH_HAVE_MPI
  if (!g_mpi) return;
  g_mpi = false;
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
#endif
}

int rank() {
  return g_rank;
}
int size() {
  return g_size;
}

Range share(std::uint64_t count, int r, int ranks) {
  const auto n = static_cast<std::uint64_t>(ranks < 1 ? 1 : ranks);
  const auto k = static_cast<std::uint64_t>(r);
  const std::uint64_t base = count / n, extra = count % n;
  Range out;
  out.begin = k * base + (k < extra ? k : extra);
  out.end = out.begin + base + (k < extra ? 1 : 0);
  return out;
}

void barrier() {
  check_ok();
}

std::vector<std::uint64_t> allgather(std::uint64_t value) {
  check_ok();
  std::vector<std::uint64_t> out(static_cast<std::size_t>(g_size), value);
#ifdef MICROREACH_HAVE_MPI
  if (g_mpi && g_size > 1) {
    unsigned long long v = value;
    std::vector<unsigned long long> all(out.size());
    MPI_Allgather(&v, 1, MPI_UNSIGNED_LONG_LONG, all.data(), 1, MPI_UNSIGNED_LONG_LONG,
                  MPI_COMM_WORLD);
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = all[i];
  }
#endif
  return out;
}

namespace {

#ifdef MICROREACH_HAVE_MPI
// Sends blobs of any size: MPI counts are int, so bytes go in pieces of at most 1 GiB.
constexpr std::uint64_t kPiece = 1ull << 30;

void send_blob(const std::string& blob, int to) {
  for (std::uint64_t at = 0; at < blob.size(); at += kPiece) {
    const int n = static_cast<int>(std::min<std::uint64_t>(kPiece, blob.size() - at));
    MPI_Send(blob.data() + at, n, MPI_CHAR, to, 7, MPI_COMM_WORLD);
  }
}
void recv_blob(std::string& blob, std::uint64_t len, int from) {
  blob.resize(len);
  for (std::uint64_t at = 0; at < len; at += kPiece) {
    const int n = static_cast<int>(std::min<std::uint64_t>(kPiece, len - at));
    MPI_Recv(blob.data() + at, n, MPI_CHAR, from, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  }
}
void bcast_blob(std::string& blob, std::uint64_t len, int root) {
  blob.resize(len);
  for (std::uint64_t at = 0; at < len; at += kPiece) {
    const int n = static_cast<int>(std::min<std::uint64_t>(kPiece, len - at));
    MPI_Bcast(blob.data() + at, n, MPI_CHAR, root, MPI_COMM_WORLD);
  }
}
#endif

}  // namespace

std::vector<std::string> gather(const std::string& blob) {
  const std::vector<std::uint64_t> sizes = allgather(static_cast<std::uint64_t>(blob.size()));
  std::vector<std::string> out;
  if (g_size == 1) {
    out.push_back(blob);
    return out;
  }
#ifdef MICROREACH_HAVE_MPI
  if (g_rank == 0) {
    out.resize(static_cast<std::size_t>(g_size));
    out[0] = blob;
    for (int r = 1; r < g_size; ++r) recv_blob(out[static_cast<std::size_t>(r)], sizes[r], r);
  } else {
    send_blob(blob, 0);
  }
#endif
  return out;
}

std::vector<std::string> allgather(const std::string& blob) {
  const std::vector<std::uint64_t> sizes = allgather(static_cast<std::uint64_t>(blob.size()));
  std::vector<std::string> out(static_cast<std::size_t>(g_size));
  if (g_size == 1) {
    out[0] = blob;
    return out;
  }
#ifdef MICROREACH_HAVE_MPI
  for (int r = 0; r < g_size; ++r) {
    std::string& b = out[static_cast<std::size_t>(r)];
    if (r == g_rank) b = blob;
    bcast_blob(b, sizes[static_cast<std::size_t>(r)], r);
  }
#endif
  return out;
}

void broadcast(std::string& blob, int root) {
  const std::vector<std::uint64_t> sizes = allgather(static_cast<std::uint64_t>(blob.size()));
  if (g_size == 1) return;
#ifdef MICROREACH_HAVE_MPI
  bcast_blob(blob, sizes[static_cast<std::size_t>(root)], root);
#else
  (void)root;
#endif
}

void fail(std::exception_ptr error) {
  if (g_size == 1 || !g_mpi) std::rethrow_exception(error);
  Status st;
  st.failed = 1;
  st.code = kExitFailure;
  std::string message;
  try {
    std::rethrow_exception(error);
  } catch (const RankFailed&) {
    throw;  // already agreed by every rank
  } catch (const Error& e) {
    st.code = e.exit_code();
    message = e.what();
  } catch (const std::bad_alloc&) {
    message = "out of memory (try a smaller --chunk-size or fewer --threads)";
  } catch (const std::exception& e) {
    message = e.what();
  } catch (...) {
    message = "unknown error";
  }
  exchange_status(st, message);
  // exchange_status throws RankFailed whenever a rank failed, and this one did.
  throw RankFailed(g_rank, st.code, "rank " + std::to_string(g_rank) + ": " + message);
}

}  // namespace microreach::dist
