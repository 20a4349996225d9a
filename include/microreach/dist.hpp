#pragma once
// Ranks of one distributed run (MPI), and the same calls in a one-process run.
//
// Built with -DMICROREACH_MPI=ON and started by an MPI launcher (mpirun, srun), every rank runs
// the whole command on its own contiguous share of the work (a range of profile rows, a range
// of trial blocks) with oneTBB threads inside; built without MPI, or started without a
// launcher, rank() is 0, size() is 1 and every call below is a cheap no-op, so the serial code
// needs no second path.
//
// Determinism: nothing here reduces floating-point values. Partial results travel as byte
// blobs and the caller folds them in rank order (= block order), the same fold the serial run
// does, so the result does not depend on the number of ranks. (MPI_Reduce on doubles would add
// in an order the MPI library chooses.)
//
// Failures: a rank that fails must not leave the others waiting forever in a collective call,
// and must not MPI_Abort (that would leave partial files behind). Every collective call here
// first exchanges a status word: a rank that failed calls fail() in place of its next
// collective call; every rank then learns who failed and why, and throws RankFailed (the
// failing rank too), so all ranks unwind together, remove their temporary outputs and exit
// non-zero with the message of the first failing rank.
#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "microreach/error.hpp"

namespace microreach::dist {

// True when this build has MPI support.
bool compiled_with_mpi();

// Starts MPI when the build has it and an MPI launcher started this process (else nothing:
// the process runs alone). In a build without MPI, a launcher that started several copies is
// refused (ConfigError "MPI support is not compiled in") instead of running N copies of the
// same job. Call once, first thing in main().
void init(int* argc, char*** argv);
// Ends MPI (collective); after it only rank()/size() may be called. Safe to call twice.
void finalize();

int rank();
int size();
inline bool is_root() {
  return rank() == 0;
}
inline bool distributed() {
  return size() > 1;
}

// Contiguous share [begin, end) of `count` items for `rank` of `ranks`: the first count % ranks
// ranks get one item more. Ranks in order cover [0, count) in order.
struct Range {
  std::uint64_t begin = 0, end = 0;
  std::uint64_t size() const { return end - begin; }
};
Range share(std::uint64_t count, int rank, int ranks);
inline Range my_share(std::uint64_t count) {
  return share(count, rank(), size());
}

// ---- collective calls (every rank calls them, in the same order) ----
// Each first checks that no rank has failed (else throws RankFailed on every rank).
void barrier();
std::vector<std::uint64_t> allgather(std::uint64_t value);
// Every rank's blob, in rank order, on every rank.
std::vector<std::string> allgather(const std::string& blob);
// Every rank's blob, in rank order, on rank 0 (other ranks get an empty vector).
std::vector<std::string> gather(const std::string& blob);
// Rank root's blob on every rank.
void broadcast(std::string& blob, int root = 0);
// Agreement point: returns when every rank reached it without failing.
inline void check() {
  barrier();
}

// A failure agreed by every rank. On the rank that failed it carries the original exit code;
// the message names the rank and the cause.
class RankFailed : public Error {
 public:
  RankFailed(int failed_rank, int code, const std::string& message)
      : Error(message), rank_(failed_rank), code_(code) {}
  int exit_code() const override { return code_; }
  int failed_rank() const { return rank_; }

 private:
  int rank_, code_;
};

// Called by a rank that caught an error (instead of its next collective call): tells every
// rank, then throws RankFailed. With one rank it rethrows `error` unchanged. Calling it for a
// RankFailed (already agreed) rethrows that without another exchange.
[[noreturn]] void fail(std::exception_ptr error);

// Runs f; if it throws on this rank, fail()s so every rank stops at its next collective call.
template <class F>
decltype(auto) guarded(F&& f) {
  try {
    return f();
  } catch (const RankFailed&) {
    throw;
  } catch (...) {
    fail(std::current_exception());
  }
}

}  // namespace microreach::dist
