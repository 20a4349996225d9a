#pragma once
// Cooperative cancellation and atomic output files.
//
// install_signal_handlers() makes SIGINT/SIGTERM/SIGHUP set a flag; long loops call
// throw_if_cancelled() (cheap) at chunk boundaries, which throws Interrupted. Should the graceful
// stop not finish within 0.75 s (a read blocked on a pipe, a stalled disk), or on a second
// signal, the handler removes every live AtomicOutput's temporary file and exits with 130. Output
// is written to a temporary name beside the destination and renamed only by commit(); an
// AtomicOutput destroyed without commit() removes the temporary file, so an existing output is
// never truncated or half-overwritten.
#include <atomic>
#include <cstdint>
#include <string>

namespace microreach {

void install_signal_handlers();
// From now on the first signal also removes every temporary output at once, before the
// graceful stop. For ranks of a distributed run: the MPI launcher follows its SIGTERM with
// SIGKILL one second later, and ranks waiting on one another may not finish unwinding by then.
void remove_outputs_at_first_signal();
bool cancel_requested();
void request_cancel();  // for tests and for the library user
void reset_cancel();
void throw_if_cancelled();
// Async-signal-safe: unlinks the temporary file of every live AtomicOutput (for fatal-signal
// handlers that exit without unwinding).
void remove_temporary_outputs();

class AtomicOutput {
 public:
  // Checks up front that the destination can be written (check_output_target in
  // output_path.hpp: no device, FIFO, socket or directory, or a link to one; an existing,
  // writable directory; errors name `option`) and picks a temporary name
  // "<dir>/.<name>.tmp-<pid>-<n>". Through a symbolic link the file the link names is replaced.
  // "-" is standard output: the data is spooled to a temporary file in $TMPDIR and copied to
  // standard output by commit().
  explicit AtomicOutput(std::string final_path, const std::string& option = "--out");
  ~AtomicOutput();
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;

  const std::string& temp_path() const { return temp_; }
  const std::string& final_path() const { return final_; }
  bool to_stdout() const { return to_stdout_; }
  // fsync + rename over the destination (or, for "-", copy to standard output). Throws Error on
  // failure (temp removed).
  void commit();
  // Refuses up front (ConfigError naming `option` and `value`) an output that cannot fit: when
  // at least `min_bytes` would be written but the destination's file system has less free.
  void require_space(std::uint64_t min_bytes, const std::string& option,
                     const std::string& value) const;

 private:
  std::string final_, target_, temp_;
  bool committed_ = false;
  bool to_stdout_ = false;
  int slot_ = -1;  // registration for removal by the signal handler
};

}  // namespace microreach
