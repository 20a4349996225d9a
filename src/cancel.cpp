#include "microreach/cancel.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "microreach/error.hpp"
#include "microreach/output_path.hpp"

namespace microreach {
namespace {

std::atomic<bool> g_cancel{false};
std::atomic<unsigned> g_temp_counter{0};

// Temporary files of live AtomicOutputs, readable from a signal handler: fixed slots, each
// claimed with an atomic flag, the path copied in before the flag is published.
constexpr int kTempSlots = 16;
constexpr std::size_t kTempPathMax = 4096;
struct TempSlot {
  std::atomic<int> state{0};  // 0 free, 1 being filled or cleared, 2 holds a path
  char path[kTempPathMax];
};
TempSlot g_temps[kTempSlots];
std::atomic<int> g_signals{0};

int register_temp(const std::string& path) {
  if (path.size() >= kTempPathMax) return -1;
  for (int i = 0; i < kTempSlots; ++i) {
    int expected = 0;
    if (g_temps[i].state.compare_exchange_strong(expected, 1)) {
      std::memcpy(g_temps[i].path, path.c_str(), path.size() + 1);
      g_temps[i].state.store(2, std::memory_order_release);
      return i;
    }
  }
  return -1;  // more than kTempSlots outputs at once: graceful cleanup still removes them
}
void unregister_temp(int slot) {
  if (slot < 0) return;
  g_temps[slot].state.store(0, std::memory_order_release);
}

// Last resort, async-signal-safe: remove every registered temporary file and leave with 130.
[[noreturn]] void hard_exit() {
  remove_temporary_outputs();
  static const char msg[] =
      "microreach: interrupted: stopped forcibly, temporary output removed, no output was "
      "written\n";
  const ssize_t w = ::write(2, msg, sizeof msg - 1);
  (void)w;
  ::_exit(kExitInterrupted);
}

// How long the graceful stop (checked per batch / block of work) may take before the watchdog
// stops the process forcibly. Chunks take milliseconds; only a blocked read of a pipe or a
// stalled disk gets near this.
constexpr long kGraceMicroseconds = 750000;

std::atomic<bool> g_remove_at_signal{false};

extern "C" void on_signal(int sig) {
  if (sig == SIGALRM) hard_exit();  // the graceful stop took too long
  if (g_remove_at_signal.load(std::memory_order_relaxed)) remove_temporary_outputs();
  g_cancel.store(true, std::memory_order_relaxed);
  if (g_signals.fetch_add(1) > 0) hard_exit();  // second Ctrl-C: do not wait any longer
  itimerval t{};
  t.it_value.tv_sec = kGraceMicroseconds / 1000000;
  t.it_value.tv_usec = kGraceMicroseconds % 1000000;
  ::setitimer(ITIMER_REAL, &t, nullptr);
}

std::string errno_text(int e) {
  return std::strerror(e);
}

}  // namespace

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocked read() returns EINTR and its loop checks the flag
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);  // terminal closed: same as Ctrl-C
  sigaction(SIGALRM, &sa, nullptr);
}
void remove_outputs_at_first_signal() {
  g_remove_at_signal.store(true);
}
void remove_temporary_outputs() {
  // Newest first: a large output's unlink can take long enough for a launcher's SIGKILL to
  // arrive; the small helper files registered after it (spill files) are gone by then.
  for (int i = kTempSlots - 1; i >= 0; --i)
    if (g_temps[i].state.load(std::memory_order_acquire) == 2) ::unlink(g_temps[i].path);
}

bool cancel_requested() {
  return g_cancel.load(std::memory_order_relaxed);
}
void request_cancel() {
  g_cancel.store(true);
}
void reset_cancel() {
  g_cancel.store(false);
  g_signals.store(0);
}
void throw_if_cancelled() {
  if (cancel_requested()) throw Interrupted();
}

AtomicOutput::AtomicOutput(std::string final_path, const std::string& option)
    : final_(std::move(final_path)), target_(final_) {
  namespace fs = std::filesystem;
  // Refuses an empty name, a device, FIFO, socket, directory or a link to one, and a missing or
  // read-only directory (output_path.hpp).
  check_output_target(option, final_);
  fs::path dir;
  std::string name;
  if (is_standard_stream(final_)) {
    // Standard output: spooled to a temporary file and copied out by commit(), so a failed run
    // writes nothing there either.
    to_stdout_ = true;
    std::error_code ec;
    dir = fs::temp_directory_path(ec);
    if (ec) dir = "/tmp";
    name = "microreach-stdout";
  } else {
    // Through a symbolic link: written beside, and renamed over, the file the link names.
    std::error_code ec;
    if (fs::is_symlink(fs::path(final_), ec)) {
      const fs::path c = fs::canonical(fs::path(final_), ec);
      if (!ec) target_ = c.string();
    }
    const fs::path p(target_);
    dir = p.parent_path();
    if (dir.empty()) dir = ".";
    name = p.filename().string();
  }
  temp_ = (dir / ("." + name + ".tmp-" + std::to_string(::getpid()) + "-" +
                  std::to_string(g_temp_counter++)))
              .string();
  slot_ = register_temp(temp_);
}

AtomicOutput::~AtomicOutput() {
  if (!committed_) ::unlink(temp_.c_str());
  unregister_temp(slot_);
}

void AtomicOutput::commit() {
  // Flush file contents to disk before the rename makes them visible under the final name.
  const int fd = ::open(temp_.c_str(), O_RDONLY);
  if (fd < 0) {
    const int e = errno;
    throw Error("cannot finish '" + final_ + "': temporary file '" + temp_ + "' is gone (" +
                errno_text(e) + ")");
  }
  if (to_stdout_) {
    // Unlinked first: a reader that goes away (`| head`) ends the process with SIGPIPE during
    // the copy, which must not leave the temporary file behind.
    ::unlink(temp_.c_str());
    committed_ = true;
    const int out = standard_output_fd();
    char buf[1 << 16];
    for (;;) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        const int e = errno;
        ::close(fd);
        throw Error("cannot read the temporary output '" + temp_ + "': " + errno_text(e));
      }
      if (n == 0) break;
      for (ssize_t done = 0; done < n;) {
        const ssize_t w = ::write(out, buf + done, static_cast<std::size_t>(n - done));
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) {
          const int e = errno;
          ::close(fd);
          throw Error("cannot write to standard output: " + errno_text(e));
        }
        done += w;
      }
    }
    ::close(fd);
    return;
  }
  const int rc = ::fsync(fd);
  const int e = errno;
  ::close(fd);
  if (rc != 0)
    throw Error("cannot write '" + final_ + "': " + errno_text(e) + " (is the disk full?)");
  // Once more just before the rename: a device, FIFO or socket created at the destination while
  // the command ran is not replaced either.
  struct stat st {};
  if (::lstat(target_.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
    throw Error("cannot move the finished output to '" + final_ +
                "': it is no longer a regular file; nothing was replaced");
  if (std::rename(temp_.c_str(), target_.c_str()) != 0) {
    const int e2 = errno;
    throw Error("cannot move the finished output to '" + final_ + "': " + errno_text(e2));
  }
  committed_ = true;
}

namespace {
std::string human_bytes(double b) {
  const char* units[] = {"bytes", "KB", "MB", "GB", "TB", "PB", "EB"};
  int u = 0;
  while (b >= 1000 && u < 6) {
    b /= 1000;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
  return buf;
}
}  // namespace

void AtomicOutput::require_space(std::uint64_t min_bytes, const std::string& option,
                                 const std::string& value) const {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(temp_).parent_path();
  if (dir.empty()) dir = ".";
  struct statvfs st {};
  if (::statvfs(dir.c_str(), &st) != 0) return;  // unknown: let the writes tell
  const double free_bytes = static_cast<double>(st.f_bavail) * static_cast<double>(st.f_frsize);
  if (static_cast<double>(min_bytes) > free_bytes)
    throw ConfigError(option, value,
                      "'" + final_ + "' would need at least " +
                          human_bytes(static_cast<double>(min_bytes)) + " but only " +
                          human_bytes(free_bytes) + " are free in '" + dir.string() + "'");
}

}  // namespace microreach
